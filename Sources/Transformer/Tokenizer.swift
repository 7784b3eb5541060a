/// Turns text into token ids for an encoder.
public protocol Tokenizer: Sendable {
    /// Number of ids this tokenizer can produce (ids are `0..<vocabularySize`).
    var vocabularySize: Int { get }
    /// Tokenises `text`; with `addSpecialTokens`, wraps the result in `[CLS]` … `[SEP]`.
    func encode(_ text: String, addSpecialTokens: Bool) -> Encoding
    /// Tokenises pre-split words (like Hugging Face's `is_split_into_words`): each word is tokenised on its own and
    /// its tokens carry its index in `wordIDs`.
    func encode(words: [String], addSpecialTokens: Bool) -> Encoding
    /// The vocabulary string of `id`, or `nil` when the tokenizer cannot name it.
    func token(for id: Int32) -> String?
}

extension Tokenizer {
    /// Tokenises `text` with `[CLS]` … `[SEP]`.
    public func encode(_ text: String) -> Encoding { encode(text, addSpecialTokens: true) }
}
