import Transformer

/// Turns a ``SequenceSource`` into a checked ``SequenceInput`` for one model: the one input reader every
/// endpoint uses (`/attend`, `/tokenize`, `/v1/embeddings`).
///
/// Work is bounded before it is done: a text far longer than the model could take is refused (or cut) before
/// tokenizing, pre-split words are tokenized only as far as the positions reach, and the request's token cap is
/// checked after every sequence, so an over-cap request stops at the first sequence that crosses it.
public struct SequenceReader: Sendable {
    /// Characters (Unicode scalars) per allowed position above which a text is refused (or, when truncating, cut)
    /// before tokenizing: no real text needs 50 characters per token.
    public static let scalarsPerPosition = 50

    public var model: ServedModel
    public var addSpecialTokens: Bool
    public var truncate: Bool
    /// Which end truncation cuts: `.right` keeps the first tokens, `.left` the last ones.
    public var direction: TruncationDirection
    public var limits: RequestLimits

    public init(
        model: ServedModel, addSpecialTokens: Bool = true, truncate: Bool = false,
        direction: TruncationDirection = .right, limits: RequestLimits
    ) {
        self.model = model
        self.addSpecialTokens = addSpecialTokens
        self.truncate = truncate
        self.direction = direction
        self.limits = limits
    }

    var maxPositions: Int { model.configuration.maxPositions }

    /// Tokenizes and checks `source`.
    public func read(_ source: SequenceSource) throws(CoreError) -> SequenceInput {
        try limits.check(sequences: source.count)
        guard source.count > 0 else {
            throw .invalidRequest("\"\(source.field)\" is an empty array", field: source.field)
        }
        var counter = limits.counter(truncatingAt: truncate ? maxPositions : nil)
        var encodings: [Encoding] = []
        encodings.reserveCapacity(source.count)
        let kind: SequenceInput.Kind
        switch source {
        case .texts(let texts):
            kind = .text
            for (i, text) in texts.enumerated() {
                let bounded = try boundedText(text, index: i)
                let encoding = model.tokenizer.encode(bounded, addSpecialTokens: addSpecialTokens)
                try counter.add(encoding.count)
                encodings.append(encoding)
            }
        case .textPairs(let items):
            kind = .text
            for (i, item) in items.enumerated() {
                let encoding: Encoding
                switch item {
                case .single(let text):
                    encoding = model.tokenizer.encode(
                        try boundedText(text, index: i), addSpecialTokens: addSpecialTokens)
                case .pair(let first, let second):
                    encoding = try encodePair(first, second, index: i)
                }
                try counter.add(encoding.count)
                encodings.append(encoding)
            }
        case .words(let lists):
            kind = .tokens
            for (i, words) in lists.enumerated() {
                let encoding = try encodeWords(words, index: i)
                try counter.add(encoding.count)
                encodings.append(encoding)
            }
        case .ids(let lists):
            kind = .inputIDs
            let vocabulary = model.configuration.vocabularySize
            for (s, list) in lists.enumerated() {
                try counter.add(list.count)
                for id in list where id < 0 || id >= vocabulary {
                    throw .idOutOfRange(sequence: s, id: String(id), vocabularySize: vocabulary)
                }
                // Ids carry no special tokens to keep at the end: truncation keeps the first positions only.
                let kept = direction == .left ? list.suffix(maxPositions) : list.prefix(maxPositions)
                let ids = (truncate ? kept : list[...]).map { Int32($0) }
                let encoding = Encoding(
                    tokens: ids.map { model.tokenizer.token(for: $0) ?? "[UNK]" }, ids: ids,
                    offsets: Array(repeating: nil, count: ids.count), wordIDs: Array(repeating: nil, count: ids.count),
                    specialTokensMask: Array(repeating: false, count: ids.count))
                encodings.append(encoding)
            }
        }
        // Caps first (as each sequence is read), then each sequence against the model.
        for i in encodings.indices {
            encodings[i] = try checked(encodings[i], index: i, field: source.field)
        }
        var input = SequenceInput(kind: kind, encodings: encodings)
        // A model without token-type embeddings (type_vocab_size 0) takes no types: they are reported, not used.
        input.passesTypeIDs = model.configuration.typeVocabularySize > 0
        try limits.check(tokens: input.totalTokens)
        return input
    }

