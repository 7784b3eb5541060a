import Dispatch
import HTTP1
import Logging
import Sockets
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// What every connection of a server shares: settings, router, loops, the connection count and the bytes queued
/// for writing.
final class ServerCore: Sendable {
    let configuration: ServerConfiguration
    let router: FrozenRouter
    let logger: Logger
    let tls: TLSContext?
    let loops: [EventLoop]
    /// What each connection tolerates (timeouts in nanoseconds, bounds).
    let connectionSettings: ConnectionState.Settings
    /// Bytes queued for writing over all connections (see `ServerCore+WriteBudget.swift`).
    let queuedWrites = Atomic<Int>(0)

    private let state = Mutex<(count: Int, listener: Listener?)>((0, nil))
    private let shuttingDown = Atomic<Bool>(false)
    private let nextLoop = Atomic<Int>(0)

    /// Throws when a loop's poller cannot be created (out of descriptors).
    init(
        configuration: ServerConfiguration, router: FrozenRouter, logger: Logger, tls: TLSContext?
    ) throws(SocketError) {
        self.configuration = configuration
        self.router = router
        self.logger = logger
        self.tls = tls
        var threads = configuration.ioThreads
        if threads <= 0 { threads = ServerCore.processorCount() }
        var loops: [EventLoop] = []
        for _ in 0..<max(1, threads) { loops.append(try EventLoop()) }
        self.loops = loops
        connectionSettings = ConnectionState.Settings(configuration)
    }

    var isShuttingDown: Bool { shuttingDown.load(ordering: .relaxed) }

    var connectionCount: Int { state.withLock { $0.count } }

    func attach(_ listener: Listener) {
        state.withLock { $0.listener = listener }
    }

    /// Marks the server as stopping; returns false if it already was.
    func beginShutdown() -> Bool {
        !shuttingDown.exchange(true, ordering: .acquiringAndReleasing)
    }

    /// Picks the next loop, round robin.
    func nextEventLoop() -> EventLoop {
        let index = nextLoop.add(1, ordering: .relaxed).oldValue
        return loops[index % loops.count]
    }

    /// Counts a new connection; at the limit the listener stops accepting.
    func connectionOpened() {
        let limit = configuration.maxConnections
        state.withLock { state in
            state.count += 1
            if state.count >= limit { state.listener?.pause() }
        }
    }

    /// Counts a closed connection; below the limit the listener accepts again.
    func connectionClosed() {
        let limit = configuration.maxConnections
        let stopping = isShuttingDown
        state.withLock { state in
            state.count -= 1
            if state.count == limit - 1, !stopping { state.listener?.resume() }
        }
    }

    private static func processorCount() -> Int {
        #if canImport(Glibc)
            return max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        #else
            return 2
        #endif
    }
}

extension Duration {
    /// The duration in nanoseconds: 0 when negative, `UInt64.max` when it does not fit.
    var nanoseconds: UInt64 {
        let (seconds, attoseconds) = components
        guard seconds >= 0, attoseconds >= 0 else { return 0 }
        let (whole, overflow) = UInt64(seconds).multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return .max }
        return ConnectionState.adding(whole, UInt64(attoseconds / 1_000_000_000))
    }
}
