/// A `tokenizer.json` decoder: turns token strings back into text, as the `tokenizers` decoders of the same names
/// do (`decode_chain` on the token strings, the results joined with nothing between them).
indirect enum TokenDecoder: Sendable, Equatable {
    /// `ByteLevel`: the tokens' characters back to GPT-2's bytes (a token with a character outside the alphabet
    /// keeps its own UTF-8), the bytes read as UTF-8 with U+FFFD for invalid sequences.
    case byteLevel
    /// `WordPiece`: `prefix` pieces join the previous token, the others get a space before them (not the first);
    /// with `cleanup`, Hugging Face's `clean_up_tokenization` on each token.
    case wordPiece(prefix: String, cleanup: Bool)
    /// `Metaspace`: `replacement` becomes a space; in the first token it is dropped unless `prepend_scheme` is
    /// `never`.
    case metaspace(replacement: Unicode.Scalar, prependScheme: PreTokenizer.PrependScheme)
    /// `BPEDecoder`: `suffix` becomes a space (nothing in the last token).
    case bpe(suffix: String)
    /// `ByteFallback`: runs of `<0xNN>` tokens become the text their bytes spell (U+FFFD per byte when invalid).
    case byteFallback
    /// `Fuse`: all tokens into one.
    case fuse
    /// `Strip`: up to `start` leading and `stop` trailing `content` characters off each token.
    case strip(content: Unicode.Scalar, start: Int, stop: Int)
    /// `Replace`: each match of the pattern in each token becomes `content`.
    case replace(TextPattern, content: [Unicode.Scalar])
    /// `CTC`: repeated tokens collapsed, `pad` removed, with `cleanup` Hugging Face's cleanup and the word
    /// delimiter as a space; empty tokens dropped.
    case ctc(pad: String, wordDelimiter: String, cleanup: Bool)
    /// `Sequence`: each in turn.
    case sequence([TokenDecoder])

    /// The decoded text of `tokens`.
    func decode(_ tokens: [String]) -> String { decodeChain(tokens).joined() }

    /// `decode_chain`: the tokens after this decoder.
    func decodeChain(_ tokens: [String]) -> [String] {
        switch self {
        case .byteLevel:
            var bytes: [UInt8] = []
            for token in tokens {
                if let decoded = ByteLevelAlphabet.decode(token) {
                    bytes += decoded
                } else {
                    bytes += token.utf8
                }
            }
            return [String(decoding: bytes, as: UTF8.self)]
        case .wordPiece(let prefix, let cleanup):
            return tokens.enumerated().map { index, token in
                var token = token
                if index != 0 {
                    if token.utf8.starts(with: prefix.utf8) {
                        token = String(decoding: token.utf8.dropFirst(prefix.utf8.count), as: UTF8.self)
                    } else {
                        token = " " + token
                    }
                }
                return cleanup ? Self.cleanup(token) : token
            }
        case .metaspace(let replacement, let scheme):
            return tokens.enumerated().map { index, token in
                var out = String.UnicodeScalarView()
                for scalar in token.unicodeScalars {
                    if scalar == replacement {
                        if index != 0 || scheme == .never { out.append(" ") }
                    } else {
                        out.append(scalar)
                    }
                }
                return String(out)
            }
        case .bpe(let suffix):
            return tokens.enumerated().map { index, token in
                Self.replacing(token, Array(suffix.unicodeScalars), with: index == tokens.count - 1 ? [] : [" "])
            }
        case .byteFallback:
            return Self.byteFallback(tokens)
        case .fuse:
            return [tokens.joined()]
        case .strip(let content, let start, let stop):
            return tokens.map { token in
                let scalars = Array(token.unicodeScalars)
                var lower = 0
                while lower < min(start, scalars.count), scalars[lower] == content { lower += 1 }
                var upper = scalars.count
                while upper > lower, scalars.count - upper < stop, scalars[upper - 1] == content { upper -= 1 }
                return String(String.UnicodeScalarView(scalars[lower..<upper]))
            }
        case .replace(let pattern, let content):
            return tokens.map { token in
                var text = NormalizedText(Array(token.unicodeScalars))
                text.replace(pattern.matches(in: text.scalars), with: content)
                return text.string
            }
        case .ctc(let pad, let delimiter, let cleanup):
            var result: [String] = []
            var previous: String?
            for token in tokens {
                defer { previous = token }
                if let previous, previous.utf8.elementsEqual(token.utf8) { continue }
                var text = Self.replacing(token, Array(pad.unicodeScalars), with: [])
                if cleanup {
                    text = Self.replacing(Self.cleanup(text), Array(delimiter.unicodeScalars), with: [" "])
                }
                if !text.isEmpty { result.append(text) }
            }
            return result
        case .sequence(let steps):
            return steps.reduce(tokens) { $1.decodeChain($0) }
        }
    }

    /// Hugging Face's `clean_up_tokenization` (as `tokenizers`' WordPiece decoder spells it).
    static func cleanup(_ text: String) -> String {
        var scalars = Array(text.unicodeScalars)
        for (from, to) in Self.cleanupPairs {
            scalars = Array(Self.replacing(scalars, from, with: to))
        }
        return String(String.UnicodeScalarView(scalars))
    }

    private static let cleanupPairs: [([Unicode.Scalar], [Unicode.Scalar])] = [
        (" .", "."), (" ?", "?"), (" !", "!"), (" ,", ","), (" ' ", "'"), (" n't", "n't"), (" 'm", "'m"),
        (" do not", " don't"), (" 's", "'s"), (" 've", "'ve"), (" 're", "'re"),
    ].map { (Array($0.0.unicodeScalars), Array($0.1.unicodeScalars)) }

    /// `text` with every non-overlapping occurrence of `needle` (left to right, exact scalars) replaced.
    static func replacing(_ text: String, _ needle: [Unicode.Scalar], with replacement: [Unicode.Scalar]) -> String {
        String(String.UnicodeScalarView(replacing(Array(text.unicodeScalars), needle, with: replacement)))
    }

    private static func replacing(
        _ scalars: [Unicode.Scalar], _ needle: [Unicode.Scalar], with replacement: [Unicode.Scalar]
    ) -> [Unicode.Scalar] {
        guard !needle.isEmpty, scalars.count >= needle.count else { return scalars }
        var out: [Unicode.Scalar] = []
        out.reserveCapacity(scalars.count)
        var index = 0
        while index < scalars.count {
            if index + needle.count <= scalars.count, scalars[index] == needle[0],
                scalars[index..<(index + needle.count)].elementsEqual(needle)
            {
                out += replacement
                index += needle.count
            } else {
                out.append(scalars[index])
                index += 1
            }
        }
        return out
    }

    private static func byteFallback(_ tokens: [String]) -> [String] {
        var result: [String] = []
        var pending: [UInt8] = []
        func flush() {
            guard !pending.isEmpty else { return }
            if let text = String(validating: pending, as: UTF8.self) {
                result.append(text)
            } else {
                result.append(contentsOf: Array(repeating: "\u{FFFD}", count: pending.count))
            }
            pending.removeAll()
        }
        for token in tokens {
            if let byte = Self.fallbackByte(token) {
                pending.append(byte)
            } else {
                flush()
                result.append(token)
            }
        }
        flush()
        return result
    }

    /// The byte of a `<0xNN>` token (exactly six characters, two hex digits).
    private static func fallbackByte(_ token: String) -> UInt8? {
        let bytes = Array(token.utf8)
        guard bytes.count == 6, bytes.starts(with: "<0x".utf8), bytes[5] == UInt8(ascii: ">") else { return nil }
        return UInt8(String(decoding: bytes[3..<5], as: UTF8.self), radix: 16)
    }
}
