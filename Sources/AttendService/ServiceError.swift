import HTTP1
import JSON

/// A client-visible failure: HTTP status, a stable machine-readable code and a human message; rendered as
/// `{"error":{"code":"...","message":"..."}}` (with `Retry-After` when set).
public struct ServiceError: Error, Sendable, Equatable, CustomStringConvertible {
    public var status: HTTPStatus
    public var code: String
    public var message: String
    /// Seconds for `Retry-After` (503s).
    public var retryAfter: Int?

    public init(_ status: HTTPStatus, code: String, message: String, retryAfter: Int? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.retryAfter = retryAfter
    }

    public var description: String { "\(status.code) \(code): \(message)" }

    static func badRequest(_ message: String, code: String = "invalid_request") -> ServiceError {
        ServiceError(.badRequest, code: code, message: message)
    }

    static func unprocessable(_ message: String, code: String = "unprocessable") -> ServiceError {
        ServiceError(.unprocessableContent, code: code, message: message)
    }

    /// The JSON response for this error.
    public var response: Response {
        let w = JSONWriter(capacity: 128 + message.utf8.count)
        w.raw("{\"error\":{\"code\":")
        w.string(code)
        w.raw(",\"message\":")
        w.string(message)
        w.raw("}}")
        var headers: HTTPHeaders = ["content-type": "application/json"]
        if let retryAfter { headers.add(name: "retry-after", value: String(retryAfter)) }
        return Response(status: status, headers: headers, body: w.bytes)
    }
}
