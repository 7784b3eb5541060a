import Dispatch
import HTTP1
import Logging
import Sockets
import Synchronization

/// An HTTP/1.1 server on POSIX sockets and Dispatch.
///
/// `start()` binds and begins accepting; connections are spread over `ioThreads` I/O threads (an epoll loop
/// each); handlers run in tasks (never on those threads). `shutdown(deadline:)` stops accepting, closes idle
/// connections, lets in-flight requests finish (answered with `Connection: close`) until the deadline, then drops
/// what is left.
public final class Server: Sendable {
    /// Errors of `start()`.
    public enum StartError: Error, CustomStringConvertible {
        /// `start()` was already called.
        case alreadyStarted
        /// The port is not in 0...65535.
        case invalidPort(Int)

        public var description: String {
            switch self {
            case .alreadyStarted: return "the server was already started"
            case .invalidPort(let port): return "invalid port \(port)"
            }
        }
    }

    private let configuration: ServerConfiguration
    private let router: FrozenRouter
    private let logger: Logger
    private let state = Mutex<(core: ServerCore?, listener: Listener?, started: Bool)>((nil, nil, false))

    /// Creates a server; nothing happens until `start()`.
    public init(configuration: ServerConfiguration, router: FrozenRouter, logger: Logger) {
        self.configuration = configuration
        self.router = router
        self.logger = logger
    }

    /// Binds, listens and starts accepting. Returns the bound port (the real one when the port was 0).
    /// Throws `SocketError` (with the failing call and errno), `StartError`, or a TLS setup error.
    @discardableResult
    public func start() throws -> Int {
        try state.withLock { state in
            guard !state.started else { throw StartError.alreadyStarted }
            guard (0...65535).contains(configuration.port) else { throw StartError.invalidPort(configuration.port) }
            let tls = try configuration.tls.map { try TLSContext(configuration: $0) }
            let address = try SocketAddress(host: configuration.host, port: UInt16(configuration.port))
            let listener = try Listener(
                address: address, backlog: configuration.backlog, dualStack: address.family == .ipv6)
            let core = try ServerCore(configuration: configuration, router: router, logger: logger, tls: tls)
            core.attach(listener)
            let timeouts = configuration.timeouts
            let shortest = [
                timeouts.header, timeouts.idle, timeouts.body, timeouts.write, timeouts.handshake, timeouts.rateGrace,
            ].min()!
            let tick = min(max(shortest / 4, .milliseconds(5)), .milliseconds(250))
            do {
                for loop in core.loops { try loop.start(sweepingEvery: tick) }
            } catch {
                for loop in core.loops { loop.stop() }
                throw error
            }
            listener.start { socket, address in
                core.connectionOpened()
                let loop = core.nextEventLoop()
                loop.execute {
                    Connection(socket: socket, remote: address, loop: loop, core: core).start()
                }
            }
            state = (core, listener, true)
            logger.info(
                "listening",
                metadata: [
                    "address": "\(listener.localAddress)", "tls": "\(tls != nil)",
                    "io_threads": "\(core.loops.count)",
                ])
            return Int(listener.localAddress.port)
        }
    }

    /// The bound port, once started.
    public var port: Int? {
        state.withLock { state in state.listener.map { Int($0.localAddress.port) } }
    }

    /// The number of open connections.
    public var connectionCount: Int {
        state.withLock { $0.core?.connectionCount ?? 0 }
    }

    /// Response bytes queued for writing over all connections (see `ServerConfiguration.maxQueuedWriteBytes`).
    var queuedWriteBytes: Int {
        state.withLock { $0.core?.queuedWriteBytes ?? 0 }
    }

    /// Stops accepting, closes idle connections, lets in-flight requests finish until `deadline` has passed, then
    /// closes whatever is left (cancelling its handlers). Returns when every connection is closed.
    public func shutdown(deadline: Duration) async {
        let (core, listener) = state.withLock { ($0.core, $0.listener) }
        guard let core, let listener, core.beginShutdown() else { return }
        listener.close()
        for loop in core.loops {
            loop.execute {
                for connection in Array(loop.connections.values) { connection.beginShutdown() }
            }
        }
        let clock = ContinuousClock()
        let end = clock.now + deadline
        while core.connectionCount > 0, clock.now < end {
            try? await Task.sleep(for: .milliseconds(5))
        }
        let left = core.connectionCount
        if left > 0 {
            logger.info("shutdown deadline passed; closing connections", metadata: ["connections": "\(left)"])
            for loop in core.loops {
                loop.execute {
                    for connection in Array(loop.connections.values) { connection.abort() }
                }
            }
            let hardEnd = clock.now + .seconds(2)
            while core.connectionCount > 0, clock.now < hardEnd {
                try? await Task.sleep(for: .milliseconds(5))
            }
        }
        for loop in core.loops { loop.stop() }
        logger.info("stopped")
    }
}
