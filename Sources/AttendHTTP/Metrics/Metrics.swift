import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Service metrics in the Prometheus text exposition format (version 0.0.4).
///
/// Recording never takes a lock that other threads take: each thread records into its own shard (picked from
/// the thread's identity; a shard is only shared when two threads' identities collide, and then only briefly),
/// and ``render(queueDepth:modelsReady:modelsConfigured:budget:)`` merges the shards. Counts are exact: every
/// increment lands in exactly one shard.
public final class Metrics: Sendable {
    struct RequestKey: Hashable {
        var route: String
        var method: String
        var status: Int
    }

    /// One slotted route's counts (``recordRequest(routeSlot:methodSlot:status:seconds:bytes:)``): requests by
    /// method slot and status, found by a linear search of a few entries instead of hashing strings.
    struct RouteSlotCounts {
        var requests: [(method: Int, status: Int, count: UInt64)] = []
        var latency = Histogram(bounds: Metrics.latencyBounds)

        mutating func record(method: Int, status: Int, seconds: Double) {
            if let i = requests.firstIndex(where: { $0.method == method && $0.status == status }) {
                requests[i].count += 1
            } else {
                requests.append((method, status, 1))
            }
            latency.observe(seconds)
        }

        mutating func merge(_ other: RouteSlotCounts) {
            for entry in other.requests {
                if let i = requests.firstIndex(where: { $0.method == entry.method && $0.status == entry.status }) {
                    requests[i].count += entry.count
                } else {
                    requests.append(entry)
                }
            }
            latency = latency.merged(other.latency)
        }
    }

    /// What one shard has counted.
    struct Counts {
        var requests: [RequestKey: UInt64] = [:]
        /// By route slot (``routeNames``): folded into `requests` and `latency` by ``merged``.
        var routeSlots: [RouteSlotCounts] = []
        var latency: [String: Histogram] = [:]
        var tokens: [String: UInt64] = [:]
        var batchRequests = Histogram(bounds: Metrics.batchRequestBounds)
        var batchSequences = Histogram(bounds: Metrics.batchSequenceBounds)
        var batchTokens = Histogram(bounds: Metrics.batchTokenBounds)
        var responseBytes: UInt64 = 0
        var stageSeconds: [String: Histogram] = [:]
        var inputTokens = Histogram(bounds: Metrics.inputTokenBounds)

        /// Adds `other`'s counts to these.
        mutating func merge(_ other: Counts) {
            requests.merge(other.requests, uniquingKeysWith: +)
            latency.merge(other.latency) { $0.merged($1) }
            tokens.merge(other.tokens, uniquingKeysWith: +)
            batchRequests = batchRequests.merged(other.batchRequests)
            batchSequences = batchSequences.merged(other.batchSequences)
            batchTokens = batchTokens.merged(other.batchTokens)
            responseBytes += other.responseBytes
            stageSeconds.merge(other.stageSeconds) { $0.merged($1) }
            inputTokens = inputTokens.merged(other.inputTokens)
            if routeSlots.count < other.routeSlots.count {
                routeSlots += Array(repeating: RouteSlotCounts(), count: other.routeSlots.count - routeSlots.count)
            }
            for (i, slot) in other.routeSlots.enumerated() { routeSlots[i].merge(slot) }
        }
    }

    /// One shard: its own lock, on its own cache lines.
    final class Shard: Sendable {
        let counts: Mutex<Counts>

        init(routes: Int) {
            var counts = Counts()
            counts.routeSlots = Array(repeating: RouteSlotCounts(), count: routes)
            self.counts = Mutex(counts)
        }
    }

    private let shards: [Shard]
    private let sampled = Mutex<[(name: String, help: String, value: @Sendable () -> Int)]>([])
    /// The stages timed per request (the `stage` label of `attend_request_stage_seconds`).
    static let stages = ["queue", "tokenization", "inference", "total"]
    static let latencyBounds: [Double] = [
        0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
    ]
    static let batchRequestBounds: [Double] = [1, 2, 4, 8, 16, 32, 64]
    static let batchSequenceBounds: [Double] = [1, 2, 4, 8, 16, 32, 64, 128]
    static let batchTokenBounds: [Double] = [16, 64, 256, 1024, 4096, 16384]
    static let inputTokenBounds: [Double] = [8, 16, 32, 64, 128, 256, 512, 1024, 4096, 16384]

    /// The `route` labels that have an integer slot (``routeSlot(_:)``), in slot order.
    let routeNames: [String]
    private let routeSlots: [String: Int]

