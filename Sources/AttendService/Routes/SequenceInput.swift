import JSON
import Transformer

/// The sequences of a request, from exactly one of `text`, `tokens` or `input_ids` (each a single sequence or a
/// batch), tokenized and checked against the model.
struct SequenceInput {
    enum Kind { case text, tokens, inputIDs }

    var kind: Kind
    var encodings: [Encoding]

    var totalTokens: Int { encodings.reduce(0) { $0 + $1.count } }

    /// Reads the input member (`inputKeys` lists the accepted names in message order) and tokenizes it.
    static func read(
        _ fields: inout RequestFields, model: ServedModel, addSpecialTokens: Bool, truncate: Bool,
        limits: RequestLimits = RequestLimits()
    ) throws(ServiceError) -> SequenceInput {
        let text = fields.value("text")
        let tokens = fields.value("tokens")
        let ids = fields.value("input_ids")
        let given = [text, tokens, ids].compactMap { $0 }.count
        guard given == 1 else {
            throw .badRequest(
                given == 0
                    ? "no input: give exactly one of \"text\", \"tokens\" or \"input_ids\""
                    : "give exactly one of \"text\", \"tokens\" or \"input_ids\", not several", code: "invalid_input")
        }
        var input: SequenceInput
        if let text {
            var texts = try strings(text, field: "text")
            try limits.check(sequences: texts.count)
            let maxPositions = model.configuration.maxPositions
            var bounded: [String] = []
            for (i, text) in texts.enumerated() {
                bounded.append(try boundedText(text, index: i, maxPositions: maxPositions, truncate: truncate))
            }
            texts = bounded
            input = SequenceInput(
                kind: .text,
                encodings: try encodeCapped(
                    texts, limits: limits, maximum: truncate ? model.configuration.maxPositions : nil
                ) {
                    model.tokenizer.encode($0, addSpecialTokens: addSpecialTokens)
                })
        } else if let tokens {
            let batches = try wordLists(tokens)
            try limits.check(sequences: batches.count)
            input = SequenceInput(
                kind: .tokens,
                encodings: try encodeCapped(
                    batches, limits: limits, maximum: truncate ? model.configuration.maxPositions : nil
                ) {
                    model.tokenizer.encode(words: $0, addSpecialTokens: addSpecialTokens)
                })
        } else if let ids {
            let lists = try idLists(ids, vocabularySize: model.configuration.vocabularySize)
            try limits.check(sequences: lists.count)
            if !truncate { try limits.check(tokens: lists.reduce(0) { $0 + $1.count }) }
            input = SequenceInput(
                kind: .inputIDs,
                encodings: lists.map { list in
                    Encoding(
                        tokens: list.map { model.tokenizer.token(for: $0) ?? "[UNK]" }, ids: list,
                        offsets: Array(repeating: nil, count: list.count),
                        wordIDs: Array(repeating: nil, count: list.count),
                        specialTokensMask: Array(repeating: false, count: list.count))
                })
        } else {
            throw .badRequest("no input")
        }
        let maximum = model.configuration.maxPositions
        for (i, encoding) in input.encodings.enumerated() {
            if encoding.specialTokensMask.allSatisfy({ $0 }) {
                throw .badRequest(
                    "sequence \(i) is empty (no tokens besides the added special tokens)", code: "empty_sequence")
            }
            if encoding.count > maximum {
                guard truncate else {
                    throw .unprocessable(
                        "sequence \(i) has \(encoding.count) tokens, the model accepts at most \(maximum); "
                            + "shorten it or send \"truncate\": true",
                        code: "sequence_too_long")
                }
                input.encodings[i] = truncated(encoding, to: maximum)
            }
        }
        try limits.check(tokens: input.totalTokens)
        return input
    }

    /// Characters (Unicode scalars) per allowed position above which a text is refused (or, when truncating, cut)
    /// before tokenizing: no real text needs 50 characters per token.
    static let scalarsPerPosition = 50

    /// Bounds the tokenizer's work on one text: over `scalarsPerPosition × maxPositions` scalars it is refused with
    /// 422 `sequence_too_long`, or when `truncate` is set cut to that many scalars (at the last whitespace before
    /// the cut, so no word is split); its first `maxPositions` tokens are unchanged unless that prefix holds fewer.
    static func boundedText(
        _ text: String, index: Int, maxPositions: Int, truncate: Bool
    ) throws(ServiceError) -> String {
        let limit = scalarsPerPosition * maxPositions
        let scalars = text.unicodeScalars
        guard let cut = scalars.index(scalars.startIndex, offsetBy: limit, limitedBy: scalars.endIndex),
            cut != scalars.endIndex
        else { return text }
        guard truncate else {
            throw .unprocessable(
                "sequence \(index) has more than \(limit) characters, far more than the model's \(maxPositions) "
                    + "tokens; shorten it or send \"truncate\": true",
                code: "sequence_too_long")
        }
        let prefix = scalars[..<cut]
        let end = prefix.lastIndex { $0.properties.isWhitespace } ?? cut
        return String(String.UnicodeScalarView(scalars[..<end]))
    }

