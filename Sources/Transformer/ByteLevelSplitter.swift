/// GPT-2's pre-tokenizer split, matched by hand:
/// `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`
/// (leftmost-first alternation, greedy runs), with `\p{L}` = general category L*, `\p{N}` = N* and `\s` = the
/// Unicode White_Space property, as the regex engines of `tokenizers` define them.
///
/// Every scalar belongs to exactly one match, so the ranges tile the text.
public enum ByteLevelSplitter {
    /// The character classes of the pattern.
    enum Kind: UInt8 {
        case letter = 0, number, space, other
    }

    /// The UTF-8 byte ranges of the pieces of `text`, in order.
    public static func split(_ text: String) -> [Range<Int>] {
        var text = text
        return text.withUTF8 { split(utf8: $0) }
    }

    /// The pieces of valid UTF-8 `bytes`.
    static func split(utf8 bytes: UnsafeBufferPointer<UInt8>) -> [Range<Int>] {
        var pieces: [Range<Int>] = []
        pieces.reserveCapacity(bytes.count / 4 + 1)
        let end = bytes.count
        var position = 0
        while position < end {
            let next = match(bytes, at: position)
            pieces.append(position..<next)
            position = next
        }
        return pieces
    }

    /// The end of the match starting at `start` (< `bytes.count`).
    @inline(__always)
    static func match(_ bytes: UnsafeBufferPointer<UInt8>, at start: Int) -> Int {
        let end = bytes.count
        let first = bytes[start]
        if first == 0x27, start + 1 < end {  // 's 't 're 've 'm 'll 'd
            let second = bytes[start + 1]
            if second == 0x73 || second == 0x74 || second == 0x6D || second == 0x64 { return start + 2 }
            if start + 2 < end {
                let third = bytes[start + 2]
                if (second == 0x72 && third == 0x65) || (second == 0x76 && third == 0x65)
                    || (second == 0x6C && third == 0x6C)
                {
                    return start + 3
                }
            }
        }
        let (kind, length) = scalar(bytes, at: start)
        if first == 0x20, start + 1 < end {  // ` ?` before a letter, number or other run
            let (nextKind, nextLength) = scalar(bytes, at: start + 1)
            if nextKind != .space { return run(bytes, from: start + 1 + nextLength, of: nextKind) }
        }
        if kind != .space { return run(bytes, from: start + length, of: kind) }
        // \s+(?!\S) then \s+: a whitespace run, less its last scalar when a non-space follows and it has two or more.
        var position = start + length
        var last = start
        while position < end {
            let (nextKind, nextLength) = scalar(bytes, at: position)
            guard nextKind == .space else { break }
            last = position
            position += nextLength
        }
        if position == end || last == start { return position }
        return last
    }

    /// The end of the run of `kind` scalars from `position`.
    @inline(__always)
    static func run(_ bytes: UnsafeBufferPointer<UInt8>, from position: Int, of kind: Kind) -> Int {
        var position = position
        while position < bytes.count {
            let (nextKind, nextLength) = scalar(bytes, at: position)
            guard nextKind == kind else { break }
            position += nextLength
        }
        return position
    }

    /// The class and UTF-8 length of the scalar starting at `position`.
    @inline(__always)
    static func scalar(_ bytes: UnsafeBufferPointer<UInt8>, at position: Int) -> (Kind, Int) {
        let lead = bytes[position]
        if lead < 0x80 { return (ascii[Int(lead)], 1) }
        let remaining = bytes.count - position
        if lead < 0xE0, remaining >= 2 {
            let value = (UInt32(lead & 0x1F) << 6) | UInt32(bytes[position + 1] & 0x3F)
            return (basic[Int(value)], 2)
        }
        if lead < 0xF0, remaining >= 3 {
            let value =
                (UInt32(lead & 0x0F) << 12) | (UInt32(bytes[position + 1] & 0x3F) << 6)
                | UInt32(bytes[position + 2] & 0x3F)
            return (basic[Int(value)], 3)
        }
        guard remaining >= 4 else { return (.other, remaining) }
        let value =
            (UInt32(lead & 0x07) << 18) | (UInt32(bytes[position + 1] & 0x3F) << 12)
            | (UInt32(bytes[position + 2] & 0x3F) << 6) | UInt32(bytes[position + 3] & 0x3F)
        return (classify(value), 4)
    }

    /// The class of a scalar value from its Unicode properties.
    static func classify(_ value: UInt32) -> Kind {
        guard let scalar = Unicode.Scalar(value) else { return .other }
        let properties = scalar.properties
        if properties.isWhitespace { return .space }
        switch properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter:
            return .letter
        case .decimalNumber, .letterNumber, .otherNumber:
            return .number
        default:
            return .other
        }
    }

    /// Classes of the ASCII scalars.
    static let ascii: [Kind] = (0..<128).map { classify(UInt32($0)) }

    /// Classes of the Basic Multilingual Plane (surrogates are `.other`; they never occur in valid UTF-8).
    static let basic: [Kind] = (0..<0x10000).map { classify(UInt32($0)) }
}
