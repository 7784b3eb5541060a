/// The request line and header section of a request.
public struct RequestHead: Sendable, Equatable {
    /// The request method.
    public var method: HTTPMethod
    /// The request-target exactly as received (origin-form, absolute-form or `*`).
    public var target: String
    /// The path: the target up to `?` (for absolute-form, the path after the authority, `/` when empty;
    /// for asterisk-form, `*`). Not percent-decoded.
    public var path: String
    /// The query after `?` without the `?`, or nil when the target has none. Not percent-decoded.
    public var query: String?
    /// The protocol version of the request.
    public var version: HTTPVersion
    /// The header fields, in order, duplicates kept.
    public var headers: HTTPHeaders

    /// Creates a head; `path` and `query` are derived from `target`.
    public init(method: HTTPMethod, target: String, version: HTTPVersion = .http1_1, headers: HTTPHeaders = [:]) {
        self.method = method
        self.target = target
        self.version = version
        self.headers = headers
        let parts = RequestTarget.split(target)
        self.path = parts.path
        self.query = parts.query
    }

    /// Creates a head with explicit parts.
    public init(
        method: HTTPMethod, target: String, path: String, query: String?, version: HTTPVersion,
        headers: HTTPHeaders
    ) {
        self.method = method
        self.target = target
        self.path = path
        self.query = query
        self.version = version
        self.headers = headers
    }

    /// Whether the connection stays open after this request (RFC 9112 §9.3): not when `Connection` lists
    /// `close`; otherwise yes for HTTP/1.1 and later; for HTTP/1.0 only when `Connection` lists `keep-alive`.
    public var keepAlive: Bool {
        if headers.containsToken("close", in: "connection") {
            return false
        }
        if version >= .http1_1 {
            return true
        }
        return headers.containsToken("keep-alive", in: "connection")
    }

    /// Whether the client waits for `100 Continue` before sending the body (RFC 9110 §10.1.1):
    /// `Expect: 100-continue` on an HTTP/1.1 request (ignored for HTTP/1.0).
    public var expectsContinue: Bool {
        guard version >= .http1_1, let expect = headers["expect"] else { return false }
        return ASCII.equalsIgnoringCase(expect.utf8, "100-continue".utf8)
    }
}
