import AttendCore
import Foundation
import HTTP1
import HTTPServer
import Logging

extension AttendApp {
    /// The request fact (``RequestFacts``) holding the tokens a request computed (logged and counted).
    static let tokensFact = "tokens"

    /// Every request's way in and out, in one pass (one middleware instead of three nested ones): the API key
    /// check (``authenticate(_:_:apiKeys:)``), the handler, the error envelope of the route's API for an answer
    /// of 400 or more (``errorShapes``), then the timing headers, the metrics and one log line, for every request,
    /// including 404/405 and errors. Labels come from closed sets: the route patterns (`unmatched` otherwise) and
    /// the standard methods (`other` otherwise).
    ///
    /// Routes that never compute (``untimedRoutes``) skip the task-local ``RequestTiming``; with a
    /// ``LineLogHandler`` the line is formatted straight from the fields (the same line the `Logger` writes).
    var frontDoor: Middleware {
        let errorShapes = self.errorShapes
        let routeLabels = Self.routeLabels
        return { [metrics, apiKeys] request, context, next in
            let start = ContinuousClock.now
            let labels = routeLabels[context.route] ?? Self.unlistedRoute
            var response: Response
            let totals: RequestTiming.Totals?
            if labels.untimed {
                response = await Self.authenticated(request, context, apiKeys: apiKeys, next)
                totals = nil
            } else {
                let timing = RequestTiming()
                response = await RequestTiming.$current.withValue(timing) {
                    await Self.authenticated(request, context, apiKeys: apiKeys, next)
                }
                totals = timing.values
            }
            if response.status.code >= 400 {
                let answer = response
                do {
                    response = try await errorShapes(request, context) { _, _ in answer }
                } catch {
                    response = HTTPError.response(for: error)
                }
            }
            let elapsed = ContinuousClock.now - start
            Self.addTimingHeaders(totals, total: elapsed, to: &response, context: context, metrics: metrics)
            metrics.recordRequest(
                routeSlot: labels.metricsSlot, methodSlot: Metrics.methodSlot(request.method.rawValue),
                status: response.status.code, seconds: elapsed.seconds, bytes: response.body.count)
            Self.logRequest(request, response, elapsed: elapsed, context: context)
            return response
        }
    }

    /// What the front door needs to know about a matched route, looked up once per request.
    struct RouteLabels: Sendable {
        /// The route never computes (``untimedRoutes``): no ``RequestTiming``.
        var untimed: Bool
        /// The `route` label of the metrics: the pattern, or `unmatched` outside ``routePatterns``.
        var metricsRoute: String
        /// The metrics slot of `metricsRoute` (its index in ``metricsRoutes``).
        var metricsSlot: Int
    }

    /// The metrics `route` labels with an integer slot (``Metrics/init(shards:routes:)``): every pattern and
    /// `unmatched`, in a fixed order.
    static let metricsRoutes: [String] = routePatterns.sorted() + ["unmatched"]

    /// ``RouteLabels`` of every route in ``untimedRoutes`` or ``routePatterns``.
    static let routeLabels: [String: RouteLabels] = Dictionary(
        uniqueKeysWithValues: untimedRoutes.union(routePatterns).map { route in
            (
                route,
                RouteLabels(
                    untimed: untimedRoutes.contains(route),
                    metricsRoute: routePatterns.contains(route) ? route : "unmatched",
                    metricsSlot: metricsRoutes.firstIndex(of: routePatterns.contains(route) ? route : "unmatched")
                        ?? metricsRoutes.count - 1)
            )
        })

    /// The labels of a route in neither set.
    static let unlistedRoute = RouteLabels(
        untimed: false, metricsRoute: "unmatched", metricsSlot: metricsRoutes.count - 1)

