/// Turns text into token ids for an encoder.
///
/// A text pair is tokenised as Hugging Face's tokenizers do it: each text on its own without special tokens,
/// the two truncated together (``Encoding/longestFirst(_:_:maxLength:)``), then joined by the tokenizer's own
/// post-processor (``assemble(_:pair:addSpecialTokens:)``), which decides the special tokens and token types.
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
    /// How many special tokens ``assemble(_:pair:addSpecialTokens:)`` adds to one sequence (`pair: false`) or to a
    /// pair (Hugging Face's `num_special_tokens_to_add(pair)`; BERT: 2 and 3).
    func addedTokenCount(pair: Bool) -> Int
    /// Joins a segment, or two, each tokenised without special tokens, into one model input: the special tokens
    /// (when `addSpecialTokens`), the token types and ``Encoding/secondSegmentStart``.
    func assemble(_ first: Encoding, pair second: Encoding?, addSpecialTokens: Bool) -> Encoding
    /// The id of one vocabulary entry spelled `token` (special tokens included), or `nil` when it is not one entry.
    func id(for token: String) -> Int32?
    /// The mask token masked-language models were trained with (`[MASK]`, `<mask>`) and its id, or `nil`.
    var maskToken: (token: String, id: Int32)? { get }
    /// The ids that play `role` in this tokenizer's model inputs (`[CLS]`/`<s>`, `[SEP]`/`</s>`), empty when none
    /// does (GPT-2's byte-level tokenizer adds no special tokens). See `Tokenizer+SpecialTokens.swift`.
    func specialTokenIDs(_ role: SpecialTokenRole) -> [Int32]

    /// Ids back to text (`decode(ids, skip_special_tokens=...)` of Hugging Face's tokenizers).
    func decode(ids: [Int32], skipSpecialTokens: Bool) -> String
}

extension Tokenizer {
    /// No entry is known by its spelling unless the tokenizer says so.
    public func id(for token: String) -> Int32? { nil }

    /// The first of `[MASK]` and `<mask>` that is one vocabulary entry.
    public var maskToken: (token: String, id: Int32)? {
        for token in ["[MASK]", "<mask>"] {
            if let id = id(for: token) { return (token, id) }
        }
        return nil
    }

    /// Tokenises `text` with `[CLS]` … `[SEP]`.
    public func encode(_ text: String) -> Encoding { encode(text, addSpecialTokens: true) }

    /// Tokenises a text pair: `[CLS] first [SEP] second [SEP]` for BERT, token types 0 then 1. With `maxLength`
    /// (special tokens included) the two texts are cut by `longest_first` as Hugging Face does, from their ends, or
    /// with `keepingEnd` from their starts (`truncation_side="left"`).
    public func encode(
        _ first: String, pair second: String, addSpecialTokens: Bool = true, maxLength: Int? = nil,
        keepingEnd: Bool = false
    ) -> Encoding {
        var a = encode(first, addSpecialTokens: false)
        var b = encode(second, addSpecialTokens: false)
        if let maxLength {
            let budget = maxLength - (addSpecialTokens ? addedTokenCount(pair: true) : 0)
            let lengths = Encoding.longestFirst(a.count, b.count, maxLength: budget)
            a = a.truncated(to: lengths.first, keepingEnd: keepingEnd)
            b = b.truncated(to: lengths.second, keepingEnd: keepingEnd)
        }
        return assemble(a, pair: b, addSpecialTokens: addSpecialTokens)
    }
}
