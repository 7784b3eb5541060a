/// A tokenizer read from a Hugging Face `tokenizer.json`, running the `tokenizers` pipeline: added tokens,
/// normalizer, pre-tokenizer, model (WordPiece, BPE or Unigram), post-processor. Ids, tokens and offsets are those
/// of the `tokenizers` package (offsets in Unicode scalars of the input, Python `str` indexes).
///
/// Truncation and padding settings of the file are ignored (Attend truncates itself); the decoder turns ids back
/// into text (``decode(ids:skipSpecialTokens:)``).
public struct HuggingFaceTokenizer: Tokenizer {
    let normalizer: TextNormalizer?
    let preTokenizer: PreTokenizer?
    let model: any SubwordModel
    let postProcessor: PostProcessor
    let addedTokens: AddedTokens
    let decoder: TokenDecoder?
    private let addedByID: [Int32: String]
    private let specialContents: Set<ExactString>
    /// Number of ids: the model's vocabulary and the added tokens (`get_vocab_size(with_added_tokens=True)`).
    public let vocabularySize: Int

    init(
        normalizer: TextNormalizer?, preTokenizer: PreTokenizer?, model: any SubwordModel,
        postProcessor: PostProcessor, addedTokens: [AddedTokens.Token], decoder: TokenDecoder? = nil
    ) {
        self.decoder = decoder
        specialContents = Set(addedTokens.filter(\.special).map { ExactString($0.content) })
        self.normalizer = normalizer
        self.preTokenizer = preTokenizer
        self.model = model
        self.postProcessor = postProcessor
        self.addedTokens = AddedTokens(tokens: addedTokens, normalizer: normalizer)
        var byID: [Int32: String] = [:]
        for token in addedTokens {
            guard token.normalized, let normalizer else {
                byID[token.id] = token.content
                continue
            }
            var text = NormalizedText(Array(token.content.unicodeScalars))
            normalizer.apply(&text)
            byID[token.id] = text.string
        }
        addedByID = byID
        vocabularySize = max(model.vocabularySize, Int(addedTokens.map(\.id).max() ?? -1) + 1)
        // The pre-tokenizers' character-class table (~19 ms to build, once per process) is built at load, not in
        // the first request with a non-ASCII character.
        _ = UnicodeClasses.planeZero
    }

    /// The vocabulary string of `id`: an added token's content (normalized when the token is matched on normalized
    /// text, as `tokenizers`' `id_to_token` answers), or the model's.
    public func token(for id: Int32) -> String? { addedByID[id] ?? model.token(of: id) }

    /// The id of `token`, byte-exact (added tokens first, then the model's vocabulary).
    public func id(for token: String) -> Int32? {
        addedTokens.tokens.first { $0.content.utf8.elementsEqual(token.utf8) }?.id ?? model.id(of: token)
    }

    /// The special added token `[MASK]` or `<mask>` (before a vocabulary piece that merely spells one).
    public var maskToken: (token: String, id: Int32)? {
        for special in [true, false] {
            for name in ["[MASK]", "<mask>"] {
                if let token = addedTokens.tokens.first(where: { $0.content == name && $0.special == special }) {
                    return (name, token.id)
                }
            }
        }
        for name in ["[MASK]", "<mask>"] {
            if let id = model.id(of: name) { return (name, id) }
        }
        return nil
    }

    /// The text of `ids` as `tokenizers`' `decode(ids, skip_special_tokens)`: each id's token (ids without one are
    /// left out; with `skipSpecialTokens`, so are the special added tokens), through the file's decoder, or
    /// joined by spaces when it has none.
    public func decode(ids: [Int32], skipSpecialTokens: Bool) -> String {
        var tokens: [String] = []
        tokens.reserveCapacity(ids.count)
        for id in ids {
            guard let token = token(for: id) else { continue }
            if skipSpecialTokens && specialContents.contains(ExactString(token)) { continue }
            tokens.append(token)
        }
        guard let decoder else { return tokens.joined(separator: " ") }
        return decoder.decode(tokens)
    }

