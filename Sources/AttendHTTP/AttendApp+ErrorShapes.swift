import AttendCore
import HTTP1
import HTTPServer
import JSON

extension AttendApp {
    /// The request fact marking a request answered by a TEI handler (so `/tokenize` errors take TEI's shape only
    /// for TEI-shaped bodies).
    static let teiFact = "tei"

    /// The request fact marking a body in Attend's own form on a TEI path (`POST /similarity` with `a`/`b`): its
    /// errors keep Attend's shape.
    static let attendFormFact = "attend_form"

    /// Paths that belong to TEI alone (`POST /` too: `GET /` is the page, which never errs).
    static let teiPaths: Set<String> = ["/embed", "/embed_all", "/decode", "/info", "/health", "/similarity", "/"]

    /// Which error shape a request's answer takes.
    enum ErrorShape { case attend, openAI, tei }

    static func errorShape(path: String, method: HTTPMethod, facts: RequestFacts) -> ErrorShape {
        if path == "/v1" || path.hasPrefix("/v1/") { return .openAI }
        if facts.count(teiFact) > 0 { return .tei }
        if facts.count(attendFormFact) > 0 { return .attend }
        if teiPaths.contains(path), path != "/" || method != .GET { return .tei }
        return .attend
    }

    /// Rewrites Attend's error envelope `{"error":{"code","message"}}` into OpenAI's on `/v1/*` and into TEI's on
    /// TEI routes, for the answers no handler shaped itself: 401 (authentication), 404, 405, 413 and 415 found
    /// before the handler. Bodies already in the route's shape pass unchanged.
    var errorShapes: Middleware {
        { request, context, next in
            let response = try await next(request, context)
            guard response.status.code >= 400 else { return response }
            let shape = Self.errorShape(path: request.path, method: request.method, facts: context.facts)
            guard shape != .attend,
                let parsed = try? JSONParser().parse(response.body),
                case .object = parsed["error"] ?? .null,
                parsed["error"]?["type"] == nil
            else { return response }
            let code = parsed["error"]?["code"]?.stringValue ?? "error"
            let message = parsed["error"]?["message"]?.stringValue ?? ""
            let error: any HTTPResponseError =
                shape == .openAI
                ? OpenAIError(
                    status: response.status, code: code, message: message, param: nil, headers: response.headers)
                : TEIError(status: response.status, code: code, message: message, headers: response.headers)
            return error.response
        }
    }

    /// `handler` with every error it throws in OpenAI's shape (with `param` when known).
    static func openAI(_ handler: @escaping Handler) -> Handler {
        { request, context in
            do {
                return try await handler(request, context)
            } catch {
                throw OpenAIError(error)
            }
        }
    }

    /// `handler` with every error it throws in TEI's shape and statuses.
    static func tei(_ handler: @escaping Handler) -> Handler {
        { request, context in
            context.facts.add(teiFact, 1)
            do {
                return try await handler(request, context)
            } catch {
                throw TEIError(error)
            }
        }
    }
}
