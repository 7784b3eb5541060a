import HTTP1

/// A router that can no longer change: routes indexed for lookup, middlewares composed once.
public struct FrozenRouter: Sendable {
    struct Target: Sendable {
        var pattern: String
        var handler: Handler
    }

    struct ParameterRoute: Sendable {
        var method: HTTPMethod
        var pattern: String
        var segments: [Router.Segment]
        var handler: Handler
    }

    /// Literal paths: path -> method -> composed handler.
    private let literal: [String: [HTTPMethod: Target]]
    private let parametric: [ParameterRoute]
    private let notFound: Handler
    private let middlewares: [Middleware]
    var middlewaresForFailures: [Middleware] { middlewares }

    init(routes: [Router.Route], middlewares: [Middleware]) {
        self.middlewares = middlewares
        var literal: [String: [HTTPMethod: Target]] = [:]
        var parametric: [ParameterRoute] = []
        for route in routes {
            let composed = FrozenRouter.compose(route.handler, middlewares)
            let isLiteral = route.segments.allSatisfy {
                if case .literal = $0 { return true }
                return false
            }
            if isLiteral {
                literal[route.pattern, default: [:]][route.method] = Target(pattern: route.pattern, handler: composed)
            } else {
                parametric.append(
                    ParameterRoute(
                        method: route.method, pattern: route.pattern, segments: route.segments, handler: composed))
            }
        }
        self.literal = literal
        self.parametric = parametric
        self.notFound = FrozenRouter.compose(
            { request, _ in
                throw HTTPError(.notFound, code: "not_found", message: "No route for \(request.path).")
            }, middlewares)
    }

    /// Routes and answers one request: never throws; errors become JSON error responses.
    public func respond(to request: Request, context: RequestContext) async -> Response {
        var context = context
        let handler = resolve(request, &context)
        do {
            return try await handler(request, context)
        } catch {
            return HTTPError.response(for: error)
        }
    }

    /// The composed handler for a request, with `route` and `pathParameters` set in `context`.
    func resolve(_ request: Request, _ context: inout RequestContext) -> Handler {
        let method = request.method
        let path = request.path
        if let methods = literal[path] {
            if let target = methods[method] ?? (method == .HEAD ? methods[.GET] : nil) {
                context.route = target.pattern
                return target.handler
            }
        }
        var allowed = Set(literal[path]?.keys.map { $0 } ?? [])
        if !parametric.isEmpty {
            let segments = Router.split(path)
            var fallback: (ParameterRoute, [String: String])?
            for route in parametric {
                guard let parameters = FrozenRouter.match(route.segments, segments) else { continue }
                if route.method == method {
                    context.route = route.pattern
                    context.pathParameters = parameters
                    return route.handler
                }
                if method == .HEAD, route.method == .GET, fallback == nil {
                    fallback = (route, parameters)
                }
                allowed.insert(route.method)
            }
            if let (route, parameters) = fallback {
                context.route = route.pattern
                context.pathParameters = parameters
                return route.handler
            }
        }
        guard !allowed.isEmpty else { return notFound }
        if allowed.contains(.GET) { allowed.insert(.HEAD) }
        let allow = allowed.map(\.rawValue).sorted().joined(separator: ", ")
        return FrozenRouter.compose(
            { request, _ in
                throw HTTPError(
                    .methodNotAllowed, code: "method_not_allowed",
                    message: "\(request.method.rawValue) is not allowed here; use \(allow).",
                    headers: ["Allow": allow])
            }, middlewares)
    }

    static func match(_ pattern: [Router.Segment], _ segments: [Substring]) -> [String: String]? {
        guard pattern.count == segments.count else { return nil }
        var parameters: [String: String] = [:]
        for (expected, actual) in zip(pattern, segments) {
            switch expected {
            case .literal(let literal):
                guard literal == actual else { return nil }
            case .parameter(let name):
                guard !actual.isEmpty, let decoded = PercentDecoding.decode(actual) else { return nil }
                parameters[name] = decoded
            }
        }
        return parameters
    }

    /// Wraps `handler` so that its errors become responses, then wraps it in the middlewares (first = outermost),
    /// each also guarded so that `next` never throws.
    static func compose(_ handler: @escaping Handler, _ middlewares: [Middleware]) -> Handler {
        var next: Handler = { request, context in
            do {
                return try await handler(request, context)
            } catch {
                return HTTPError.response(for: error)
            }
        }
        for middleware in middlewares.reversed() {
            let inner = next
            next = { request, context in
                do {
                    return try await middleware(request, context, inner)
                } catch {
                    return HTTPError.response(for: error)
                }
            }
        }
        return next
    }
}

extension FrozenRouter {
    /// Answers `request` with `error` through the middlewares (for failures found before routing, such as an
    /// unsupported `Content-Encoding`), so they see it like any other response.
    func respond(to request: Request, context: RequestContext, failing error: HTTPError) async -> Response {
        var context = context
        _ = resolve(request, &context)
        let handler = FrozenRouter.compose({ _, _ in throw error }, middlewaresForFailures)
        do {
            return try await handler(request, context)
        } catch {
            return HTTPError.response(for: error)
        }
    }
}
