/// The `added_tokens` of a `tokenizer.json`, matched in the text before the model runs as `tokenizers`'
/// `AddedVocabulary` does: first the tokens with `normalized: false` on the original text, then the others on each
/// normalised remainder (their content normalised the same way). Leftmost-longest matches; `single_word` needs no
/// word character (`\w`) on either side; `lstrip`/`rstrip` take the whitespace before/after into the token.
struct AddedTokens: Sendable {
    /// One added token.
    struct Token: Sendable, Equatable {
        var id: Int32
        var content: String
        var special: Bool
        var singleWord: Bool
        var leftStrip: Bool
        var rightStrip: Bool
        var normalized: Bool
    }

    /// All of them, in file order.
    let tokens: [Token]
    private let raw: [(scalars: [Unicode.Scalar], token: Token)]
    private let normalizedPatterns: [(scalars: [Unicode.Scalar], token: Token)]

    init(tokens: [Token], normalizer: TextNormalizer?) {
        self.tokens = tokens
        raw = tokens.filter { !$0.normalized }.map { (Array($0.content.unicodeScalars), $0) }
        normalizedPatterns = tokens.filter(\.normalized).map { token in
            var text = NormalizedText(Array(token.content.unicodeScalars))
            normalizer?.apply(&text)
            return (text.scalars, token)
        }
    }

    /// One split of the text: an added token (`token` set) or a piece left for the pre-tokenizer and the model.
    struct Split {
        var text: NormalizedText
        var token: Token?
    }

    /// Cuts the added tokens out of `text`, normalising what lies between them.
    func split(_ text: NormalizedText, normalizer: TextNormalizer?) -> [Split] {
        var result: [Split] = []
        for first in Self.split(text, raw) {
            if first.token != nil {
                result.append(first)
                continue
            }
            var piece = first.text
            normalizer?.apply(&piece)
            result += Self.split(piece, normalizedPatterns)
        }
        return result.filter { !$0.text.isEmpty }
    }

    private static func split(
        _ text: NormalizedText, _ patterns: [(scalars: [Unicode.Scalar], token: Token)]
    ) -> [Split] {
        guard !patterns.isEmpty, !text.isEmpty else { return [Split(text: text, token: nil)] }
        let scalars = text.scalars
        let firsts = patterns.compactMap(\.scalars.first)
        var result: [Split] = []
        var startOffset = 0
        var index = 0
        while index < scalars.count {
            guard firsts.contains(scalars[index]) else {  // no token starts here: skip without copying the patterns
                index += 1
                continue
            }
            var best: (length: Int, token: Token)?
            for pattern in patterns where pattern.scalars.count > (best?.length ?? 0) {
                let length = pattern.scalars.count
                if length > 0, index + length <= scalars.count, scalars[index] == pattern.scalars[0],
                    scalars[index..<(index + length)].elementsEqual(pattern.scalars)
                {
                    best = (length, pattern.token)
                }
            }
            guard let (length, token) = best else {
                index += 1
                continue
            }
            var start = index
            var stop = index + length
            if token.singleWord {
                let before = start > 0 && UnicodeClasses.isWord(scalars[start - 1])
                let after = stop < scalars.count && UnicodeClasses.isWord(scalars[stop])
                if before || after {
                    index += length
                    continue
                }
            }
            if token.leftStrip {
                var newStart = start
                while newStart > startOffset, UnicodeClasses.isWhitespace(scalars[newStart - 1]) { newStart -= 1 }
                start = newStart
            }
            if token.rightStrip {
                while stop < scalars.count, UnicodeClasses.isWhitespace(scalars[stop]) { stop += 1 }
            }
            if startOffset < start { result.append(Split(text: text[startOffset..<start], token: nil)) }
            result.append(Split(text: text[start..<stop], token: token))
            startOffset = stop
            index = stop
        }
        if startOffset < scalars.count { result.append(Split(text: text[startOffset..<scalars.count], token: nil)) }
        return result
    }
}
