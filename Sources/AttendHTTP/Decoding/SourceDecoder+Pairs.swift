import AttendCore
import JSON

extension SourceDecoder {
    /// `text`, with text pairs (README "Text pairs"). One rule: a sequence is a pair when it is written as a
    /// two-string array inside `text` (`"text": [["first", "second"], "a single text"]`), or when `text_pair`
    /// gives the second texts of all of them (`"text": "first", "text_pair": "second"`, or two arrays of strings of
    /// one length, as Hugging Face's `tokenizer(text, text_pair)`). `"text": ["a", "b"]` is two texts, not a pair.
    /// Shapes are 400s; a mix that says two things (pairs in `text` and a `text_pair`, a string with an array, arrays
    /// of different lengths) is a 422 `ambiguous_input`.
    func textSource(_ text: JSONValue, pair: JSONValue?) throws -> SequenceSource {
        if let pair { return try joined(text, pair) }
        guard case .array(let items) = text, items.contains(where: { if case .array = $0 { true } else { false } })
        else { return .texts(try strings(text, field: "text")) }
        try limits.check(sequences: items.count)
        var inputs: [TextInput] = []
        inputs.reserveCapacity(items.count)
        for (i, item) in items.enumerated() {
            switch item {
            case .string(let s):
                inputs.append(.single(s))
            case .array(let parts):
                guard parts.count == 2, case .string(let first) = parts[0], case .string(let second) = parts[1] else {
                    throw RequestError.invalidRequest(
                        "\"text\"[\(i)] must be a string or a pair of two strings [\"first\", \"second\"]")
                }
                inputs.append(.pair(first, second))
            default:
                throw RequestError.invalidRequest(
                    "\"text\" must hold strings or pairs of two strings, got \(item.typeName) at \(i)")
            }
        }
        return .textPairs(inputs)
    }

    /// `text` with `text_pair`: the i-th text with the i-th second text.
    private func joined(_ text: JSONValue, _ pair: JSONValue) throws -> SequenceSource {
        switch (text, pair) {
        case (.string(let first), .string(let second)):
            return .textPairs([.pair(first, second)])
        case (.array(let firsts), .array):
            if firsts.contains(where: { if case .array = $0 { true } else { false } }) {
                throw CoreError.ambiguousInput(
                    "\"text\" already holds pairs ([first, second]) and \"text_pair\" gives second texts too; "
                        + "send the pairs one way: inside \"text\", or as \"text\" and \"text_pair\" string arrays",
                    field: "text_pair")
            }
            let a = try strings(text, field: "text")
            let b = try strings(pair, field: "text_pair")
            guard a.count == b.count else {
                throw CoreError.ambiguousInput(
                    "\"text\" has \(a.count) texts and \"text_pair\" \(b.count): they pair up one to one",
                    field: "text_pair")
            }
            return .textPairs(zip(a, b).map { .pair($0, $1) })
        case (.string, .array), (.array, .string):
            throw CoreError.ambiguousInput(
                "\"text\" and \"text_pair\" must both be strings (one pair) or both arrays of strings of one length",
                field: "text_pair")
        case (.string, _), (.array, _):
            throw RequestError.invalidRequest(
                "\"text_pair\" must be a string or an array of strings, got \(pair.typeName)")
        default:
            return .texts(try strings(text, field: "text"))
        }
    }
}
