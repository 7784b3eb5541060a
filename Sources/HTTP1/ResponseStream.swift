import Synchronization

/// A response body produced in pieces after the head is sent: `produce` hands each piece to the sink, in order,
/// and returns when the body is complete.
///
/// The sink applies back-pressure (`write` returns when the connection has room for more) and throws
/// `CancellationError` once nobody will read the rest (the client went away, the server aborts); the producer
/// should then stop. Throwing any other error ends the body abruptly (the connection closes without the final
/// chunk, so the client sees a truncated body rather than a complete wrong one). `produce` is called at most once;
/// not at all for a HEAD request or when the connection closed first.
public final class ResponseStream: Sendable, Equatable {
    /// Where a producer sends its pieces.
    public protocol Sink: Sendable {
        /// Sends `bytes` (an empty array sends nothing); suspends while the connection's queued output is above
        /// its high-water mark. Throws `CancellationError` when the body will not be read.
        func write(_ bytes: [UInt8]) async throws
    }

    private let producer: @Sendable (any Sink) async throws -> Void
    private let started = Atomic<Bool>(false)

    /// A stream whose body `produce` writes into its sink.
    public init(_ produce: @escaping @Sendable (any Sink) async throws -> Void) {
        producer = produce
    }

    /// Runs the producer into `sink` (only the first call runs it; later ones return at once).
    public func produce(into sink: any Sink) async throws {
        guard !started.exchange(true, ordering: .acquiringAndReleasing) else { return }
        try await producer(sink)
    }

    /// Everything the producer writes, concatenated (for callers without a connection: tests, `attend run`).
    public func collect() async throws -> [UInt8] {
        let sink = CollectingSink()
        try await produce(into: sink)
        return sink.bytes.withLock { $0 }
    }

    /// Streams are equal only to themselves.
    public static func == (lhs: ResponseStream, rhs: ResponseStream) -> Bool { lhs === rhs }
}

/// A sink that keeps everything in memory.
final class CollectingSink: ResponseStream.Sink {
    let bytes = Mutex<[UInt8]>([])

    func write(_ bytes: [UInt8]) async throws {
        try Task.checkCancellation()
        self.bytes.withLock { $0.append(contentsOf: bytes) }
    }
}
