/// A tokenizer for seeded models that have no vocabulary file: one id per word, by a documented hash.
///
/// Words come from the same ``BasicTokenizer`` as ``WordPieceTokenizer`` (text cleaning, CJK splitting,
/// lower-casing with accent stripping, whitespace and punctuation splitting), so offsets and word ids mean the same
/// thing. Ids 0–4 are reserved for `[PAD]`, `[UNK]`, `[CLS]`, `[SEP]`, `[MASK]` (those strings typed in the text map
/// to them); every other word `w` (after normalisation) gets
///
///     id = 5 + FNV-1a-64(UTF-8 bytes of w) mod (vocabularySize − 5)
///
/// with FNV-1a-64 offset basis 0xcbf29ce484222325 and prime 0x100000001b3. Distinct words may collide; the mapping
/// is the same on every run and machine. With `vocabularySize ≤ 5` every word is `[UNK]` (1); sizes above
/// `Int32.max` hash into `5..<Int32.max`.
public struct HashingTokenizer: Tokenizer {
    /// The reserved tokens, at ids 0–4.
    public static let specialTokens = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]

    /// Ids produced are `0..<vocabularySize`.
    public let vocabularySize: Int
    private let basic: BasicTokenizer

    /// A tokenizer for an encoder with `vocabularySize` ids.
    public init(vocabularySize: Int) {
        self.vocabularySize = vocabularySize
        basic = BasicTokenizer(
            cleanText: true, tokenizeChineseChars: true, lowercase: true, stripAccents: nil,
            specialTokens: Self.specialTokens)
    }

    /// FNV-1a, 64 bits, over `bytes`.
    public static func fnv1a64<Bytes: Sequence>(_ bytes: Bytes) -> UInt64 where Bytes.Element == UInt8 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return hash
    }

    /// The id of an already-normalised word.
    /// The id of one of the reserved special tokens (`[PAD]` … `[MASK]`); a word has no single entry.
    public func id(for token: String) -> Int32? { Self.specialTokens.firstIndex(of: token).map { Int32($0) } }

    public func id(forWord word: String) -> Int32 {
        if let special = Self.specialTokens.firstIndex(of: word) { return Int32(special) }
        guard vocabularySize > 5 else { return 1 }
        let span = UInt64(min(vocabularySize, Int(Int32.max)) - 5)
        return Int32(5 + Self.fnv1a64(word.utf8) % span)
    }

    /// `[PAD]` … `[MASK]` for ids 0–4; `nil` otherwise (hashing cannot be inverted).
    public func token(for id: Int32) -> String? {
        Self.specialTokens.indices.contains(Int(id)) ? Self.specialTokens[Int(id)] : nil
    }

    /// One token per word of `text`; offsets in Unicode scalars of `text`.
    public func encode(_ text: String, addSpecialTokens: Bool = true) -> Encoding {
        var encoding = Encoding()
        if addSpecialTokens { appendSpecial(2, to: &encoding) }
        for (index, word) in basic.words(Array(text.unicodeScalars)).enumerated() {
            append(word, wordID: index, to: &encoding)
        }
        if addSpecialTokens { appendSpecial(3, to: &encoding) }
        return encoding
    }

    /// Each pre-split word tokenised on its own; offsets relative to the word.
    public func encode(words: [String], addSpecialTokens: Bool = true) -> Encoding {
        var encoding = Encoding()
        if addSpecialTokens { appendSpecial(2, to: &encoding) }
        for (index, text) in words.enumerated() {
            for word in basic.words(Array(text.unicodeScalars)) {
                append(word, wordID: index, to: &encoding)
            }
        }
        if addSpecialTokens { appendSpecial(3, to: &encoding) }
        return encoding
    }

    /// BERT's: 2 (`[CLS]` … `[SEP]`), 3 for a pair.
    public func addedTokenCount(pair: Bool) -> Int { pair ? 3 : 2 }

    /// `[CLS] a [SEP]` or `[CLS] a [SEP] b [SEP]`, token types 0 then 1 (``Encoding/bertJoined``).
    public func assemble(_ first: Encoding, pair second: Encoding?, addSpecialTokens: Bool) -> Encoding {
        Encoding.bertJoined(
            first, second, addSpecialTokens: addSpecialTokens, classToken: (Self.specialTokens[2], 2),
            separatorToken: (Self.specialTokens[3], 3))
    }

    private func appendSpecial(_ id: Int32, to encoding: inout Encoding) {
        encoding.append(token: Self.specialTokens[Int(id)], id: id, offset: nil, wordID: nil, special: true)
    }

    private func append(_ word: BasicTokenizer.Word, wordID: Int, to encoding: inout Encoding) {
        var view = String.UnicodeScalarView()
        view.append(contentsOf: word.scalars)
        let text = String(view)
        let lower = word.origins.min() ?? 0
        let upper = (word.origins.max() ?? -1) + 1
        let id = word.special ? Int32(Self.specialTokens.firstIndex(of: text) ?? 1) : id(forWord: text)
        encoding.append(token: text, id: id, offset: lower..<upper, wordID: wordID, special: false)
    }
}
