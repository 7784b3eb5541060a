import Foundation

/// A `tokenizer.json` model's `"vocab"` as its members in file order, keys exactly as written: an object's
/// `(token, id)` members, or a Unigram list's `(piece, score)` pairs (scores correctly rounded from their text).
///
/// Foundation's `JSONSerialization` builds `[String: Any]`, whose `String` keys merge canonically equivalent
/// tokens (`"é"` and `"e"` + U+0301) into one entry; ``HuggingFaceTokenizer/init(file:)`` reads the members with
/// ``scan(_:)`` and puts this value in place of the dictionary, so the models see every entry.
struct VocabularyEntries: @unchecked Sendable {
    /// `(token, id)` in file order; the id is an `Int`, or whatever other JSON value the file has there.
    var entries: [(token: String, value: Any)]

    /// The members of a `"vocab"` value: this type's entries, or a dictionary's (in no particular order); `nil`
    /// for anything else.
    static func members(_ value: Any?) -> [(token: String, value: Any)]? {
        if let exact = value as? VocabularyEntries { return exact.entries }
        if let object = value as? [String: Any] { return object.map { ($0.key, $0.value) } }
        return nil
    }

    /// The members of `model.vocab` in the JSON text `bytes` when that is an object, `nil` when it is not (or the
    /// text is not a JSON object); `nil` as well on malformed JSON, which the caller's parser reports.
    static func scan(_ bytes: [UInt8]) -> VocabularyEntries? {
        bytes.withUnsafeBufferPointer { buffer in
            var scanner = JSONScanner(bytes: buffer)
            return scanner.modelVocabulary().map(VocabularyEntries.init)
        }
    }
}

/// A minimal JSON reader over bytes: finds `model.vocab` and decodes its keys; everything else is skipped.
private struct JSONScanner {
    let bytes: UnsafeBufferPointer<UInt8>
    var index = 0

    init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    private var current: UInt8? { index < bytes.count ? bytes[index] : nil }

    private mutating func skipSpace() {
        while let byte = current, byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { index += 1 }
    }

    private mutating func expect(_ byte: UInt8) -> Bool {
        skipSpace()
        guard current == byte else { return false }
        index += 1
        return true
    }

    /// Walks the top-level object to `"model"`, then to its `"vocab"`.
    mutating func modelVocabulary() -> [(token: String, value: Any)]? {
        var found: [(token: String, value: Any)]?
        let walked = members { scanner, key in
            guard key == "model" else { return scanner.skipValue() }
            scanner.skipSpace()
            guard scanner.current == UInt8(ascii: "{") else { return scanner.skipValue() }
            return scanner.members { scanner, key in
                guard key == "vocab" else { return scanner.skipValue() }
                scanner.skipSpace()
                if scanner.current == UInt8(ascii: "[") {
                    found = scanner.scoredPieces()
                    return found != nil
                }
                guard scanner.current == UInt8(ascii: "{") else { return scanner.skipValue() }
                var entries: [(token: String, value: Any)] = []
                let ok = scanner.members { scanner, token in
                    scanner.skipSpace()
                    let start = scanner.index
                    guard scanner.skipValue() else { return false }
                    let text = String(
                        decoding: UnsafeBufferPointer(rebasing: scanner.bytes[start..<scanner.index]), as: UTF8.self)
                    entries.append((token, Int(text).map { $0 as Any } ?? text))
                    return true
                }
                if ok { found = entries }
                return ok
            }
        }
        return walked ? found : nil
    }

    /// A Unigram vocabulary `[[piece, score], …]`, each score parsed from its text (correctly rounded, as
    /// `tokenizers` reads it; Foundation's parser is off by one unit in the last place for some scores, which
    /// breaks Viterbi ties the other way); `nil` for any other shape.
    private mutating func scoredPieces() -> [(token: String, value: Any)]? {
        guard expect(UInt8(ascii: "[")) else { return nil }
        var entries: [(token: String, value: Any)] = []
        skipSpace()
        if current == UInt8(ascii: "]") {
            index += 1
            return entries
        }
        while true {
            guard expect(UInt8(ascii: "[")) else { return nil }
            skipSpace()
            guard let piece = string(), expect(UInt8(ascii: ",")) else { return nil }
            skipSpace()
            let start = index
            guard skipValue() else { return nil }
            let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
            guard let score = Double(text), expect(UInt8(ascii: "]")) else { return nil }
            entries.append((piece, NSNumber(value: score)))
            skipSpace()
            if current == UInt8(ascii: ",") {
                index += 1
                continue
            }
            return expect(UInt8(ascii: "]")) ? entries : nil
        }
    }

    /// Reads an object, calling `body(self, key)` with the cursor before each member's value (which `body` must
    /// consume); false on malformed JSON.
    private mutating func members(_ body: (inout JSONScanner, String) -> Bool) -> Bool {
        guard expect(UInt8(ascii: "{")) else { return false }
        skipSpace()
        if current == UInt8(ascii: "}") {
            index += 1
            return true
        }
        while true {
            skipSpace()
            guard let key = string(), expect(UInt8(ascii: ":")), body(&self, key) else { return false }
            skipSpace()
            if current == UInt8(ascii: ",") {
                index += 1
                continue
            }
            return expect(UInt8(ascii: "}"))
        }
    }

    /// Skips one value of any kind; false on malformed JSON.
    private mutating func skipValue() -> Bool {
        skipSpace()
        guard let byte = current else { return false }
        switch byte {
        case UInt8(ascii: "{"):
            return members { scanner, _ in scanner.skipValue() }
        case UInt8(ascii: "["):
            index += 1
            skipSpace()
            if current == UInt8(ascii: "]") {
                index += 1
                return true
            }
            while true {
                guard skipValue() else { return false }
                skipSpace()
                if current == UInt8(ascii: ",") {
                    index += 1
                    continue
                }
                return expect(UInt8(ascii: "]"))
            }
        case UInt8(ascii: "\""):
            return string() != nil
        default:
            let start = index
            while let byte = current, !(byte == 0x2C || byte == 0x7D || byte == 0x5D || byte <= 0x20) { index += 1 }
            return index > start
        }
    }

    /// Decodes one string (escapes included, `\u` surrogate pairs joined); nil when malformed.
    private mutating func string() -> String? {
        guard current == UInt8(ascii: "\"") else { return nil }
        index += 1
        var out: [UInt8] = []
        while let byte = current {
            index += 1
            switch byte {
            case UInt8(ascii: "\""):
                return String(validating: out, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard let escape = current else { return nil }
                index += 1
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(escape)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    guard var value = hex4() else { return nil }
                    if (0xD800..<0xDC00).contains(value) {
                        guard current == UInt8(ascii: "\\"), index + 1 < bytes.count,
                            bytes[index + 1] == UInt8(ascii: "u")
                        else { return nil }
                        index += 2
                        guard let low = hex4(), (0xDC00..<0xE000).contains(low) else { return nil }
                        value = 0x10000 + ((value - 0xD800) << 10) + (low - 0xDC00)
                    }
                    guard let scalar = Unicode.Scalar(value) else { return nil }
                    UTF8.encode(scalar) { out.append($0) }
                default:
                    return nil
                }
            default:
                out.append(byte)
            }
        }
        return nil
    }

    private mutating func hex4() -> UInt32? {
        guard index + 4 <= bytes.count else { return nil }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            index += 1
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: return nil
            }
            value = value << 4 | UInt32(digit)
        }
        return value
    }
}