    /// Tokenizes a text pair as Hugging Face does (``Tokenizer/encode(_:pair:addSpecialTokens:maxLength:keepingEnd:)``):
    /// each text bounded like a single text, both cut by `longest_first` to the model's positions when truncating.
    /// Each text must have a token; the model must have two token types (or none).
    func encodePair(_ first: String, _ second: String, index: Int) throws(CoreError) -> Encoding {
        let types = model.configuration.typeVocabularySize
        guard types == 0 || types >= 2 else {
            throw .unsupported(
                "text[\(index)] is a pair, but model \"\(model.name)\" has \(types) token type; a pair's second "
                    + "text needs token type 1", field: "text")
        }
        let a = try boundedText(first, index: index)
        let b = try boundedText(second, index: index)
        let encoding = model.tokenizer.encode(
            a, pair: b, addSpecialTokens: addSpecialTokens, maxLength: truncate ? maxPositions : nil,
            keepingEnd: direction == .left)
        let sequences = encoding.sequenceIDs ?? []
        for (segment, name) in [(0, "first"), (1, "second")] where !sequences.contains(segment) {
            throw .invalidRequest(
                "text[\(index)]: the \(name) text of the pair has no tokens", field: "text")
        }
        return encoding
    }

    /// Empty and length checks; truncates when asked.
    func checked(_ encoding: Encoding, index: Int, field: String) throws(CoreError) -> Encoding {
        if encoding.specialTokensMask.allSatisfy({ $0 }) {
            throw .emptySequence(index: index, field: field)
        }
        guard encoding.count > maxPositions else { return encoding }
        guard truncate else {
            throw .sequenceTooLong(
                "sequence \(index) has \(encoding.count) tokens, the model accepts at most \(maxPositions); "
                    + "shorten it or send \"truncate\": true")
        }
        return direction == .left
            ? Self.truncatedLeft(encoding, to: maxPositions) : Self.truncated(encoding, to: maxPositions)
    }

    /// Bounds the tokenizer's work on one text: over `scalarsPerPosition × maxPositions` scalars it is refused with
    /// `sequenceTooLong`, or when truncating cut to that many scalars (at the last whitespace before the cut, so no
    /// word is split); its first `maxPositions` tokens are unchanged unless that prefix holds fewer.
    public func boundedText(_ text: String, index: Int) throws(CoreError) -> String {
        let limit = Self.scalarsPerPosition * maxPositions
        let scalars = text.unicodeScalars
        guard let cut = scalars.index(scalars.startIndex, offsetBy: limit, limitedBy: scalars.endIndex),
            cut != scalars.endIndex
        else { return text }
        guard truncate else {
            throw .sequenceTooLong(
                "sequence \(index) has more than \(limit) characters, far more than the model's \(maxPositions) "
                    + "tokens; shorten it or send \"truncate\": true")
        }
        if direction == .left {
            // Keep the last `limit` scalars, starting after a whitespace so no word is split.
            let start = scalars.index(scalars.endIndex, offsetBy: -limit)
            let tail = scalars[start...]
            let begin = tail.firstIndex { $0.properties.isWhitespace }.map { scalars.index(after: $0) } ?? start
            return String(String.UnicodeScalarView(scalars[begin...]))
        }
        let prefix = scalars[..<cut]
        let end = prefix.lastIndex { $0.properties.isWhitespace } ?? cut
        return String(String.UnicodeScalarView(scalars[..<end]))
    }

    /// Tokenizes pre-split words only as far as needed: a prefix of the words at a time, doubled until the
    /// encoding passes the model's positions (then it is truncated, or refused) or every word is in.
    func encodeWords(_ words: [String], index: Int) throws(CoreError) -> Encoding {
        var prefix = min(words.count, maxPositions + 1)
        while true {
            // Left truncation keeps the last words: tokenize a growing suffix instead.
            let part = direction == .left && truncate ? words[(words.count - prefix)...] : words[..<prefix]
            let encoding = model.tokenizer.encode(words: Array(part), addSpecialTokens: addSpecialTokens)
            if prefix == words.count || encoding.count > maxPositions { return encoding }
            prefix = min(words.count, prefix * 2)
        }
    }

    /// Keeps the last `maximum` tokens; a leading added [CLS] stays first (Hugging Face's `truncation_side="left"`).
    public static func truncatedLeft(_ e: Encoding, to maximum: Int) -> Encoding {
        var keep = Array((e.count - maximum)..<e.count)
        if let first = e.specialTokensMask.first, first, maximum >= 2 {
            keep[0] = 0
        }
        return e.keeping(keep)
    }

    /// Keeps the first `maximum` tokens; a final added [SEP] stays last, as Hugging Face truncates.
    public static func truncated(_ e: Encoding, to maximum: Int) -> Encoding {
        var keep = Array(0..<maximum)
        if let last = e.specialTokensMask.last, last, maximum >= 2 {
            keep[maximum - 1] = e.count - 1
        }
        return e.keeping(keep)
    }
}
