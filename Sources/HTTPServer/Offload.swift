import Dispatch
import Synchronization

/// A few dedicated serial Dispatch queues for the server's CPU-heavy steps (gzip of large bodies, in and out), so
/// they never hold one of Swift's cooperative threads: a large compression must not delay `/healthz`.
enum Offload {
    /// Bodies at least this large are compressed or inflated off the cooperative pool.
    static let minimumBytes = 256 << 10

    private static let queues: [DispatchQueue] = (0..<2).map {
        DispatchQueue(label: "http.offload.\($0)", qos: .utility)
    }
    private static let next = Atomic<Int>(0)

    /// Runs `body` on one of the queues (round robin) and returns its result.
    static func run<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        let index = next.add(1, ordering: .relaxed).oldValue % queues.count
        return await withCheckedContinuation { continuation in
            queues[index].async { continuation.resume(returning: body()) }
        }
    }
}
