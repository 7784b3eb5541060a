/// A `tokenizer.json` post-processor: adds the special tokens and sets the token types of one text or a pair, as
/// the `tokenizers` post-processors of the same names do.
///
/// It runs in two steps: ``trim(_:)`` (the offset trimming of `ByteLevel` and `RobertaProcessing`), applied to each
/// text once right after tokenising it (so ``Tokenizer/encode(_:addSpecialTokens:)`` without special tokens
/// reports the offsets `tokenizers` reports), and ``join(_:addSpecialTokens:)`` for the special tokens.
indirect enum PostProcessor: Sendable, Equatable {
    /// One piece of a `TemplateProcessing` template.
    enum Piece: Sendable, Equatable {
        /// `$A` (0) or `$B` (1), with the token type of its tokens.
        case sequence(Int, typeID: Int32)
        /// A special token (its ids and strings, from `special_tokens`).
        case special(ids: [Int32], tokens: [String], typeID: Int32)
    }

    /// No post-processor: the texts as they are (token types 0 and 1).
    case none
    /// `BertProcessing`: `cls A sep` / `cls A sep B sep`, types 0 then 1.
    case bert(cls: Special, sep: Special)
    /// `RobertaProcessing`: `cls A sep` / `cls A sep sep B sep`, all types 0.
    case roberta(cls: Special, sep: Special, trimOffsets: Bool, addPrefixSpace: Bool)
    /// `ByteLevel`: only offset trimming.
    case byteLevel(trimOffsets: Bool)
    /// `TemplateProcessing`.
    case template(single: [Piece], pair: [Piece])
    /// `Sequence`: each in turn.
    case sequence([PostProcessor])

    /// A special token string and id.
    struct Special: Sendable, Equatable {
        var token: String
        var id: Int32
    }

    /// How many tokens ``join(_:addSpecialTokens:)`` adds (`added_tokens(is_pair)`).
    func addedTokenCount(pair: Bool) -> Int {
        switch self {
        case .none, .byteLevel: return 0
        case .bert: return pair ? 3 : 2
        case .roberta: return pair ? 4 : 2
        case .template(let single, let pairPieces):
            return (pair ? pairPieces : single).reduce(0) { count, piece in
                if case .special(let ids, _, _) = piece { return count + ids.count }
                return count
            }
        case .sequence(let steps): return steps.reduce(0) { $0 + $1.addedTokenCount(pair: pair) }
        }
    }

    /// `process_offsets`: a token's leading and trailing spaces (`Ġ` or whitespace) leave its offsets.
    func trim(_ encoding: inout Encoding) {
        switch self {
        case .byteLevel(let trimOffsets):
            if trimOffsets { Self.trimOffsets(&encoding, addPrefixSpace: true) }
        case .roberta(_, _, let trimOffsets, let addPrefixSpace):
            if trimOffsets { Self.trimOffsets(&encoding, addPrefixSpace: addPrefixSpace) }
        case .sequence(let steps):
            for step in steps { step.trim(&encoding) }
        case .none, .bert, .template:
            break
        }
    }

    private static func trimOffsets(_ encoding: inout Encoding, addPrefixSpace: Bool) {
        func isSpace(_ scalar: Unicode.Scalar) -> Bool { scalar == "\u{120}" || UnicodeClasses.isWhitespace(scalar) }
        for index in 0..<encoding.count {
            guard let offset = encoding.offsets[index] else { continue }
            let scalars = encoding.tokens[index].unicodeScalars
            var leading = 0
            for scalar in scalars {
                guard isSpace(scalar) else { break }
                leading += 1
            }
            var trailing = 0
            for scalar in scalars.reversed() {
                guard isSpace(scalar) else { break }
                trailing += 1
            }
            var lower = offset.lowerBound
            var upper = offset.upperBound
            if leading > 0 {
                let isFirst = index == 0 || lower == 0
                if !(isFirst && addPrefixSpace && leading == 1) { lower = min(lower + leading, upper) }
            }
            if trailing > 0 && upper >= trailing { upper = max(upper - trailing, lower) }
            encoding.offsets[index] = lower..<upper
        }
    }

    /// Joins the texts (one or two, each tokenised and trimmed, token types 0 and 1) into parts whose
    /// concatenation is the model input; the second part, if any, starts the second text (bertviz's
    /// `sentence_b_start`).
    func join(_ parts: [Encoding], addSpecialTokens: Bool) -> [Encoding] {
        switch self {
        case .none, .byteLevel:
            return parts
        case .bert(let cls, let sep):
            return parts.enumerated().map { index, part in
                let type: Int32 = index == 0 ? 0 : 1
                var out = Encoding()
                if addSpecialTokens && index == 0 { Self.append(cls, type, &out) }
                Self.append(part, type, &out)
                if addSpecialTokens { Self.append(sep, type, &out) }
                return out
            }
        case .roberta(let cls, let sep, _, _):
            return parts.enumerated().map { index, part in
                var out = Encoding()
                if addSpecialTokens { Self.append(index == 0 ? cls : sep, 0, &out) }
                Self.append(part, 0, &out)
                if addSpecialTokens { Self.append(sep, 0, &out) }
                return out
            }
        case .template(let single, let pair):
            let pieces = parts.count > 1 ? pair : single
            var result = [Encoding()]
            var afterFirst = false
            var splitDone = parts.count < 2
            for piece in pieces {
                switch piece {
                case .sequence(let which, let typeID):
                    if which == 1 && !splitDone {
                        result.append(Encoding())
                        splitDone = true
                    }
                    if which < parts.count { Self.append(parts[which], typeID, &result[result.count - 1]) }
                    afterFirst = which == 0
                case .special(let ids, let tokens, let typeID):
                    guard addSpecialTokens else { continue }
                    for (id, token) in zip(ids, tokens) {
                        result[result.count - 1].append(
                            token: token, id: id, offset: nil, wordID: nil, special: true, typeID: typeID)
                    }
                    if afterFirst && !splitDone {
                        result.append(Encoding())
                        splitDone = true
                    }
                    afterFirst = false
                }
            }
            return result
        case .sequence(let steps):
            return steps.reduce(parts) { $1.join($0, addSpecialTokens: addSpecialTokens) }
        }
    }

    private static func append(_ special: Special, _ type: Int32, _ out: inout Encoding) {
        out.append(token: special.token, id: special.id, offset: nil, wordID: nil, special: true, typeID: type)
    }

    private static func append(_ part: Encoding, _ type: Int32, _ out: inout Encoding) {
        out.append(contentsOf: part, typeID: type)
    }
}
