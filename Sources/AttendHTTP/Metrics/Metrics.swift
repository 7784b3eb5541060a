import Foundation

/// Service metrics in the Prometheus text exposition format (version 0.0.4).
public final class Metrics: @unchecked Sendable {
    struct RequestKey: Hashable {
        var route: String
        var method: String
        var status: Int
    }

    private let lock = NSLock()
    private var requests: [RequestKey: UInt64] = [:]
    private var latency: [String: Histogram] = [:]
    private var tokens: [String: UInt64] = [:]
    private var batchRequests = Histogram(bounds: [1, 2, 4, 8, 16, 32, 64])
    private var batchSequences = Histogram(bounds: [1, 2, 4, 8, 16, 32, 64, 128])
    private var batchTokens = Histogram(bounds: [16, 64, 256, 1024, 4096, 16384])
    private var responseBytes: UInt64 = 0
    private var stageSeconds: [String: Histogram] = [:]
    private var inputTokens = Histogram(bounds: [8, 16, 32, 64, 128, 256, 512, 1024, 4096, 16384])
    /// The stages timed per request (the `stage` label of `attend_request_stage_seconds`).
    static let stages = ["queue", "tokenization", "inference", "total"]
    static let latencyBounds: [Double] = [
        0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
    ]

    public init() {}

    /// Records one answered request.
    public func recordRequest(route: String, method: String, status: Int, seconds: Double, bytes: Int) {
        lock.withLock {
            requests[RequestKey(route: route, method: method, status: status), default: 0] += 1
            latency[route, default: Histogram(bounds: Self.latencyBounds)].observe(seconds)
            responseBytes += UInt64(max(bytes, 0))
        }
    }

    /// Records one computing request's stage times (nil = the stage did not happen) and its input tokens.
    public func recordStages(_ seconds: [String: Double], inputTokens tokens: Int) {
        lock.withLock {
            for (stage, value) in seconds where Self.stages.contains(stage) {
                stageSeconds[stage, default: Histogram(bounds: Self.latencyBounds)].observe(value)
            }
            inputTokens.observe(Double(tokens))
        }
    }

    /// Records tokens computed for a model.
    public func recordTokens(model: String, count: Int) {
        lock.withLock { tokens[model, default: 0] += UInt64(count) }
    }

    /// Records one forward batch.
    public func recordBatch(requests: Int, sequences: Int, tokens: Int) {
        lock.withLock {
            batchRequests.observe(Double(requests))
            batchSequences.observe(Double(sequences))
            batchTokens.observe(Double(tokens))
        }
    }

    /// The methods counted by name; any other method token is counted as `other` (a closed label set: a client
    /// cannot create series).
    static let methods: Set<String> = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"]

    /// The label for `method`.
    static func methodLabel(_ method: String) -> String { methods.contains(method) ? method : "other" }

    /// The exposition text; gauges are sampled by the caller (`budget`: capacity, reserved bytes, waiting
    /// requests).
    public func render(
        queueDepth: Int, modelsReady: Int, modelsConfigured: Int, budget: (capacity: Int, reserved: Int, waiting: Int)
    ) -> String {
        lock.withLock {
            var out = ""
            out += "# HELP attend_http_requests_total HTTP requests answered, by route pattern, method and status.\n"
            out += "# TYPE attend_http_requests_total counter\n"
            for (key, count) in requests.sorted(by: { ($0.key.route, $0.key.status) < ($1.key.route, $1.key.status) }) {
                out +=
                    "attend_http_requests_total{route=\"\(Self.escape(key.route))\",method=\"\(key.method)\","
                    + "status=\"\(key.status)\"} \(count)\n"
            }
            out += "# HELP attend_http_request_duration_seconds Time from request parsed to response ready.\n"
            out += "# TYPE attend_http_request_duration_seconds histogram\n"
            for (route, histogram) in latency.sorted(by: { $0.key < $1.key }) {
                histogram.render(
                    name: "attend_http_request_duration_seconds", labels: "route=\"\(Self.escape(route))\"", into: &out)
            }
            out += "# HELP attend_request_stage_seconds Per computing request: queue wait before the first pass, "
            out += "tokenization, forward passes, total.\n"
            out += "# TYPE attend_request_stage_seconds histogram\n"
            for stage in Self.stages {
                stageSeconds[stage]?.render(
                    name: "attend_request_stage_seconds", labels: "stage=\"\(stage)\"", into: &out)
            }
            out += "# HELP attend_request_input_tokens Input tokens per computing request.\n"
            out += "# TYPE attend_request_input_tokens histogram\n"
            inputTokens.render(name: "attend_request_input_tokens", labels: "", into: &out)
            out += "# HELP attend_http_response_bytes_total Response body bytes before compression.\n"
            out += "# TYPE attend_http_response_bytes_total counter\n"
            out += "attend_http_response_bytes_total \(responseBytes)\n"
            out += "# HELP attend_queue_depth Forward-pass requests waiting for the compute thread.\n"
            out += "# TYPE attend_queue_depth gauge\n"
            out += "attend_queue_depth \(queueDepth)\n"
            out += "# HELP attend_memory_budget_bytes The memory budget shared by requests in flight.\n"
            out += "# TYPE attend_memory_budget_bytes gauge\n"
            out += "attend_memory_budget_bytes \(budget.capacity)\n"
            out += "# HELP attend_memory_reserved_bytes Bytes reserved by requests in flight.\n"
            out += "# TYPE attend_memory_reserved_bytes gauge\n"
            out += "attend_memory_reserved_bytes \(budget.reserved)\n"
            out += "# HELP attend_memory_waiting_requests Requests waiting for room in the memory budget.\n"
            out += "# TYPE attend_memory_waiting_requests gauge\n"
            out += "attend_memory_waiting_requests \(budget.waiting)\n"
            out += "# HELP attend_batch_requests Requests coalesced into one forward pass.\n"
            out += "# TYPE attend_batch_requests histogram\n"
            batchRequests.render(name: "attend_batch_requests", labels: "", into: &out)
            out += "# HELP attend_batch_sequences Sequences in one forward pass.\n"
            out += "# TYPE attend_batch_sequences histogram\n"
            batchSequences.render(name: "attend_batch_sequences", labels: "", into: &out)
            out += "# HELP attend_batch_tokens Tokens in one forward pass.\n"
            out += "# TYPE attend_batch_tokens histogram\n"
            batchTokens.render(name: "attend_batch_tokens", labels: "", into: &out)
            out += "# HELP attend_tokens_total Tokens run through each model.\n"
            out += "# TYPE attend_tokens_total counter\n"
            for (model, count) in tokens.sorted(by: { $0.key < $1.key }) {
                out += "attend_tokens_total{model=\"\(Self.escape(model))\"} \(count)\n"
            }
            out += "# HELP attend_models_ready Models loaded and serving.\n"
            out += "# TYPE attend_models_ready gauge\n"
            out += "attend_models_ready \(modelsReady)\n"
            out += "# HELP attend_models_configured Models in the configuration.\n"
            out += "# TYPE attend_models_configured gauge\n"
            out += "attend_models_configured \(modelsConfigured)\n"
            return out
        }
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }

    static func format(_ v: Double) -> String {
        v.rounded() == v && abs(v) < 1e15 ? String(Int(v)) : String(v)
    }
}
