/// The character classes of Rust's `char` and `regex` that `tokenizers` relies on, from the Swift standard
/// library's Unicode tables.
///
/// The standard library looks a scalar's properties up in compressed tables (tens of nanoseconds a call, the top
/// entries of `perf report` for a pre-tokenizer on non-ASCII text). ASCII is decided inline, and the Basic
/// Multilingual Plane from ``planeZero``: one byte of flags per scalar, computed once from the same properties on
/// first use (64 KiB), so both paths give the same answers by construction (`UnicodeClassesTests` compares them
/// on every BMP scalar). Scalars above U+FFFF ask the standard library each time.
enum UnicodeClasses {
    /// `char::is_whitespace` / regex `\s`: the White_Space property.
    static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x20, 0x09...0x0D: return true
        case 0..<0x80: return false
        case 0..<0x1_0000: return planeZero[Int(scalar.value)] & Flag.whitespace != 0
        default: return computedWhitespace(scalar)
        }
    }

    /// Regex `\w`: Alphabetic, marks, decimal digits, connector punctuation, Join_Control.
    static func isWord(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        if value < 0x80 {
            return (0x30...0x39).contains(value) || (0x41...0x5A).contains(value) || (0x61...0x7A).contains(value)
                || value == 0x5F
        }
        if value < 0x1_0000 { return planeZero[Int(value)] & Flag.word != 0 }
        return computedWord(scalar)
    }

    /// `\p{L}`.
    static func isLetter(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        // ASCII letters are A–Z (Lu) and a–z (Ll); no other ASCII scalar is in L.
        if value < 0x80 { return (0x41...0x5A).contains(value) || (0x61...0x7A).contains(value) }
        if value < 0x1_0000 { return planeZero[Int(value)] & Flag.letter != 0 }
        return computedLetter(scalar)
    }

    /// `\p{N}` / `char::is_numeric`: Nd, Nl, No.
    static func isNumber(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        // The ASCII numbers are the digits 0–9 (Nd); no other ASCII scalar is in N.
        if value < 0x80 { return (0x30...0x39).contains(value) }
        if value < 0x1_0000 { return planeZero[Int(value)] & Flag.number != 0 }
        return computedNumber(scalar)
    }

    /// `tokenizers`' `is_punc`: ASCII punctuation or a Unicode P* character.
    static func isPunctuation(_ scalar: Unicode.Scalar) -> Bool { BasicTokenizer.isPunctuation(scalar) }

    /// Alphanumeric or `_` (the `\w` of added tokens' `single_word` test).
    static func isAlphanumeric(_ scalar: Unicode.Scalar) -> Bool { isWord(scalar) }

    // MARK: The standard library's answers, and the table built from them

    enum Flag {
        static let whitespace: UInt8 = 1
        static let word: UInt8 = 2
        static let letter: UInt8 = 4
        static let number: UInt8 = 8
    }

    /// The flags of every scalar U+0000…U+FFFF (0 for the surrogates, which are no scalars).
    static let planeZero: [UInt8] = {
        var table = [UInt8](repeating: 0, count: 0x1_0000)
        for value in 0..<UInt32(0x1_0000) {
            guard let scalar = Unicode.Scalar(value) else { continue }
            var flags: UInt8 = 0
            if computedWhitespace(scalar) { flags |= Flag.whitespace }
            if computedWord(scalar) { flags |= Flag.word }
            if computedLetter(scalar) { flags |= Flag.letter }
            if computedNumber(scalar) { flags |= Flag.number }
            table[Int(value)] = flags
        }
        return table
    }()

    static func computedWhitespace(_ scalar: Unicode.Scalar) -> Bool { scalar.properties.isWhitespace }

    static func computedWord(_ scalar: Unicode.Scalar) -> Bool {
        let properties = scalar.properties
        if properties.isAlphabetic || properties.isJoinControl { return true }
        switch properties.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark, .decimalNumber, .connectorPunctuation: return true
        default: return false
        }
    }

    static func computedLetter(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return true
        default: return false
        }
    }

    static func computedNumber(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .decimalNumber, .letterNumber, .otherNumber: return true
        default: return false
        }
    }
}
