/// A response: status, header fields and the whole body.
///
/// The `ResponseEncoder` owns framing: it writes `Content-Length`, `Transfer-Encoding` and `Connection` itself
/// and drops such fields from `headers`.
public struct Response: Sendable, Equatable {
    /// The status.
    public var status: HTTPStatus
    /// The header fields, in order.
    public var headers: HTTPHeaders
    /// The body.
    public var body: [UInt8]

    /// Creates a response.
    public init(status: HTTPStatus = .ok, headers: HTTPHeaders = [:], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}
