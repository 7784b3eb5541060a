/// One subword of a word: its id, its vocabulary string and its UTF-8 byte range within the word.
public struct SubwordToken: Sendable, Equatable {
    /// The token id.
    public var id: Int32
    /// The token's string: its vocabulary entry (for an unknown Unigram piece, the piece's own text).
    public var value: String
    /// The UTF-8 byte range of the token within the word it came from.
    public var bytes: Range<Int>

    /// A token `id` named `value` covering `bytes` of its word.
    public init(id: Int32, value: String, bytes: Range<Int>) {
        self.id = id
        self.value = value
        self.bytes = bytes
    }
}

/// A subword model of a `tokenizer.json` (its `"model"` object): splits one pre-tokenized word into tokens.
public protocol SubwordModel: Sendable {
    /// Tokenizes one pre-tokenized piece (already normalized / byte-mapped) as the `tokenizers` model does.
    func tokenize(_ word: String) -> [SubwordToken]
    /// The id of a vocabulary string, or `nil` when it is not in the vocabulary.
    func id(of token: String) -> Int32?
    /// The vocabulary string of an id, or `nil` when no token has it.
    func token(of id: Int32) -> String?
    /// The number of vocabulary entries (`get_vocab_size` of `tokenizers`).
    var vocabularySize: Int { get }
}