    /// Tokenizes `items` one by one, stopping with 413 as soon as the running total (counting each sequence at
    /// most `maximum` tokens when truncating) passes the per-request cap.
    static func encodeCapped<T>(
        _ items: [T], limits: RequestLimits, maximum: Int?, _ encode: (T) -> Encoding
    ) throws(ServiceError) -> [Encoding] {
        var total = 0
        var result: [Encoding] = []
        result.reserveCapacity(items.count)
        for item in items {
            let encoding = encode(item)
            total += maximum.map { min($0, encoding.count) } ?? encoding.count
            try limits.check(tokens: total)
            result.append(encoding)
        }
        return result
    }

    /// Keeps the first `maximum` tokens; a final added [SEP] stays last, as Hugging Face truncates.
    static func truncated(_ e: Encoding, to maximum: Int) -> Encoding {
        var keep = Array(0..<maximum)
        if let last = e.specialTokensMask.last, last, maximum >= 2 {
            keep[maximum - 1] = e.count - 1
        }
        return Encoding(
            tokens: keep.map { e.tokens[$0] }, ids: keep.map { e.ids[$0] }, offsets: keep.map { e.offsets[$0] },
            wordIDs: keep.map { e.wordIDs[$0] }, specialTokensMask: keep.map { e.specialTokensMask[$0] })
    }

    static func strings(_ value: JSONValue, field: String) throws(ServiceError) -> [String] {
        switch value {
        case .string(let s): return [s]
        case .array(let items):
            guard !items.isEmpty else { throw .badRequest("\"\(field)\" is an empty array", code: "empty_sequence") }
            var result: [String] = []
            for item in items {
                guard case .string(let s) = item else {
                    throw .badRequest("\"\(field)\" must be a string or an array of strings")
                }
                result.append(s)
            }
            return result
        default:
            throw .badRequest("\"\(field)\" must be a string or an array of strings, got \(value.typeName)")
        }
    }

    static func wordLists(_ value: JSONValue) throws(ServiceError) -> [[String]] {
        guard case .array(let items) = value, !items.isEmpty else {
            throw .badRequest("\"tokens\" must be a non-empty array of strings or of arrays of strings")
        }
        if case .array = items[0] {
            var result: [[String]] = []
            for item in items {
                guard case .array = item else {
                    throw .badRequest("\"tokens\" must not mix strings and arrays")
                }
                let words = try strings(item, field: "tokens")
                result.append(words)
            }
            return result
        }
        return [try strings(value, field: "tokens")]
    }

    static func idLists(_ value: JSONValue, vocabularySize: Int) throws(ServiceError) -> [[Int32]] {
        guard case .array(let items) = value, !items.isEmpty else {
            throw .badRequest(
                "\"input_ids\" must be a non-empty array of integers or of arrays of integers", code: "empty_sequence")
        }
        let nested: [JSONValue]
        if case .array = items[0] { nested = items } else { nested = [value] }
        var result: [[Int32]] = []
        for (s, sequence) in nested.enumerated() {
            guard case .array(let list) = sequence else {
                throw .badRequest("\"input_ids\" must not mix integers and arrays")
            }
            var ids: [Int32] = []
            ids.reserveCapacity(list.count)
            for item in list {
                guard case .number(let n) = item, let i = n.int else {
                    if case .number(let n) = item, RequestFields.isWhole(n) {
                        throw .unprocessable(
                            "input_ids[\(s)] holds \(n.text), outside the vocabulary 0..<\(vocabularySize)",
                            code: "id_out_of_range")
                    }
                    throw .badRequest("\"input_ids\" must hold integers, got \(item.typeName)")
                }
                guard i >= 0 && i < vocabularySize else {
                    throw .unprocessable(
                        "input_ids[\(s)] holds \(i), outside the vocabulary 0..<\(vocabularySize)",
                        code: "id_out_of_range")
                }
                ids.append(Int32(i))
            }
            result.append(ids)
        }
        return result
    }
}
