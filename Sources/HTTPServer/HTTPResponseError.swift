import HTTP1
import JSON

/// An error that knows its HTTP answer. The router renders every thrown error through this protocol, once: a
/// layer above the server makes its own error enum conform (in one place) instead of translating it to
/// ``HTTPError`` at every call site. Anything that does not conform becomes a 500 `internal_error` (its text is
/// never sent), and `CancellationError` a 503 `cancelled`.
public protocol HTTPResponseError: Error {
    /// The response status.
    var status: HTTPStatus { get }
    /// A stable machine-readable code (snake_case by convention).
    var code: String { get }
    /// A human-readable message for the client.
    var message: String { get }
    /// Extra response header fields (such as `Allow` or `Retry-After`).
    var headers: HTTPHeaders { get }
    /// The JSON body; by default the envelope `{"error":{"code":"...","message":"..."}}`.
    var body: [UInt8] { get }
}

extension HTTPResponseError {
    public var headers: HTTPHeaders { [:] }

    public var body: [UInt8] { JSONString.errorBody(code: code, message: message) }

    /// The complete response: status, `headers`, `Content-Type: application/json`, `nosniff`, `body`.
    public var response: Response {
        var headers = self.headers
        headers.replaceOrAdd(name: "Content-Type", value: "application/json")
        headers.replaceOrAdd(name: "X-Content-Type-Options", value: "nosniff")
        return Response(status: status, headers: headers, body: body)
    }
}
