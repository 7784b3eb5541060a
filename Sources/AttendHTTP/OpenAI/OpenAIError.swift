import AttendCore
import HTTP1
import HTTPServer
import JSON

/// OpenAI's error envelope, `{"error":{"message","type","param","code"}}`, which every `/v1/*` answer uses
/// (handler errors, and also 401, 404, 405, 413 and 415 from outside the handlers, rewritten by
/// ``AttendApp/errorShapes``).
///
/// `type` is `invalid_request_error` for 4xx (`authentication_error` for 401) and `server_error` for 5xx;
/// `param` is the request member the error is about when known (`CoreError.field`, or the member a 400 names),
/// else null; `code` is Attend's own machine-readable code (`model_not_found`, `unsupported`, ...).
struct OpenAIError: HTTPResponseError, Sendable {
    var status: HTTPStatus
    var code: String
    var message: String
    var param: String?
    var headers: HTTPHeaders

    var type: String { Self.type(for: status.code) }

    static func type(for status: Int) -> String {
        if status == 401 { return "authentication_error" }
        return status >= 500 ? "server_error" : "invalid_request_error"
    }

    var body: [UInt8] {
        let w = JSONWriter(capacity: 96 + message.utf8.count)
        w.raw("{\"error\":{\"message\":")
        w.string(message)
        w.raw(",\"type\":")
        w.string(type)
        w.raw(",\"param\":")
        if let param { w.string(param) } else { w.null() }
        w.raw(",\"code\":")
        w.string(code)
        w.raw("}}")
        return w.bytes
    }

    /// Any error a handler throws, in OpenAI's shape (the same status and headers as Attend's own answer).
    init(_ error: any Error) {
        let response = HTTPError.response(for: error)
        var code = "internal_error"
        var message = "Internal server error."
        var param: String?
        if let e = error as? any HTTPResponseError {
            code = e.code
            message = e.message
        } else if error is CancellationError {
            code = "cancelled"
            message = "The request was cancelled."
        }
        if let e = error as? CoreError { param = e.field }
        if let e = error as? RequestError { param = e.field }
        self.init(status: response.status, code: code, message: message, param: param, headers: response.headers)
    }

    init(status: HTTPStatus, code: String, message: String, param: String?, headers: HTTPHeaders) {
        self.status = status
        self.code = code
        self.message = message
        self.param = param
        var headers = headers
        headers.remove(name: "Content-Type")
        headers.remove(name: "X-Content-Type-Options")
        self.headers = headers
    }
}

extension RequestError {
    /// The member a 400 is about: an unknown member's name, or the quoted member a type error starts with.
    var field: String? {
        switch self {
        case .unknownField(let name): return name
        case .invalidRequest(let message):
            guard message.hasPrefix("\""), let end = message.dropFirst().firstIndex(of: "\"") else { return nil }
            return String(message[message.index(after: message.startIndex)..<end])
        default: return nil
        }
    }
}
