/// WordPiece tokenisation identical to Hugging Face's `BertTokenizer` (ids) and its fast tokenizer (offsets,
/// word ids): ``BasicTokenizer``'s cleaning, optional lower-casing and accent stripping, whitespace, punctuation and
/// CJK splitting, then greedy longest-match-first pieces with the `##` continuation prefix. A word longer than
/// `maxInputCharactersPerWord` scalars, or one that cannot be covered by pieces, becomes a single `[UNK]`.
///
/// The vocabulary is matched on exact Unicode scalars (not Swift's canonical-equivalence `String` equality).
public struct WordPieceTokenizer: Tokenizer {
    /// Normalisation and WordPiece settings (Hugging Face names in parentheses).
    public struct Options: Sendable, Equatable {
        /// Lower-case the text (`do_lower_case` / normalizer `lowercase`).
        public var lowercase: Bool
        /// Strip accents; `nil` follows `lowercase` (`strip_accents`).
        public var stripAccents: Bool?
        /// Surround CJK ideographs with spaces (`tokenize_chinese_chars` / `handle_chinese_chars`).
        public var tokenizeChineseCharacters: Bool
        /// Drop control characters and normalise whitespace (`clean_text`).
        public var cleanText: Bool
        /// Longer words become `[UNK]` (`max_input_chars_per_word`).
        public var maxInputCharactersPerWord: Int
        /// Prefix of word-continuation pieces (`continuing_subword_prefix`).
        public var continuingSubwordPrefix: String
        /// `unk_token`.
        public var unknownToken: String
        /// `cls_token`, prepended with special tokens.
        public var classToken: String
        /// `sep_token`, appended with special tokens.
        public var separatorToken: String
        /// `pad_token` (recognised verbatim in text).
        public var padToken: String
        /// `mask_token` (recognised verbatim in text).
        public var maskToken: String

        /// BERT-uncased defaults.
        public init(
            lowercase: Bool = true, stripAccents: Bool? = nil, tokenizeChineseCharacters: Bool = true,
            cleanText: Bool = true, maxInputCharactersPerWord: Int = 100, continuingSubwordPrefix: String = "##",
            unknownToken: String = "[UNK]", classToken: String = "[CLS]", separatorToken: String = "[SEP]",
            padToken: String = "[PAD]", maskToken: String = "[MASK]"
        ) {
            self.lowercase = lowercase
            self.stripAccents = stripAccents
            self.tokenizeChineseCharacters = tokenizeChineseCharacters
            self.cleanText = cleanText
            self.maxInputCharactersPerWord = maxInputCharactersPerWord
            self.continuingSubwordPrefix = continuingSubwordPrefix
            self.unknownToken = unknownToken
            self.classToken = classToken
            self.separatorToken = separatorToken
            self.padToken = padToken
            self.maskToken = maskToken
        }
    }

    /// The settings in use.
    public let options: Options
    private let tokens: [String]
    private let ids: [[UInt8]: Int32]
    private let prefix: [UInt8]
    private let longestPiece: Int
    private let unknownID: Int32
    private let classID: Int32
    private let separatorID: Int32
    private let basic: BasicTokenizer

    /// A tokenizer over `vocabulary` (id = position; a repeated string keeps its last id, as HF's `load_vocab`).
    /// `source` names the vocabulary in errors. Throws `.invalidVocabulary` when it is empty or lacks the
    /// unknown, class or separator token.
    public init(
        vocabulary: [String], options: Options = Options(), source: String = "vocabulary"
    ) throws(TransformerError) {
        guard !vocabulary.isEmpty else { throw .invalidVocabulary(file: source, detail: "no tokens") }
        guard vocabulary.count <= Int(Int32.max) else {
            throw .invalidVocabulary(file: source, detail: "more than \(Int32.max) tokens")
        }
        var ids: [[UInt8]: Int32] = [:]
        ids.reserveCapacity(vocabulary.count)
        var longest = 1
        for (index, token) in vocabulary.enumerated() {
            ids[Array(token.utf8)] = Int32(index)
            longest = max(longest, token.unicodeScalars.count)
        }
        func required(_ token: String, _ role: String) throws(TransformerError) -> Int32 {
            guard let id = ids[Array(token.utf8)] else {
                throw .invalidVocabulary(file: source, detail: "\(role) token '\(token)' is not in the vocabulary")
            }
            return id
        }
        unknownID = try required(options.unknownToken, "unknown")
        classID = try required(options.classToken, "class")
        separatorID = try required(options.separatorToken, "separator")
        self.options = options
        self.tokens = vocabulary
        self.ids = ids
        self.prefix = Array(options.continuingSubwordPrefix.utf8)
        self.longestPiece = longest
        let specials = [
            options.padToken, options.unknownToken, options.classToken, options.separatorToken, options.maskToken,
        ]
        basic = BasicTokenizer(
            cleanText: options.cleanText, tokenizeChineseChars: options.tokenizeChineseCharacters,
            lowercase: options.lowercase, stripAccents: options.stripAccents,
            specialTokens: specials.filter { ids[Array($0.utf8)] != nil })
    }

    /// Number of vocabulary lines.
    public var vocabularySize: Int { tokens.count }

    /// The id of `token`, if it is in the vocabulary.
    public func id(for token: String) -> Int32? { ids[Array(token.utf8)] }

