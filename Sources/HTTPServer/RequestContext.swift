import HTTP1
import Logging

/// What a handler knows about a request besides the request itself.
public struct RequestContext: Sendable {
    /// Values of the `{name}` segments of the matched route, percent-decoded.
    public var pathParameters: [String: String]
    /// The matched route pattern (such as `/models/{name}`), or `""` when no route matched (404, 405).
    public var route: String
    /// The client's address, `host:port`.
    public var remoteAddress: String
    /// The server's logger (as given to `Server.init`).
    public var logger: Logger
    /// What the handler recorded while answering (read by middlewares after `next`); one per request.
    public var facts: RequestFacts

    /// Creates a context.
    public init(
        pathParameters: [String: String] = [:], route: String = "", remoteAddress: String, logger: Logger,
        facts: RequestFacts = RequestFacts()
    ) {
        self.pathParameters = pathParameters
        self.route = route
        self.remoteAddress = remoteAddress
        self.logger = logger
        self.facts = facts
    }
}

/// Answers a request.
public typealias Handler = @Sendable (Request, RequestContext) async throws -> Response

/// Wraps every request, including those answered 404 or 405. `next` never throws: errors are already turned into
/// JSON error responses, so a middleware sees the final status.
public typealias Middleware = @Sendable (Request, RequestContext, _ next: Handler) async throws -> Response