    public func encode(_ text: String, addSpecialTokens: Bool) -> Encoding {
        var encoding = Encoding()
        append(Array(text.unicodeScalars), wordID: nil, to: &encoding)
        postProcessor.trim(&encoding)
        return assemble(encoding, pair: nil, addSpecialTokens: addSpecialTokens)
    }

    public func encode(words: [String], addSpecialTokens: Bool) -> Encoding {
        var encoding = Encoding()
        for (index, word) in words.enumerated() {
            append(Array(word.unicodeScalars), wordID: index, to: &encoding)
        }
        postProcessor.trim(&encoding)
        return assemble(encoding, pair: nil, addSpecialTokens: addSpecialTokens)
    }

    public func addedTokenCount(pair: Bool) -> Int { postProcessor.addedTokenCount(pair: pair) }

    public func assemble(_ first: Encoding, pair second: Encoding?, addSpecialTokens: Bool) -> Encoding {
        var segments = [first]
        if var second {
            second.typeIDs = [Int32](repeating: 1, count: second.count)
            segments.append(second)
        }
        let parts = postProcessor.join(segments, addSpecialTokens: addSpecialTokens)
        if second == nil, parts.count == 1 {  // one text: its part is the encoding
            var only = parts[0]
            only.secondSegmentStart = nil
            return only
        }
        var joined = Encoding()
        joined.reserve(parts.reduce(0) { $0 + $1.count })
        for (index, part) in parts.enumerated() {
            if index == 1 { joined.secondSegmentStart = joined.count }
            joined.append(contentsOf: part)
        }
        if second != nil && joined.secondSegmentStart == nil { joined.secondSegmentStart = joined.count }
        return joined
    }

    /// Tokenises `scalars` (offsets relative to them); word ids count the splits, or are all `wordID`.
    private func append(_ scalars: [Unicode.Scalar], wordID: Int?, to encoding: inout Encoding) {
        var words = 0
        for split in addedTokens.split(NormalizedText(scalars), normalizer: normalizer) {
            if let token = split.token {
                encoding.append(
                    token: split.text.string, id: token.id, offset: split.text.originalRange(0..<split.text.count),
                    wordID: wordID ?? words, special: false)
                words += 1
                continue
            }
            let pieces = preTokenizer?.apply([split.text]) ?? [split.text]
            for piece in pieces {
                let string = piece.string
                if string.utf8.count == piece.count {  // ASCII: byte offsets are scalar offsets
                    for token in model.tokenize(string) {
                        let lower = min(token.bytes.lowerBound, piece.count)
                        let upper = token.bytes.isEmpty ? lower : min(token.bytes.upperBound - 1, piece.count) + 1
                        encoding.append(
                            token: token.value, id: token.id, offset: piece.originalRange(lower..<upper),
                            wordID: wordID ?? words, special: false)
                    }
                    words += 1
                    continue
                }
                var scalarAtByte: [Int] = []
                scalarAtByte.reserveCapacity(string.utf8.count + 1)
                for (index, scalar) in piece.scalars.enumerated() {
                    for _ in 0..<UTF8.width(scalar) { scalarAtByte.append(index) }
                }
                scalarAtByte.append(piece.count)
                for token in model.tokenize(string) {
                    let lower = scalarAtByte[min(token.bytes.lowerBound, scalarAtByte.count - 1)]
                    let upper =
                        token.bytes.isEmpty
                        ? lower : scalarAtByte[min(token.bytes.upperBound - 1, scalarAtByte.count - 1)] + 1
                    encoding.append(
                        token: token.value, id: token.id, offset: piece.originalRange(lower..<upper),
                        wordID: wordID ?? words, special: false)
                }
                words += 1
            }
        }
    }
}
