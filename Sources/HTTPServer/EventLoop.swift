import Sockets
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// One I/O thread: a level-triggered ``Poller`` with the connections it drives, tasks handed over by other threads,
/// a shared read buffer and the timeout sweep. Everything but ``execute(_:)``, ``stop()`` and the poller's
/// registration calls runs on the loop's own thread.
///
/// Readiness comes from the loop's own `epoll` instance rather than Dispatch read and write sources: on Linux,
/// libdispatch's shared epoll bookkeeping can free a muxnote while its registration is still live when many
/// short connections churn their sources (swift-corelibs-libdispatch#949), and the manager thread then crashes
/// the process (SIGSEGV in `_dispatch_event_loop_drain`, seen once in about 80 runs of `scripts/attack`). Each
/// connection registers its descriptor with a token unique for the process, so an event harvested for a
/// connection that closed in the meantime (its descriptor number perhaps reused) finds no connection and is
/// dropped.
final class EventLoop: @unchecked Sendable {  // `connections` and the sweep state are touched on the loop thread
    let poller: Poller
    /// Reads land here, then are copied by the parser: one buffer per loop instead of one per connection.
    let readBuffer: UnsafeMutableRawBufferPointer
    /// The open connections by token. Loop thread only.
    var connections: [UInt64: Connection] = [:]
    private let pending = Mutex<(tasks: [@Sendable () -> Void], stopping: Bool)>(([], false))
    private let started = Atomic<Bool>(false)

    /// Tokens for ``Poller`` registrations, unique for the process (0 is the poller's own).
    private static let tokens = Atomic<UInt64>(1)

    init() throws(SocketError) {
        poller = try Poller()
        readBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
    }

    deinit {
        readBuffer.deallocate()
    }

    /// A token no other registration of the process has.
    static func newToken() -> UInt64 {
        tokens.add(1, ordering: .relaxed).oldValue
    }

    /// Starts the loop's thread, which also enforces every connection's timeouts each `interval`. Once; throws
    /// when the system refuses a thread.
    func start(sweepingEvery interval: Duration) throws(SocketError) {
        guard !started.exchange(true, ordering: .acquiringAndReleasing) else { return }
        let nanoseconds = max(
            UInt64(interval.components.seconds) * 1_000_000_000
                + UInt64(interval.components.attoseconds / 1_000_000_000), 1_000_000)
        try IOThread.spawn { [self] in run(sweepNanoseconds: nanoseconds) }
    }

    /// Runs `task` on the loop's thread, after the events being handled. Safe from any thread; tasks run in order.
    func execute(_ task: @escaping @Sendable () -> Void) {
        let wasEmpty = pending.withLock { state in
            state.tasks.append(task)
            return state.tasks.count == 1
        }
        if wasEmpty { poller.wake() }
    }

    /// Ends the loop's thread after the tasks already handed over.
    func stop() {
        pending.withLock { $0.stopping = true }
        poller.wake()
    }

    private func run(sweepNanoseconds interval: UInt64) {
        var nextSweep = Connection.now() &+ interval
        while true {
            let now = Connection.now()
            let wait = nextSweep > now ? Int32(clamping: (nextSweep - now + 999_999) / 1_000_000) : 0
            poller.wait(timeoutMilliseconds: wait) { token, events in
                guard let connection = connections[token] else { return }  // closed since: a stale event
                connection.handle(events)
            }
            let (tasks, stopping) = pending.withLock { state in
                let tasks = state.tasks
                state.tasks = []
                return (tasks, state.stopping)
            }
            for task in tasks { task() }
            if stopping { return }
            let after = Connection.now()
            if after >= nextSweep {
                for connection in Array(connections.values) {
                    connection.checkTimeouts(now: after)
                }
                nextSweep = after &+ interval
            }
        }
    }
}
