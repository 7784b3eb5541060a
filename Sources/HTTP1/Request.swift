/// A complete request: head and the whole decoded body.
public struct Request: Sendable, Equatable {
    /// The request line and headers.
    public var head: RequestHead
    /// The decoded body (de-chunked); empty when there is none.
    public var body: [UInt8]
    /// Trailer fields of a chunked body (empty otherwise).
    public var trailers: HTTPHeaders

    /// Creates a request.
    public init(head: RequestHead, body: [UInt8] = [], trailers: HTTPHeaders = [:]) {
        self.head = head
        self.body = body
        self.trailers = trailers
    }

    /// The request method.
    public var method: HTTPMethod { head.method }
    /// The path (not percent-decoded).
    public var path: String { head.path }
    /// The query (not percent-decoded), or nil.
    public var query: String? { head.query }
    /// The header fields.
    public var headers: HTTPHeaders { head.headers }
}
