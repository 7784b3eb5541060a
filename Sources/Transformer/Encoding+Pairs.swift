extension Encoding {
    /// For a text pair, which text each token came from, as Hugging Face's `sequence_ids()`: 0 for the first, 1 for
    /// the second, `nil` for the added special tokens; `nil` for one text.
    public var sequenceIDs: [Int?]? {
        guard let start = secondSegmentStart else { return nil }
        return specialTokensMask.enumerated().map { index, special in special ? nil : (index < start ? 0 : 1) }
    }

    /// Whether this is a text pair.
    public var isPair: Bool { secondSegmentStart != nil }

    /// The tokens at `indices` (in that order), with all their per-token facts; a pair's second-text start moves
    /// to the first kept index at or after it (or the end).
    public func keeping(_ indices: [Int]) -> Encoding {
        let start = secondSegmentStart.map { old in indices.firstIndex { $0 >= old } ?? indices.count }
        return Encoding(
            tokens: indices.map { tokens[$0] }, ids: indices.map { ids[$0] }, offsets: indices.map { offsets[$0] },
            wordIDs: indices.map { wordIDs[$0] }, specialTokensMask: indices.map { specialTokensMask[$0] },
            typeIDs: indices.map { typeIDs[$0] }, secondSegmentStart: start)
    }

    /// The first `count` tokens, or with `keepingEnd` the last `count` (nothing else is kept: for a segment without
    /// special tokens).
    public func truncated(to count: Int, keepingEnd: Bool) -> Encoding {
        guard count < self.count else { return self }
        let kept = max(0, count)
        return keeping(Array(keepingEnd ? (self.count - kept)..<self.count : 0..<kept))
    }

    /// The lengths Hugging Face's `longest_first` truncation (the `tokenizers` library, which `transformers`'
    /// tokenizers run) gives two segments of `first` and `second` tokens so that they fit `maxLength` together: the
    /// longer is cut down towards the shorter first; when both must be cut, each gets half, the second the odd
    /// token (`first` is also "the shorter" on a tie). Lengths that already fit are returned as they are.
    public static func longestFirst(_ first: Int, _ second: Int, maxLength: Int) -> (first: Int, second: Int) {
        let maxLength = max(0, maxLength)
        guard first + second > maxLength else { return (first, second) }
        let swap = first > second
        var n1 = swap ? second : first
        var n2: Int
        if n1 > maxLength {
            n2 = n1
        } else {
            n2 = max(n1, maxLength - n1)
        }
        if n1 + n2 > maxLength {
            n1 = maxLength / 2
            n2 = n1 + maxLength % 2
        }
        return swap ? (n2, n1) : (n1, n2)
    }

    /// Joins two segments, each tokenised without special tokens, BERT's way (Hugging Face's `BertProcessing` /
    /// the `TemplateProcessing` of BERT tokenizers): `[CLS] a [SEP]` for one, `[CLS] a [SEP] b [SEP]` for a pair,
    /// token type 0 up to and including the first `[SEP]` and 1 after it; without special tokens `a` or `a b`, types
    /// 0 then 1 (as the fast tokenizer does). Offsets and word ids stay relative to each segment's own text.
    /// - Parameters:
    ///   - classToken: the `[CLS]` string and id; `separatorToken` the `[SEP]`'s.
    public static func bertJoined(
        _ first: Encoding, _ second: Encoding?, addSpecialTokens: Bool, classToken: (String, Int32),
        separatorToken: (String, Int32)
    ) -> Encoding {
        var joined = Encoding()
        let total = first.count + (second?.count ?? 0) + (addSpecialTokens ? (second == nil ? 2 : 3) : 0)
        joined.reserve(total)
        func special(_ token: (String, Int32), type: Int32) {
            joined.append(token: token.0, id: token.1, offset: nil, wordID: nil, special: true, typeID: type)
        }
        func segment(_ e: Encoding, type: Int32) {
            for i in 0..<e.count {
                joined.append(
                    token: e.tokens[i], id: e.ids[i], offset: e.offsets[i], wordID: e.wordIDs[i],
                    special: e.specialTokensMask[i], typeID: type)
            }
        }
        if addSpecialTokens { special(classToken, type: 0) }
        segment(first, type: 0)
        if addSpecialTokens { special(separatorToken, type: 0) }
        if let second {
            joined.secondSegmentStart = joined.count
            segment(second, type: 1)
            if addSpecialTokens { special(separatorToken, type: 1) }
        }
        return joined
    }

    mutating func reserve(_ count: Int) {
        tokens.reserveCapacity(count)
        ids.reserveCapacity(count)
        offsets.reserveCapacity(count)
        wordIDs.reserveCapacity(count)
        specialTokensMask.reserveCapacity(count)
        typeIDs.reserveCapacity(count)
    }
}
