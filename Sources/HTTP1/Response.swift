/// A response: status, header fields and the whole body, or a body produced piece by piece (`stream`).
///
/// The `ResponseEncoder` owns framing: it writes `Content-Length`, `Transfer-Encoding` and `Connection` itself
/// and drops such fields from `headers`.
public struct Response: Sendable, Equatable {
    /// The status.
    public var status: HTTPStatus
    /// The header fields, in order.
    public var headers: HTTPHeaders
    /// The body (ignored when `stream` is set).
    public var body: [UInt8]
    /// A body produced after the head is sent, in chunks (HTTP/1.1 `Transfer-Encoding: chunked`, close-delimited
    /// for HTTP/1.0), or nil for `body`.
    public var stream: ResponseStream?

    /// Creates a response.
    public init(status: HTTPStatus = .ok, headers: HTTPHeaders = [:], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
        self.stream = nil
    }

    /// Creates a response whose body `stream` produces.
    public init(status: HTTPStatus = .ok, headers: HTTPHeaders = [:], stream: ResponseStream) {
        self.status = status
        self.headers = headers
        self.body = []
        self.stream = stream
    }

    /// The whole body: `body`, or everything `stream` produces (run here, without back-pressure).
    public func collectedBody() async throws -> [UInt8] {
        guard let stream else { return body }
        return try await stream.collect()
    }
}
