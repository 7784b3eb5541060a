import AttendCore
import JSON

/// The one reader of a request's input for every endpoint: `text` / `tokens` / `input_ids` (`/attend`,
/// `/tokenize`) and OpenAI's `input` (`/v1/embeddings`), into a typed ``SequenceSource``.
///
/// Counts are checked while reading: the sequence cap before any element is converted, and for ids the running
/// token total (each sequence counted at most `perSequence` tokens when truncating) after every sequence, so a
/// request over a cap costs no more than its JSON parse.
struct SourceDecoder {
    var limits: RequestLimits
    /// With truncation, the most tokens one sequence can contribute (the model's positions); nil = all.
    var perSequence: Int?
    /// The model's vocabulary, for the message about a whole number too large for an id.
    var vocabularySize = Int(Int32.max)

    /// Exactly one of `text`, `tokens` or `input_ids`; `text` may hold pairs, or come with `text_pair`
    /// (``textSource(_:pair:)``).
    func read(_ fields: inout RequestFields) throws -> SequenceSource {
        let text = fields.value("text")
        let tokens = fields.value("tokens")
        let ids = fields.value("input_ids")
        let pair = fields.value("text_pair")
        if pair != nil && text == nil {
            throw CoreError.ambiguousInput(
                "\"text_pair\" pairs with \"text\": send \"text\" with it (not \"tokens\" or \"input_ids\")",
                field: "text_pair")
        }
        let given = [text, tokens, ids].compactMap { $0 }.count
        guard given == 1 else {
            throw CoreError.invalidInput(
                given == 0
                    ? "no input: give exactly one of \"text\", \"tokens\" or \"input_ids\""
                    : "give exactly one of \"text\", \"tokens\" or \"input_ids\", not several")
        }
        if let text { return try textSource(text, pair: pair) }
        if let tokens { return .words(try wordLists(tokens)) }
        return .ids(try idLists(ids ?? .null, field: "input_ids"))
    }

    /// OpenAI's `input`: a string, an array of strings, an array of ids, or an array of arrays of ids.
    func readOpenAI(_ input: JSONValue?) throws -> SequenceSource {
        let shape = "\"input\" must be a string, an array of strings, an array of token ids, or an array of arrays"
        guard let input else {
            throw RequestError.invalidRequest("\"input\" is required: a string, an array of strings, or token ids")
        }
        switch input {
        case .string(let s):
            return .texts([s])
        case .array(let items):
            guard let first = items.first else { throw RequestError.invalidRequest("\"input\" is an empty array") }
            switch first {
            case .string: return .texts(try strings(input, field: "input"))
            case .number, .array: return .ids(try idLists(input, field: "input"))
            default: throw RequestError.invalidRequest(shape)
            }
        default:
            throw RequestError.invalidRequest(shape)
        }
    }

    func strings(_ value: JSONValue, field: String) throws -> [String] {
        switch value {
        case .string(let s): return [s]
        case .array(let items):
            guard !items.isEmpty else { throw CoreError.emptySequence(index: 0, field: field) }
            try limits.check(sequences: items.count)
            return try stringElements(items, field: field)
        default:
            throw RequestError.invalidRequest(
                "\"\(field)\" must be a string or an array of strings, got \(value.typeName)")
        }
    }

    func wordLists(_ value: JSONValue) throws -> [[String]] {
        guard case .array(let items) = value, !items.isEmpty else {
            throw RequestError.invalidRequest(
                "\"tokens\" must be a non-empty array of strings or of arrays of strings")
        }
        guard case .array = items[0] else { return [try words(value)] }
        try limits.check(sequences: items.count)
        var result: [[String]] = []
        result.reserveCapacity(items.count)
        for item in items {
            guard case .array = item else {
                throw RequestError.invalidRequest("\"tokens\" must not mix strings and arrays")
            }
            result.append(try words(item))
        }
        return result
    }

    private func words(_ value: JSONValue) throws -> [String] {
        guard case .array(let items) = value, !items.isEmpty else {
            throw CoreError.emptySequence(index: 0, field: "tokens")
        }
        return try stringElements(items, field: "tokens")
    }

    /// The elements of an array, each a string (400 naming `field` otherwise).
    private func stringElements(_ items: [JSONValue], field: String) throws -> [String] {
        var result: [String] = []
        result.reserveCapacity(items.count)
        for item in items {
            guard case .string(let s) = item else {
                throw RequestError.invalidRequest("\"\(field)\" must be a string or an array of strings")
            }
            result.append(s)
        }
        return result
    }

    func idLists(_ value: JSONValue, field: String) throws -> [[Int]] {
        guard case .array(let items) = value, !items.isEmpty else {
            throw CoreError.emptySequence(index: 0, field: field)
        }
        let nested: [JSONValue]
        if case .array = items[0] { nested = items } else { nested = [value] }
        try limits.check(sequences: nested.count)
        var counter = limits.counter(truncatingAt: perSequence)
        var result: [[Int]] = []
        result.reserveCapacity(nested.count)
        for (s, sequence) in nested.enumerated() {
            guard case .array(let list) = sequence else {
                throw RequestError.invalidRequest("\"\(field)\" must not mix integers and arrays")
            }
            guard !list.isEmpty else { throw CoreError.emptySequence(index: s, field: field) }
            try counter.add(list.count)
            var ids: [Int] = []
            ids.reserveCapacity(list.count)
            for item in list {
                guard case .number(let n) = item else {
                    throw RequestError.invalidRequest("\"\(field)\" must hold integers, got \(item.typeName)")
                }
                guard let i = n.int else {
                    guard RequestFields.isWhole(n) else {
                        throw RequestError.invalidRequest("\"\(field)\" must hold integers, got \(n.text)")
                    }
                    throw CoreError.idOutOfRange(sequence: s, id: n.text, vocabularySize: vocabularySize)
                }
                ids.append(i)
            }
            result.append(ids)
        }
        return result
    }
}