    /// `next`'s answer once the request passed ``authenticate(_:_:apiKeys:)``, else the 401; never throws (`next`
    /// does not either).
    static func authenticated(
        _ request: Request, _ context: RequestContext, apiKeys: [[UInt8]], _ next: Handler
    ) async -> Response {
        do {
            try authenticate(request, context, apiKeys: apiKeys)
            return try await next(request, context)
        } catch {
            return HTTPError.response(for: error)
        }
    }

    /// Routes whose handlers never reach the engine (no queue, tokenization or inference to time), and `""`
    /// (no route matched: 404, 405).
    static let untimedRoutes: Set<String> = Set(["", "/healthz", "/readyz", "/health", "/metrics", "/openapi.json"])
        .union(PageRoutes.paths)

    /// The request's log line: `request` at info with bytes, method, ms, path, status and tokens. With a
    /// ``LineLogHandler`` (without metadata of its own) the values go to the log writer, which formats the line on
    /// its own thread (``RequestLine``: the same line the `Logger` writes, built off the request's path).
    static func logRequest(_ request: Request, _ response: Response, elapsed: Duration, context: RequestContext) {
        let tokens = context.facts.count(tokensFact)
        if let handler = context.logger.handler as? LineLogHandler,
            handler.logRequest(
                bytes: response.body.count, method: request.method.rawValue,
                millisecondUnits: millisecondUnits(elapsed, places: 2),
                millisecondsText: milliseconds(elapsed, decimals: 2), path: request.path,
                status: response.status.code, tokens: tokens)
        {
            return
        }
        context.logger.info(
            "request",
            metadata: [
                "method": "\(request.method.rawValue)", "path": "\(request.path)",
                "status": "\(response.status.code)", "bytes": "\(response.body.count)",
                "ms": "\(milliseconds(elapsed, decimals: 2))", "tokens": "\(tokens)",
            ])
    }

    /// The timing headers, in milliseconds: `X-Attend-Queue-Time`, `-Tokenization-Time`, `-Inference-Time` (each
    /// when the stage happened) and `X-Attend-Total-Time` (every response); the same times go into the request's
    /// facts and, for requests that computed, into `attend_request_stage_seconds`.
    /// `nil` timings: the request was not timed (``untimedRoutes``), so only the total is reported (header only:
    /// nothing reads the facts of such a request).
    static func addTimingHeaders(
        _ timings: RequestTiming.Totals?, total: Duration, to response: inout Response, context: RequestContext,
        metrics: Metrics
    ) {
        guard let t = timings, t.inference != nil || t.queue != nil || t.tokenization != nil else {
            if timings != nil { context.facts.add("total", total) }
            response.headers.replaceOrAdd(name: "X-Attend-Total-Time", value: milliseconds(total, decimals: 3))
            return
        }
        let computed = t.inference != nil
        var stages: [String: Double] = [:]
        func add(_ name: String, _ header: String, _ value: Duration?) {
            guard let value else { return }
            context.facts.add(name, value)
            response.headers.replaceOrAdd(name: header, value: milliseconds(value, decimals: 3))
            if computed { stages[name] = value.seconds }
        }
        add("queue", "X-Attend-Queue-Time", t.queue)
        add("tokenization", "X-Attend-Tokenization-Time", t.tokenization)
        add("inference", "X-Attend-Inference-Time", t.inference)
        add("total", "X-Attend-Total-Time", total)
        if computed { metrics.recordStages(stages, inputTokens: context.facts.count(tokensFact)) }
    }

    /// `duration` in milliseconds with `decimals` digits after the point (0...6), rounded half up: what
    /// `String(format: "%.3f")` gives for these non-negative values, without Foundation's formatter.
    static func milliseconds(_ duration: Duration, decimals: Int) -> String {
        let places = min(max(decimals, 0), 6)
        guard let units = millisecondUnits(duration, places: places) else {
            let (seconds, attoseconds) = duration.components
            return String(Double(seconds) * 1000 + Double(attoseconds) / 1e15)
        }
        // Formatted on the stack: the text (15 bytes or fewer) is a small string, never allocated.
        var digits: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        return withUnsafeMutableBytes(of: &digits) { buffer in
            let count = LineBuilder.writeFixedPoint(units: units, places: places, into: buffer)
            return String(decoding: UnsafeRawBufferPointer(rebasing: buffer[..<count]), as: UTF8.self)
        }
    }

