/// The `WordPiece` model of a `tokenizer.json`: greedy longest-match-first pieces, continuation pieces with
/// `continuing_subword_prefix`; a word longer than `max_input_chars_per_word` scalars, or one the pieces cannot
/// cover, is one `unk_token`.
///
/// The longest piece at each position is found by walking a byte trie: a piece is a vocabulary entry, so the
/// longest entry that is a prefix of the rest of the word is the one the `tokenizers` search (longest candidate
/// first) stops at.
struct WordPieceModel: SubwordModel {
    private let vocabulary: [String]
    private let ids: [[UInt8]: Int32]
    private let unknown: (id: Int32, token: String)
    private let maxCharacters: Int
    /// Every entry, for a word's first piece.
    private let firstPieces: ByteTrie
    /// The entries that start with `continuing_subword_prefix`, without it, for the pieces after the first.
    private let nextPieces: ByteTrie

    /// The model from its `"model"` object; `file` names it in errors.
    init(json: [String: Any], file: String) throws(TransformerError) {
        guard let vocab = VocabularyEntries.members(json["vocab"]), !vocab.isEmpty else {
            throw .invalidVocabulary(file: file, detail: "WordPiece model has no vocab object")
        }
        var byID = [String?](repeating: nil, count: vocab.count)
        var ids: [[UInt8]: Int32] = [:]
        let prefix = Array((json["continuing_subword_prefix"] as? String ?? "##").utf8)
        var firstPieces = ByteTrie(), nextPieces = ByteTrie()
        for (token, value) in vocab {
            guard let id = CheckpointFiles.integer(value), id >= 0, id < vocab.count, byID[id] == nil else {
                throw .invalidVocabulary(file: file, detail: "WordPiece token '\(token)' has a bad or repeated id")
            }
            byID[id] = token
            let bytes = Array(token.utf8)
            ids[bytes] = Int32(id)
            firstPieces.insert(bytes, id: Int32(id))
            if bytes.starts(with: prefix) { nextPieces.insert(bytes.dropFirst(prefix.count), id: Int32(id)) }
        }
        let unknownToken = json["unk_token"] as? String ?? "[UNK]"
        guard let unknownID = ids[Array(unknownToken.utf8)] else {
            throw .invalidVocabulary(file: file, detail: "WordPiece unk_token '\(unknownToken)' is not in the vocab")
        }
        vocabulary = byID.map { $0 ?? "" }
        self.ids = ids
        unknown = (unknownID, unknownToken)
        maxCharacters = CheckpointFiles.integer(json["max_input_chars_per_word"]) ?? 100
        self.firstPieces = firstPieces
        self.nextPieces = nextPieces
    }

    var vocabularySize: Int { vocabulary.count }

    func id(of token: String) -> Int32? { ids[Array(token.utf8)] }

    func token(of id: Int32) -> String? { vocabulary.indices.contains(Int(id)) ? vocabulary[Int(id)] : nil }

    func tokenize(_ word: String) -> [SubwordToken] {
        let tooLong = word.utf8.count > maxCharacters && word.unicodeScalars.count > maxCharacters
        var word = word
        return word.withUTF8 { bytes in
            guard !bytes.isEmpty else { return [] }
            let whole = [SubwordToken(id: unknown.id, value: unknown.token, bytes: 0..<bytes.count)]
            guard !tooLong else { return whole }
            var tokens: [SubwordToken] = []
            var start = 0
            while start < bytes.count {
                var longest: (end: Int, id: Int32)?
                (start == 0 ? firstPieces : nextPieces).forEachPrefix(of: bytes, from: start) { longest = ($0, $1) }
                guard let (end, id) = longest else { return whole }
                tokens.append(SubwordToken(id: id, value: vocabulary[Int(id)], bytes: start..<end))
                start = end
            }
            return tokens
        }
    }
}
