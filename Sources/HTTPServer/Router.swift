import HTTP1

/// Maps (method, path pattern) to handlers; build it, then `freeze()` it for the server.
///
/// Patterns are absolute paths whose segments are literal or `{name}` (one whole segment, percent-decoded into
/// `RequestContext.pathParameters`). A path matched by no pattern is answered 404; a path matched only for other
/// methods is answered 405 with `Allow`. `HEAD` is served by the `GET` handler when no `HEAD` route exists (the
/// body is dropped on the wire, `Content-Length` kept). Middlewares run in the order added, outermost first.
public struct Router: Sendable {
    struct Route: Sendable {
        var method: HTTPMethod
        var pattern: String
        var segments: [Segment]
        var handler: Handler
    }

    enum Segment: Sendable, Equatable {
        case literal(Substring)
        case parameter(String)
    }

    var routes: [Route] = []
    var middlewares: [Middleware] = []

    /// An empty router.
    public init() {}

    /// Adds a route. A later route with the same method and pattern replaces the earlier one.
    public mutating func add(_ method: HTTPMethod, _ pattern: String, _ handler: @escaping Handler) {
        let segments = Router.split(pattern).map { segment -> Segment in
            if segment.count >= 2, segment.first == "{", segment.last == "}" {
                return .parameter(String(segment.dropFirst().dropLast()))
            }
            return .literal(segment)
        }
        routes.removeAll { $0.method == method && $0.segments == segments }
        routes.append(Route(method: method, pattern: pattern, segments: segments, handler: handler))
    }

    /// Adds a middleware around every request (matched or not).
    public mutating func use(_ middleware: @escaping Middleware) {
        middlewares.append(middleware)
    }

    /// The immutable router the server uses.
    public func freeze() -> FrozenRouter {
        FrozenRouter(routes: routes, middlewares: middlewares)
    }

    static func split(_ path: String) -> [Substring] {
        var trimmed = Substring(path)
        if trimmed.first == "/" { trimmed = trimmed.dropFirst() }
        return trimmed.split(separator: "/", omittingEmptySubsequences: false)
    }
}
