/// The character classes of Rust's `char` and `regex` that `tokenizers` relies on, from the Swift standard
/// library's Unicode tables.
enum UnicodeClasses {
    /// `char::is_whitespace` / regex `\s`: the White_Space property.
    static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x20, 0x09...0x0D: return true
        case 0..<0x80: return false
        default: return scalar.properties.isWhitespace
        }
    }

    /// Regex `\w`: Alphabetic, marks, decimal digits, connector punctuation, Join_Control.
    static func isWord(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        if value < 0x80 {
            return (0x30...0x39).contains(value) || (0x41...0x5A).contains(value) || (0x61...0x7A).contains(value)
                || value == 0x5F
        }
        let properties = scalar.properties
        if properties.isAlphabetic || properties.isJoinControl { return true }
        switch properties.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark, .decimalNumber, .connectorPunctuation: return true
        default: return false
        }
    }

    /// `\p{L}`.
    static func isLetter(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return true
        default: return false
        }
    }

    /// `\p{N}` / `char::is_numeric`: Nd, Nl, No.
    static func isNumber(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .decimalNumber, .letterNumber, .otherNumber: return true
        default: return false
        }
    }

    /// `tokenizers`' `is_punc`: ASCII punctuation or a Unicode P* character.
    static func isPunctuation(_ scalar: Unicode.Scalar) -> Bool { BasicTokenizer.isPunctuation(scalar) }

    /// Alphanumeric or `_` (the `\w` of added tokens' `single_word` test).
    static func isAlphanumeric(_ scalar: Unicode.Scalar) -> Bool { isWord(scalar) }
}