    /// Metrics with `shards` shards (more than the threads that record keeps collisions rare); each route label
    /// in `routes` gets an integer slot (``routeSlot(_:)``), so that recording it hashes no string.
    public init(shards: Int = 16, routes: [String] = []) {
        var names: [String] = []
        var slots: [String: Int] = [:]
        for route in routes where slots[route] == nil {
            slots[route] = names.count
            names.append(route)
        }
        self.routeNames = names
        self.routeSlots = slots
        self.shards = (0..<max(1, shards)).map { _ in Shard(routes: names.count) }
    }

    /// The integer slot of a route label given to ``init(shards:routes:)``; nil for any other label.
    public func routeSlot(_ route: String) -> Int? { routeSlots[route] }

    /// The calling thread's shard.
    private var shard: Shard {
        var mixed = UInt64(UInt(bitPattern: Int(bitPattern: UInt(pthread_self()))))
        mixed = (mixed ^ (mixed >> 29)) &* 0xbf58_476d_1ce4_e5b9
        mixed ^= mixed >> 32
        return shards[Int(mixed % UInt64(shards.count))]
    }

    /// Records one answered request.
    public func recordRequest(route: String, method: String, status: Int, seconds: Double, bytes: Int) {
        if let slot = routeSlots[route], let methodSlot = Self.methodNames.firstIndex(of: method) {
            return recordRequest(
                routeSlot: slot, methodSlot: methodSlot, status: status, seconds: seconds, bytes: bytes)
        }
        shard.counts.withLock { c in
            c.requests[RequestKey(route: route, method: method, status: status), default: 0] += 1
            c.latency[route, default: Histogram(bounds: Self.latencyBounds)].observe(seconds)
            c.responseBytes += UInt64(max(bytes, 0))
        }
    }

    /// Records one answered request of the route in `routeSlot` (``routeSlot(_:)``) and the method in
    /// `methodSlot` (``methodSlot(_:)``): the same counts as ``recordRequest(route:method:status:seconds:bytes:)``
    /// with their labels, without hashing them. A slot out of range is ignored.
    public func recordRequest(routeSlot: Int, methodSlot: Int, status: Int, seconds: Double, bytes: Int) {
        guard routeNames.indices.contains(routeSlot), Self.methodNames.indices.contains(methodSlot) else { return }
        shard.counts.withLock { c in
            c.routeSlots[routeSlot].record(method: methodSlot, status: status, seconds: seconds)
            c.responseBytes += UInt64(max(bytes, 0))
        }
    }

    /// Records one computing request's stage times (nil = the stage did not happen) and its input tokens.
    public func recordStages(_ seconds: [String: Double], inputTokens tokens: Int) {
        shard.counts.withLock { c in
            for (stage, value) in seconds where Self.stages.contains(stage) {
                c.stageSeconds[stage, default: Histogram(bounds: Self.latencyBounds)].observe(value)
            }
            c.inputTokens.observe(Double(tokens))
        }
    }

    /// Records tokens computed for a model.
    public func recordTokens(model: String, count: Int) {
        shard.counts.withLock { $0.tokens[model, default: 0] += UInt64(count) }
    }

    /// Records one forward batch.
    public func recordBatch(requests: Int, sequences: Int, tokens: Int) {
        shard.counts.withLock { c in
            c.batchRequests.observe(Double(requests))
            c.batchSequences.observe(Double(sequences))
            c.batchTokens.observe(Double(tokens))
        }
    }

    /// Adds a counter whose value is read from `value` at every scrape (e.g. the log lines dropped).
    public func sample(counter name: String, help: String, _ value: @escaping @Sendable () -> Int) {
        sampled.withLock { $0.append((name, help, value)) }
    }

    /// Every shard's counts added up.
    var merged: Counts {
        var total = Counts()
        for shard in shards {
            let counts = shard.counts.withLock { $0 }
            total.merge(counts)
        }
        for (slot, counts) in total.routeSlots.enumerated() where counts.latency.total > 0 {
            let route = routeNames[slot]
            for entry in counts.requests {
                let key = RequestKey(route: route, method: Self.methodNames[entry.method], status: entry.status)
                total.requests[key, default: 0] += entry.count
            }
            if let other = total.latency[route] {
                total.latency[route] = other.merged(counts.latency)
            } else {
                total.latency[route] = counts.latency
            }
        }
        total.routeSlots = []
        return total
    }

    /// The methods counted by name; any other method token is counted as `other` (a closed label set: a client
    /// cannot create series).
    static let methods: Set<String> = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"]

