/// The result of tokenising one text (or one list of pre-split words): tokens, ids and where each came from.
///
/// All arrays have one entry per token. With special tokens, `[CLS]` is first and `[SEP]` last. A text pair is one
/// encoding too (``Tokenizer/encode(_:pair:addSpecialTokens:maxLength:keepingEnd:)``): its offsets and word ids
/// are relative to the token's own text, and ``sequenceIDs`` says which text that is.
public struct Encoding: Sendable, Equatable {
    /// Token strings as they appear in the vocabulary (`##` continuation pieces included).
    public var tokens: [String]
    /// Token ids.
    public var ids: [Int32]
    /// Each token's half-open range in Unicode scalars of the input (Python `str` indexes); `nil` for the added
    /// `[CLS]`/`[SEP]`. In words mode the range is relative to the token's own word (as Hugging Face's fast
    /// tokenizers report it with `is_split_into_words`).
    public var offsets: [Range<Int>?]
    /// Index of the word each token belongs to: the given word in words mode, otherwise the whitespace/punctuation
    /// word of the text; `nil` for the added special tokens.
    public var wordIDs: [Int?]
    /// `true` for the added `[CLS]`/`[SEP]` (special-token strings typed in the text itself count as text).
    public var specialTokensMask: [Bool]
    /// Token-type (segment) ids, as Hugging Face's `token_type_ids`: all 0 for one text; for a pair as the
    /// tokenizer's post-processor assigns them (BERT: 0 up to and including the first `[SEP]`, 1 after).
    public var typeIDs: [Int32]
    /// For a text pair, the index of the second text's first position (bertviz's `sentence_b_start`: with BERT's
    /// special tokens, the token after the first `[SEP]`); `nil` for one text.
    public var secondSegmentStart: Int?

    /// An encoding from its parallel arrays.
    /// `typeIDs` nil means all 0.
    public init(
        tokens: [String], ids: [Int32], offsets: [Range<Int>?], wordIDs: [Int?], specialTokensMask: [Bool],
        typeIDs: [Int32]? = nil, secondSegmentStart: Int? = nil
    ) {
        self.tokens = tokens
        self.ids = ids
        self.offsets = offsets
        self.wordIDs = wordIDs
        self.specialTokensMask = specialTokensMask
        self.typeIDs = typeIDs ?? [Int32](repeating: 0, count: ids.count)
        self.secondSegmentStart = secondSegmentStart
    }

    /// An empty encoding.
    public init() {
        self.init(tokens: [], ids: [], offsets: [], wordIDs: [], specialTokensMask: [])
    }

    /// Number of tokens.
    public var count: Int { ids.count }

    /// Appends all of `other`'s tokens, their token types `typeID` (or `other`'s own when `nil`).
    mutating func append(contentsOf other: Encoding, typeID: Int32? = nil) {
        tokens.append(contentsOf: other.tokens)
        ids.append(contentsOf: other.ids)
        offsets.append(contentsOf: other.offsets)
        wordIDs.append(contentsOf: other.wordIDs)
        specialTokensMask.append(contentsOf: other.specialTokensMask)
        if let typeID {
            typeIDs.append(contentsOf: repeatElement(typeID, count: other.count))
        } else {
            typeIDs.append(contentsOf: other.typeIDs)
        }
    }

    mutating func append(
        token: String, id: Int32, offset: Range<Int>?, wordID: Int?, special: Bool, typeID: Int32 = 0
    ) {
        tokens.append(token)
        ids.append(id)
        offsets.append(offset)
        wordIDs.append(wordID)
        specialTokensMask.append(special)
        typeIDs.append(typeID)
    }
}
