/// The `WordPiece` model of a `tokenizer.json`: greedy longest-match-first pieces, continuation pieces with
/// `continuing_subword_prefix`; a word longer than `max_input_chars_per_word` scalars, or one the pieces cannot
/// cover, is one `unk_token`.
struct WordPieceModel: SubwordModel {
    private let vocabulary: [String]
    private let ids: [[UInt8]: Int32]
    private let prefix: [UInt8]
    private let unknown: (id: Int32, token: String)
    private let maxCharacters: Int
    private let longestPiece: Int

    /// The model from its `"model"` object; `file` names it in errors.
    init(json: [String: Any], file: String) throws(TransformerError) {
        guard let vocab = VocabularyEntries.members(json["vocab"]), !vocab.isEmpty else {
            throw .invalidVocabulary(file: file, detail: "WordPiece model has no vocab object")
        }
        var byID = [String?](repeating: nil, count: vocab.count)
        var ids: [[UInt8]: Int32] = [:]
        var longest = 1
        for (token, value) in vocab {
            guard let id = CheckpointFiles.integer(value), id >= 0, id < vocab.count, byID[id] == nil else {
                throw .invalidVocabulary(file: file, detail: "WordPiece token '\(token)' has a bad or repeated id")
            }
            byID[id] = token
            ids[Array(token.utf8)] = Int32(id)
            longest = max(longest, token.unicodeScalars.count)
        }
        let unknownToken = json["unk_token"] as? String ?? "[UNK]"
        guard let unknownID = ids[Array(unknownToken.utf8)] else {
            throw .invalidVocabulary(file: file, detail: "WordPiece unk_token '\(unknownToken)' is not in the vocab")
        }
        vocabulary = byID.map { $0 ?? "" }
        self.ids = ids
        prefix = Array((json["continuing_subword_prefix"] as? String ?? "##").utf8)
        unknown = (unknownID, unknownToken)
        maxCharacters = CheckpointFiles.integer(json["max_input_chars_per_word"]) ?? 100
        longestPiece = longest
    }

    var vocabularySize: Int { vocabulary.count }

    func id(of token: String) -> Int32? { ids[Array(token.utf8)] }

    func token(of id: Int32) -> String? { vocabulary.indices.contains(Int(id)) ? vocabulary[Int(id)] : nil }

    func tokenize(_ word: String) -> [SubwordToken] {
        let bytes = Array(word.utf8)
        var boundaries = [0]
        for scalar in word.unicodeScalars { boundaries.append(boundaries[boundaries.count - 1] + UTF8.width(scalar)) }
        let count = boundaries.count - 1
        guard count > 0 else { return [] }
        guard count <= maxCharacters else {
            return [SubwordToken(id: unknown.id, value: unknown.token, bytes: 0..<bytes.count)]
        }
        guard
            let pieces = WordPieceTokenizer.longestMatchFirst(
                bytes, boundaries: boundaries, prefix: prefix, longestPiece: longestPiece, ids: ids)
        else {
            return [SubwordToken(id: unknown.id, value: unknown.token, bytes: 0..<bytes.count)]
        }
        return pieces.map {
            SubwordToken(
                id: $0.id, value: vocabulary[Int($0.id)],
                bytes: boundaries[$0.range.lowerBound]..<boundaries[$0.range.upperBound])
        }
    }
}