    /// `duration` in units of 10^-`places` ms (places 0...6), rounded half up; nil when negative or 2^40 s or more.
    static func millisecondUnits(_ duration: Duration, places: Int) -> Int64? {
        let (seconds, attoseconds) = duration.components
        guard seconds >= 0, attoseconds >= 0, seconds < 1 << 40 else { return nil }
        var scale: Int64 = 1
        for _ in 0..<(6 - min(max(places, 0), 6)) { scale *= 10 }
        // Nanoseconds, then units of 10^-places ms, rounded half up.
        let nanoseconds = seconds * 1_000_000_000 + attoseconds / 1_000_000_000
        return (nanoseconds + scale / 2) / scale
    }

    /// `Authorization: Bearer <key>` or `X-API-Key: <key>` when keys are configured; health routes stay public.
    static func authenticate(
        _ request: Request, _ context: RequestContext, apiKeys: [[UInt8]]
    ) throws(RequestError) {
        guard !apiKeys.isEmpty else { return }
        let isPublic = publicRoutes.contains(context.route) && (request.method == .GET || request.method == .HEAD)
        guard !isPublic else { return }
        var presented: String?
        if let authorization = request.headers["authorization"] {
            let parts = authorization.split(separator: " ", maxSplits: 1)
            if parts.count == 2, parts[0].lowercased() == "bearer" { presented = String(parts[1]) }
        }
        if presented == nil { presented = request.headers["x-api-key"] }
        guard let key = presented, matches(Array(key.utf8), apiKeys) else {
            throw RequestError.unauthorized(presented: presented != nil)
        }
    }

    /// Constant-time comparison against every key: every key is compared over the full length of the longer of
    /// the two, so the time depends only on the lengths, never on where bytes differ or which key matched.
    static func matches(_ presented: [UInt8], _ keys: [[UInt8]]) -> Bool {
        var found: UInt8 = 0
        for key in keys {
            var difference = UInt8(truncatingIfNeeded: presented.count ^ key.count)
            difference |= UInt8(truncatingIfNeeded: (presented.count ^ key.count) >> 8)
            let length = max(presented.count, key.count)
            for i in 0..<length {
                let a = i < presented.count ? presented[i] : 0
                let b = i < key.count ? key[i] : 0
                difference |= a ^ b
            }
            found |= difference == 0 ? 1 : 0
        }
        return found == 1
    }

    /// 415 unless the body is declared JSON.
    static func requireJSON(_ request: Request) throws(RequestError) {
        let type = request.headers["content-type"]?.lowercased() ?? ""
        let mediaType = type.split(separator: ";", maxSplits: 1).first.map { $0.trimmingCharacters(in: .whitespaces) }
        guard let mediaType, mediaType == "application/json" || mediaType.hasSuffix("+json") else {
            throw .unsupportedMediaType(type.isEmpty ? nil : type)
        }
    }

    /// The response header telling clients how many tokens a request computed.
    static let tokensHeader = "X-Attend-Tokens"

    /// A JSON response: `Content-Type: application/json`, `X-Content-Type-Options: nosniff`, and with `tokens`
    /// the ``tokensHeader`` for the client.
    static func json(_ body: [UInt8], status: HTTPStatus = .ok, tokens: Int? = nil) -> Response {
        var headers: HTTPHeaders = ["Content-Type": "application/json", "X-Content-Type-Options": "nosniff"]
        if let tokens { headers.add(name: tokensHeader, value: String(tokens)) }
        return Response(status: status, headers: headers, body: body)
    }
}