    /// The configured mask token (``Options/maskToken``) when the vocabulary holds it.
    public var maskToken: (token: String, id: Int32)? { id(for: options.maskToken).map { (options.maskToken, $0) } }

    /// The vocabulary string of `id`.
    public func token(for id: Int32) -> String? {
        tokens.indices.contains(Int(id)) ? tokens[Int(id)] : nil
    }

    /// Tokenises `text`; offsets are in Unicode scalars of `text`.
    public func encode(_ text: String, addSpecialTokens: Bool = true) -> Encoding {
        var encoding = Encoding()
        if addSpecialTokens { appendSpecial(classID, to: &encoding) }
        for (index, word) in basic.words(Array(text.unicodeScalars)).enumerated() {
            appendPieces(of: word, wordID: index, to: &encoding)
        }
        if addSpecialTokens { appendSpecial(separatorID, to: &encoding) }
        return encoding
    }

    /// Tokenises each word on its own; offsets are relative to the token's word.
    public func encode(words: [String], addSpecialTokens: Bool = true) -> Encoding {
        var encoding = Encoding()
        if addSpecialTokens { appendSpecial(classID, to: &encoding) }
        for (index, text) in words.enumerated() {
            for word in basic.words(Array(text.unicodeScalars)) {
                appendPieces(of: word, wordID: index, to: &encoding)
            }
        }
        if addSpecialTokens { appendSpecial(separatorID, to: &encoding) }
        return encoding
    }

    /// BERT's: 2 (`[CLS]` … `[SEP]`), 3 for a pair.
    public func addedTokenCount(pair: Bool) -> Int { pair ? 3 : 2 }

    /// `[CLS] a [SEP]` or `[CLS] a [SEP] b [SEP]`, token types 0 then 1 (``Encoding/bertJoined``).
    public func assemble(_ first: Encoding, pair second: Encoding?, addSpecialTokens: Bool) -> Encoding {
        Encoding.bertJoined(
            first, second, addSpecialTokens: addSpecialTokens, classToken: (tokens[Int(classID)], classID),
            separatorToken: (tokens[Int(separatorID)], separatorID))
    }

    private func appendSpecial(_ id: Int32, to encoding: inout Encoding) {
        encoding.append(token: tokens[Int(id)], id: id, offset: nil, wordID: nil, special: true)
    }

    /// Original-text range covered by normalised scalars `range` of `word`.
    private static func span(_ word: BasicTokenizer.Word, _ range: Range<Int>) -> Range<Int> {
        let origins = word.origins[range]
        let lower = origins.min() ?? 0
        let upper = (origins.max() ?? -1) + 1
        return lower..<upper
    }

    private func appendPieces(of word: BasicTokenizer.Word, wordID: Int, to encoding: inout Encoding) {
        let count = word.scalars.count
        guard count > 0 else { return }
        let whole = Self.span(word, 0..<count)
        var bytes: [UInt8] = []
        var boundaries = [0]
        boundaries.reserveCapacity(count + 1)
        for scalar in word.scalars {
            UTF8.encode(scalar) { bytes.append($0) }
            boundaries.append(bytes.count)
        }
        if word.special, let id = ids[bytes] {
            encoding.append(token: tokens[Int(id)], id: id, offset: whole, wordID: wordID, special: false)
            return
        }
        guard count <= options.maxInputCharactersPerWord else {
            encoding.append(token: options.unknownToken, id: unknownID, offset: whole, wordID: wordID, special: false)
            return
        }
        guard
            let pieces = Self.longestMatchFirst(
                bytes, boundaries: boundaries, prefix: prefix, longestPiece: longestPiece, ids: ids)
        else {
            encoding.append(token: options.unknownToken, id: unknownID, offset: whole, wordID: wordID, special: false)
            return
        }
        for piece in pieces {
            encoding.append(
                token: tokens[Int(piece.id)], id: piece.id, offset: Self.span(word, piece.range), wordID: wordID,
                special: false)
        }
    }
}

extension WordPieceTokenizer {
    /// WordPiece's greedy longest-match-first split of one word: `bytes` is its UTF-8, `boundaries` [count + 1] the
    /// byte offset of each scalar (and the end). From each start the longest vocabulary entry (at most
    /// `longestPiece` scalars; `prefix` before every piece but the first) is taken. Returns the pieces' ids and scalar
    /// ranges, or nil when some position matches nothing (the whole word is then the unknown token).
    static func longestMatchFirst(
        _ bytes: [UInt8], boundaries: [Int], prefix: [UInt8], longestPiece: Int, ids: [[UInt8]: Int32]
    ) -> [(id: Int32, range: Range<Int>)]? {
        let count = boundaries.count - 1
        var pieces: [(id: Int32, range: Range<Int>)] = []
        var start = 0
        var key: [UInt8] = []
        while start < count {
            var end = min(count, start + longestPiece)
            var found: Int32?
            while end > start {
                key.removeAll(keepingCapacity: true)
                if start > 0 { key.append(contentsOf: prefix) }
                key.append(contentsOf: bytes[boundaries[start]..<boundaries[end]])
                if let id = ids[key] {
                    found = id
                    break
                }
                end -= 1
            }
            guard let id = found else { return nil }
            pieces.append((id, start..<end))
            start = end
        }
        return pieces
    }
}
