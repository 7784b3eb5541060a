import HTTP1

/// An error a handler throws to answer with a status and a JSON body `{"error":{"code":"...","message":"..."}}`.
/// Errors of other layers conform to ``HTTPResponseError`` themselves; this is the server's own.
public struct HTTPError: HTTPResponseError, Sendable, CustomStringConvertible {
    /// The response status.
    public var status: HTTPStatus
    /// A stable machine-readable code (snake_case by convention).
    public var code: String
    /// A human-readable message.
    public var message: String
    /// Extra response header fields (such as `Allow` or `Retry-After`).
    public var headers: HTTPHeaders

    /// Creates an error response description.
    public init(_ status: HTTPStatus, code: String, message: String, headers: HTTPHeaders = [:]) {
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers
    }

    public var description: String { "\(status.code) \(code): \(message)" }

    /// The response for any error: an ``HTTPResponseError`` as itself, `CancellationError` as a 503 `cancelled`,
    /// anything else as a 500 `internal_error` (the error's text is not sent to the client). The only place
    /// thrown errors become responses.
    public static func response(for error: any Error) -> Response {
        if let error = error as? any HTTPResponseError {
            return error.response
        }
        if error is CancellationError {
            return HTTPError(.serviceUnavailable, code: "cancelled", message: "The request was cancelled.").response
        }
        return HTTPError(.internalServerError, code: "internal_error", message: "Internal server error.").response
    }
}
