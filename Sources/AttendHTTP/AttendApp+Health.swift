import AttendCore
import HTTP1
import HTTPServer
import JSON

extension AttendApp {
    /// `GET /healthz`: the process is up.
    @Sendable func healthz(_ request: Request, _ context: RequestContext) async throws -> Response {
        Self.healthyResponse
    }

    static let healthyBody = Array(#"{"status":"ok"}"#.utf8)
    /// Built once: the answer never changes.
    static let healthyResponse = json(healthyBody)

    /// `GET /readyz`: 200 once every model is loaded, else 503 (with Retry-After while loading).
    @Sendable func readyz(_ request: Request, _ context: RequestContext) async throws -> Response {
        guard registry.isReady else {
            let failures = registry.loadErrors.sorted { $0.key < $1.key }
            if let (name, reason) = failures.first {
                throw CoreError.modelFailed(
                    name: name, reason: configuration.server.exposePaths ? reason : "see the server log")
            }
            let loading = registry.names.first { registry.model(named: $0) == nil } ?? ""
            throw CoreError.modelLoading(name: loading)
        }
        let w = JSONWriter()
        w.raw("{\"status\":\"ready\",\"models\":")
        w.strings(registry.names)
        w.byte(UInt8(ascii: "}"))
        return Self.json(w.bytes)
    }

    /// `GET /metrics`: Prometheus text format.
    @Sendable func renderMetrics(_ request: Request, _ context: RequestContext) async throws -> Response {
        let ready = registry.names.filter { registry.model(named: $0) != nil }.count
        let text = metrics.render(
            queueDepth: engine.batcher.depth, modelsReady: ready, modelsConfigured: registry.names.count,
            budget: (engine.budget.capacity, engine.budget.reserved, engine.budget.waiting))
        return Response(
            status: .ok,
            headers: ["Content-Type": "text/plain; version=0.0.4; charset=utf-8", "X-Content-Type-Options": "nosniff"],
            body: Array(text.utf8))
    }

    /// `GET /openapi.json`.
    @Sendable func openAPI(_ request: Request, _ context: RequestContext) async throws -> Response {
        Self.json(openAPIBody)
    }
}
