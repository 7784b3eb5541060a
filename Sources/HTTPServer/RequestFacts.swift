import Synchronization

/// What a handler learned while answering (work done, time spent in each stage), for the middlewares around it.
///
/// One instance per request, carried by ``RequestContext/facts``: a handler records into it, and a logging or
/// metrics middleware reads it after `next` returns. Facts never travel in response headers unless a handler
/// chooses to send them. Keys are the application's own (e.g. `"tokens"`, `"queue"`).
public final class RequestFacts: Sendable {
    private struct Values {
        var counts: [(String, Int)] = []
        var durations: [(String, Duration)] = []
    }

    private let values = Mutex(Values())

    /// An empty record.
    public init() {}

    /// Adds `amount` to the count named `key` (created at 0).
    public func add(_ key: String, _ amount: Int) {
        values.withLock { v in
            if let i = v.counts.firstIndex(where: { $0.0 == key }) {
                v.counts[i].1 += amount
            } else {
                v.counts.append((key, amount))
            }
        }
    }

    /// Adds `duration` to the time named `key`.
    public func add(_ key: String, _ duration: Duration) {
        values.withLock { v in
            if let i = v.durations.firstIndex(where: { $0.0 == key }) {
                v.durations[i].1 += duration
            } else {
                v.durations.append((key, duration))
            }
        }
    }

    /// The count named `key`, 0 when never added.
    public func count(_ key: String) -> Int {
        values.withLock { v in v.counts.first { $0.0 == key }?.1 ?? 0 }
    }

    /// The time named `key`, nil when never added.
    public func duration(_ key: String) -> Duration? {
        values.withLock { v in v.durations.first { $0.0 == key }?.1 }
    }

    /// Every recorded time, in the order first added.
    public var durations: [(key: String, value: Duration)] {
        values.withLock { v in v.durations.map { (key: $0.0, value: $0.1) } }
    }
}
