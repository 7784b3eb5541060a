import Transformer

/// Everything the service core refuses, with what the client needs to fix it. The HTTP layer maps each case to a
/// status in one place (`CoreError+HTTP.swift` in AttendHTTP); nothing here knows of HTTP.
public enum CoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Which request member an error is about, when one is (`"text"`, `"layers"`, `"input"`).
    public typealias Field = String

    // The request's shape.
    /// A value of the right JSON type that the request cannot use (no input, two inputs, an empty array...).
    case invalidRequest(String, field: Field?)
    /// No input member, or more than one (`text`, `tokens`, `input_ids`).
    case invalidInput(String)
    /// A sequence with no tokens besides the special ones.
    case emptySequence(index: Int, field: Field?)
    /// Well-typed input members that do not say one thing: text pairs given both inside `text` and as `text_pair`,
    /// a `text_pair` without `text` or of another length.
    case ambiguousInput(String, field: Field?)

    // The model.
    /// No configured model has this name.
    case modelNotFound(name: String, available: [String])
    /// The model is configured but still loading.
    case modelLoading(name: String)
    /// The model failed to load (the error names the file or tensor).
    case modelFailed(name: String, reason: String)

    // What the model cannot take.
    /// A sequence longer than the model's positions (without truncation), or a text far too long to tokenize.
    case sequenceTooLong(String)
    /// A token id outside the vocabulary.
    case idOutOfRange(sequence: Int, id: String, vocabularySize: Int)
    /// A layer or head index out of range; `kind` is `"layer"` or `"head"`.
    case selectionOutOfRange(kind: String, index: Int, count: Int)
    /// An option the model does not allow (e.g. `dimensions` on a model without Matryoshka training).
    case unsupported(String, field: Field?)
    /// `"predictions"` on a model without a masked-language-model head.
    case noMaskedLMHead(model: String)

    // Budgets.
    /// More tokens or sequences than one request may hold (`compute.max_request_*`).
    case requestTooLarge(String)
    /// The estimated response (or the memory the request needs) can never fit: the message says how to shrink it.
    case responseTooLarge(String)
    /// The memory budget or the compute queue is full right now; retry after `retryAfter` seconds.
    case overloaded(String, retryAfter: Int)
    /// The service is stopping.
    case shuttingDown

    /// The encoder refused the input (should not happen after validation; kept as the model's own words).
    case transformer(TransformerError)

    public var description: String {
        switch self {
        case .invalidRequest(let message, _), .invalidInput(let message), .ambiguousInput(let message, _),
            .sequenceTooLong(let message),
            .requestTooLarge(let message),
            .responseTooLarge(let message), .overloaded(let message, _), .unsupported(let message, _):
            return message
        case .emptySequence(let index, _):
            return "sequence \(index) is empty (no tokens besides the added special tokens)"
        case .modelNotFound(let name, let available):
            return "no model named \"\(name)\"; GET /models lists \(available.joined(separator: ", "))"
        case .modelLoading(let name):
            return "model \"\(name)\" is still loading"
        case .modelFailed(let name, let reason):
            return "model \"\(name)\" failed to load: \(reason)"
        case .idOutOfRange(let sequence, let id, let vocabularySize):
            return "input_ids[\(sequence)] holds \(id), outside the vocabulary 0..<\(vocabularySize)"
        case .selectionOutOfRange(let kind, let index, let count):
            return "\(kind) \(index) is out of range: the model has \(count) \(kind)s "
                + "(0...\(count - 1), or -\(count)...-1)"
        case .shuttingDown:
            return "the server is stopping"
        case .noMaskedLMHead(let model):
            return "model \"\(model)\" has no masked-language-model head (a BertForMaskedLM checkpoint's "
                + "cls.predictions.* tensors), so it cannot serve \"predictions\""
        case .transformer(let error):
            return error.description
        }
    }

    /// A stable machine-readable code for the case.
    public var code: String {
        switch self {
        case .invalidRequest: return "invalid_request"
        case .invalidInput: return "invalid_input"
        case .emptySequence: return "empty_sequence"
        case .ambiguousInput: return "ambiguous_input"
        case .modelNotFound: return "model_not_found"
        case .modelLoading: return "model_loading"
        case .modelFailed: return "model_failed"
        case .sequenceTooLong: return "sequence_too_long"
        case .idOutOfRange: return "id_out_of_range"
        case .selectionOutOfRange(let kind, _, _): return "\(kind)_out_of_range"
        case .unsupported: return "unsupported"
        case .noMaskedLMHead: return "no_mlm_head"
        case .requestTooLarge: return "request_too_large"
        case .responseTooLarge: return "response_too_large"
        case .overloaded: return "overloaded"
        case .shuttingDown: return "shutting_down"
        case .transformer: return "unprocessable"
        }
    }

    /// The request member the error is about, when known.
    public var field: Field? {
        switch self {
        case .invalidRequest(_, let field), .emptySequence(_, let field), .unsupported(_, let field),
            .ambiguousInput(_, let field):
            return field
        case .selectionOutOfRange(let kind, _, _): return kind + "s"
        case .idOutOfRange: return "input_ids"
        case .noMaskedLMHead: return "predictions"
        default: return nil
        }
    }
}
