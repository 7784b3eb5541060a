import AttendCore
import HTTP1
import HTTPServer

/// The one place core errors become HTTP answers (rendered by the router as `{"error":{"code","message"}}`).
extension CoreError: HTTPResponseError {
    public var status: HTTPStatus {
        switch self {
        case .invalidRequest, .invalidInput, .emptySequence: return .badRequest
        case .modelNotFound: return .notFound
        case .modelLoading, .modelFailed, .overloaded, .shuttingDown: return .serviceUnavailable
        case .sequenceTooLong, .idOutOfRange, .selectionOutOfRange, .unsupported, .responseTooLarge, .transformer,
            .ambiguousInput, .noMaskedLMHead:
            return .unprocessableContent
        case .requestTooLarge: return .contentTooLarge
        }
    }

    public var message: String { description }

    public var headers: HTTPHeaders {
        switch self {
        case .overloaded(_, let seconds): return ["Retry-After": String(seconds)]
        case .modelLoading: return ["Retry-After": "1"]
        default: return [:]
        }
    }
}
