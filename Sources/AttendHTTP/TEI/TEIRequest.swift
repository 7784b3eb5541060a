import AttendCore
import JSON

/// The members TEI's embedding routes share, read from a body (`/embed`, `/embed_all`, `POST /`) or from
/// `/similarity`'s `parameters`: `truncate` (bool or null, default false), `truncation_direction` (`Right` |
/// `Left`, any case), `prompt_name` (null only: Attend's models have no sentence-transformers prompts).
struct TEIOptions {
    var truncate = false
    var direction = TruncationDirection.right

    static func read(_ fields: inout RequestFields) throws -> TEIOptions {
        var options = TEIOptions()
        options.truncate = try fields.bool("truncate", default: false)
        if let direction = try fields.string("truncation_direction") {
            switch direction.lowercased() {
            case "right": options.direction = .right
            case "left": options.direction = .left
            default:
                throw RequestError.invalidRequest(
                    "\"truncation_direction\" must be \"Right\" or \"Left\", got \"\(direction)\"")
            }
        }
        if let prompt = try fields.string("prompt_name") {
            throw CoreError.unsupported(
                "\"prompt_name\" \"\(prompt)\" is not available: this model has no sentence-transformers prompts",
                field: "prompt_name")
        }
        return options
    }
}

extension SourceDecoder {
    /// TEI's `inputs`: a string, an array of strings, an array of token ids or an array of arrays of ids.
    func readTEI(_ value: JSONValue?) throws -> SequenceSource {
        guard let value else {
            throw RequestError.invalidRequest("\"inputs\" is required: a string or an array of strings")
        }
        switch value {
        case .string(let s): return .texts([s])
        case .array(let items):
            guard let first = items.first else { throw CoreError.emptySequence(index: 0, field: "inputs") }
            if case .string = first { return .texts(try strings(value, field: "inputs")) }
            return .ids(try idLists(value, field: "inputs"))
        default:
            throw RequestError.invalidRequest(
                "\"inputs\" must be a string or an array of strings, got \(value.typeName)")
        }
    }
}