    /// The method labels by slot (``methodSlot(_:)``): ``methods`` and `other`.
    static let methodNames = ["GET", "POST", "HEAD", "PUT", "DELETE", "PATCH", "OPTIONS", "other"]

    /// The slot in ``methodNames`` of `method`'s label (``methodLabel(_:)``).
    public static func methodSlot(_ method: String) -> Int {
        if method == "GET" { return 0 }
        if method == "POST" { return 1 }
        return methodNames.firstIndex(of: methodLabel(method)) ?? methodNames.count - 1
    }

    /// The label for `method`.
    static func methodLabel(_ method: String) -> String {
        if method == "GET" || method == "POST" { return method }  // the common ones, without hashing
        return methods.contains(method) ? method : "other"
    }

    /// The exposition text; gauges are sampled by the caller (`budget`: capacity, reserved bytes, waiting
    /// requests).
    public func render(
        queueDepth: Int, modelsReady: Int, modelsConfigured: Int, budget: (capacity: Int, reserved: Int, waiting: Int)
    ) -> String {
        let c = merged
        var out = ""
        out += "# HELP attend_http_requests_total HTTP requests answered, by route pattern, method and status.\n"
        out += "# TYPE attend_http_requests_total counter\n"
        for (key, count) in c.requests.sorted(by: {
            ($0.key.route, $0.key.status, $0.key.method) < ($1.key.route, $1.key.status, $1.key.method)
        }) {
            out +=
                "attend_http_requests_total{route=\"\(Self.escape(key.route))\",method=\"\(key.method)\","
                + "status=\"\(key.status)\"} \(count)\n"
        }
        out += "# HELP attend_http_request_duration_seconds Time from request parsed to response ready.\n"
        out += "# TYPE attend_http_request_duration_seconds histogram\n"
        for (route, histogram) in c.latency.sorted(by: { $0.key < $1.key }) {
            histogram.render(
                name: "attend_http_request_duration_seconds", labels: "route=\"\(Self.escape(route))\"", into: &out)
        }
        out += "# HELP attend_request_stage_seconds Per computing request: queue wait before the first pass, "
        out += "tokenization, forward passes, total.\n"
        out += "# TYPE attend_request_stage_seconds histogram\n"
        for stage in Self.stages {
            c.stageSeconds[stage]?.render(
                name: "attend_request_stage_seconds", labels: "stage=\"\(stage)\"", into: &out)
        }
        out += "# HELP attend_request_input_tokens Input tokens per computing request.\n"
        out += "# TYPE attend_request_input_tokens histogram\n"
        c.inputTokens.render(name: "attend_request_input_tokens", labels: "", into: &out)
        out += "# HELP attend_http_response_bytes_total Response body bytes before compression.\n"
        out += "# TYPE attend_http_response_bytes_total counter\n"
        out += "attend_http_response_bytes_total \(c.responseBytes)\n"
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
        c.batchRequests.render(name: "attend_batch_requests", labels: "", into: &out)
        out += "# HELP attend_batch_sequences Sequences in one forward pass.\n"
        out += "# TYPE attend_batch_sequences histogram\n"
        c.batchSequences.render(name: "attend_batch_sequences", labels: "", into: &out)
        out += "# HELP attend_batch_tokens Tokens in one forward pass.\n"
        out += "# TYPE attend_batch_tokens histogram\n"
        c.batchTokens.render(name: "attend_batch_tokens", labels: "", into: &out)
        out += "# HELP attend_tokens_total Tokens run through each model.\n"
        out += "# TYPE attend_tokens_total counter\n"
        for (model, count) in c.tokens.sorted(by: { $0.key < $1.key }) {
            out += "attend_tokens_total{model=\"\(Self.escape(model))\"} \(count)\n"
        }
        out += "# HELP attend_models_ready Models loaded and serving.\n"
        out += "# TYPE attend_models_ready gauge\n"
        out += "attend_models_ready \(modelsReady)\n"
        out += "# HELP attend_models_configured Models in the configuration.\n"
        out += "# TYPE attend_models_configured gauge\n"
        out += "attend_models_configured \(modelsConfigured)\n"
        for counter in sampled.withLock({ $0 }) {
            out += "# HELP \(counter.name) \(counter.help)\n"
            out += "# TYPE \(counter.name) counter\n"
            out += "\(counter.name) \(counter.value())\n"
        }
        return out
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }

    static func format(_ v: Double) -> String {
        v.rounded() == v && abs(v) < 1e15 ? String(Int(v)) : String(v)
    }
}
