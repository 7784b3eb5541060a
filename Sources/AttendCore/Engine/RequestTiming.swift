import Synchronization

/// Where one request's time went in the core: waiting in the batcher's queue before its first pass, tokenizing,
/// and the forward passes that computed its sequences. The HTTP layer sets ``current`` around a handler and
/// reads the totals afterwards (response headers, histograms); the engine and the batcher record into it.
public final class RequestTiming: Sendable {
    public struct Totals: Sendable, Equatable {
        public var queue: Duration?
        public var tokenization: Duration?
        public var inference: Duration?
    }

    private let totals = Mutex(Totals())

    public init() {}

    /// The timing of the request the current task answers, if any.
    @TaskLocal public static var current: RequestTiming?

    public var values: Totals { totals.withLock { $0 } }

    func addQueue(_ d: Duration) { totals.withLock { $0.queue = ($0.queue ?? .zero) + d } }
    func addTokenization(_ d: Duration) { totals.withLock { $0.tokenization = ($0.tokenization ?? .zero) + d } }
    func addInference(_ d: Duration) { totals.withLock { $0.inference = ($0.inference ?? .zero) + d } }
}
