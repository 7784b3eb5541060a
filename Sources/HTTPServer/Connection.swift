import Dispatch
import HTTP1
import Logging
import Sockets
import Synchronization

/// One client connection: the poller and socket shell around a `ConnectionState`, which makes every decision.
///
/// The shell turns readiness into events (bytes read, end of file, bytes written, failures), the handler's answer
/// and the loop's sweep into events too, and carries out the actions that come back (reading paused and resumed,
/// bytes written, handler tasks started and cancelled, the socket shut down and closed). Its state is guarded by
/// `lock`: readiness is handled on its loop's thread, and a handler's task takes the lock to hand its response over
/// and write it directly (no hop back to the loop).
///
/// The socket is registered with the loop's ``Poller`` under ``token``: readable while reading is wanted (dropped
/// lazily, at the first readiness that comes while reading is paused, so a request/response round trip costs no
/// `epoll_ctl`), writable only while output is blocked. Closing removes it from the poller and closes it at once.
final class Connection: @unchecked Sendable {
    let loop: EventLoop
    let core: ServerCore
    let socket: Socket
    let remote: String
    /// The state's next deadline (uptime nanoseconds; `.max` for none), so that the sweep skips the connection
    /// without taking its lock before it. Written under `lock`.
    let deadline = Atomic<UInt64>(.max)
    /// The socket's registration with the loop's poller, unique for the process.
    let token = EventLoop.newToken()
    /// Guards every field below. Entry points (readiness, the sweep, the server, handler tasks) take it; everything
    /// they call assumes it is held.
    let lock = Lock()
    var state: ConnectionState
    var tls: TLSSession?
    var handshaking = false
    /// Reading (or the handshake) wants readable readiness; writing (blocked output) wants writable readiness.
    var readActive = false
    var writeActive = false
    /// What the poller watches the socket for, and whether it is registered at all (a hang-up nobody can act on
    /// unregisters it until reading or writing is wanted again).
    var interest: Poller.Events = []
    var registered = false
    var closed = false
    var handler: Task<Void, Never>?
    /// Set by `.startStream` while the handler's answer is handed over: its stream is to be produced.
    var streamStarts = false
    /// A `.pullStream` came while the producer was not waiting: its next piece may go at once.
    var streamCredit = false
    /// The producer waiting for a `.pullStream` (resumed with `CancellationError` at teardown).
    var streamWaiter: CheckedContinuation<Void, any Error>?

    // Bytes to write, in order; `outputOffset` into the first; `outputBytes` in all, counted in the server's
    // write budget until written or dropped.
    var output: [[UInt8]] = []
    var outputOffset = 0
    var outputBytes = 0
    var needsFlush = false

    init(socket: Socket, remote: SocketAddress, loop: EventLoop, core: ServerCore) {
        self.socket = socket
        self.remote = remote.description
        self.loop = loop
        self.core = core
        state = ConnectionState(settings: core.connectionSettings, tls: core.tls != nil, now: Self.now())
    }

    static func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

    // MARK: Lifecycle

    /// Registers with the loop and starts reading (or the TLS handshake). On the loop's queue.
    func start() {
        lock.withLock { startLocked() }
    }

    private func startLocked() {
        try? socket.setNoDelay()
        if let context = core.tls {
            guard let session = TLSSession(context: context, descriptor: socket.descriptor) else {
                closed = true
                socket.close()
                core.connectionClosed()
                return
            }
            tls = session
            handshaking = true
        }
        readActive = true
        updateInterest()
        guard registered else {
            // The poller refused the descriptor (out of memory): nothing could ever be read.
            closed = true
            tls = nil
            socket.close()
            core.connectionClosed()
            return
        }
        loop.connections[token] = self
        deadline.store(state.armedDeadline ?? .max, ordering: .relaxed)
        if core.isShuttingDown {
            let now = Self.now()
            run(state.shutdown(now: now), now: now)
        }
    }

    /// Server shutdown: idle connections close now; busy ones finish their current work and then close.
    func beginShutdown() {
        lock.withLock {
            let now = Self.now()
            run(state.shutdown(now: now), now: now)
        }
    }

    /// Stops, cancelling the handler; nothing more is written. Entry point.
    func abort() {
        lock.withLock { run(state.abort(), now: Self.now()) }
    }

    /// Called by the loop's sweep: lets the state fire whichever timer is due.
    func checkTimeouts(now: UInt64) {
        guard now >= deadline.load(ordering: .relaxed) else { return }
        lock.withLock {
            guard !closed else { return }
            run(state.tick(now: now), now: now)
        }
    }

    // MARK: Actions

    /// Carries out actions, and those their results cause (a write's progress, a failure), until none is left.
    func run(_ actions: [ConnectionState.Action], now: UInt64) {
        var batch = actions
        while !batch.isEmpty, !closed {
            var next: [ConnectionState.Action] = []
            for action in batch where !closed {
                perform(action, now: now, then: &next)
            }
            if needsFlush, !closed {
                needsFlush = false
                next += flush(now: now)
            }
            batch = next
        }
    }

    private func perform(_ action: ConnectionState.Action, now: UInt64, then next: inout [ConnectionState.Action]) {
        switch action {
        case .startHandler(let request):
            startHandler(request)
        case .write(let bytes):
            output.append(bytes)
            outputBytes += bytes.count
            core.addQueuedWriteBytes(bytes.count)
            needsFlush = true
        case .pauseReading:
            // The poller keeps watching until readiness comes while paused (`handle`): most pauses end before.
            readActive = false
        case .resumeReading:
            guard !readActive else { return }
            readActive = true
            updateInterest()
            // More may be buffered inside OpenSSL, where the poller cannot see it.
            if tls != nil { loop.execute { self.onReadable() } }
        case .checkPeer:
            if socket.pendingError() != 0 { next += state.transportFailed(.peerGone) }
        case .shutdownWrite:
            tls?.shutdown()
            socket.shutdownWrite()
        case .cancelHandler:
            handler?.cancel()
            handler = nil
        case .startStream:
            streamStarts = true
        case .pullStream:
            if let waiter = streamWaiter {
                streamWaiter = nil
                waiter.resume()
            } else {
                streamCredit = true
            }
        case .close(let reason):
            switch reason {
            case .finished, .lingerEnded, .peerClosed, .idleTimeout, .shutdown:
                break
            default:
                core.logger.debug("connection closed", metadata: ["remote": "\(remote)", "reason": "\(reason)"])
            }
            teardown()
        case .armTimer(let instant):
            deadline.store(instant, ordering: .relaxed)
        case .cancelTimer:
            deadline.store(.max, ordering: .relaxed)
        }
    }

    // MARK: Handlers

    private func startHandler(_ request: Request) {
        let head = request.head
        let context = RequestContext(remoteAddress: remote, logger: core.logger)
        let core = self.core
        handler = Task {
            let response = await core.respond(to: request, context: context)
            guard let stream = self.handlerFinished(response, for: head) else { return }
            do {
                try await stream.produce(into: StreamSink(connection: self))
                self.streamEnded()
            } catch {
                self.streamFailed(error)
            }
        }
    }

    /// The handler's answer, from its task: admitted into the server's write budget (or replaced by a 503), then
    /// handed to the state, which encodes it; what the socket takes is written at once. Returns the answer's
    /// stream when the state wants it produced (the task then runs it; a streamed answer is admitted for the
    /// output it may queue at once, `outputHighWater`).
    private func handlerFinished(_ response: Response, for head: RequestHead) -> ResponseStream? {
        lock.withLock {
            guard !closed else { return nil }
            var response = response
            let length = response.stream != nil ? core.connectionSettings.outputHighWater : response.body.count
            let size = head.method == .HEAD || response.status.forbidsBody ? 0 : length
            let admitted = core.reserveQueuedWriteBytes(size)
            if !admitted {
                core.logger.debug(
                    "response refused: write queue full",
                    metadata: ["remote": "\(remote)", "bytes": "\(size)", "queued": "\(core.queuedWriteBytes)"])
                response = ServerCore.overloadedResponse
            }
            let now = Self.now()
            // The server may have begun shutting down before this connection's own shutdown event (queued on its
            // loop) arrives: the answer must still say `Connection: close`.
            if core.isShuttingDown { run(state.shutdown(now: now), now: now) }
            streamStarts = false
            run(state.handlerFinished(response, now: now), now: now)
            // The bytes queued are now counted on their own.
            if admitted { core.releaseQueuedWriteBytes(size) }
            guard streamStarts, !closed else {
                handler = nil
                return nil
            }
            streamStarts = false
            return response.stream
        }
    }

    // MARK: Closing

    private func teardown() {
        guard !closed else { return }
        closed = true
        handler?.cancel()
        handler = nil
        streamCredit = false
        if let waiter = streamWaiter {
            streamWaiter = nil
            waiter.resume(throwing: CancellationError())
        }
        output.removeAll()
        core.releaseQueuedWriteBytes(outputBytes)
        outputBytes = 0
        deadline.store(.max, ordering: .relaxed)
        // Out of the poller before the descriptor closes (its number may be reused at once); an event the loop
        // already harvested finds the connection closed, or gone from `connections`, and is dropped.
        if registered {
            loop.poller.remove(socket.descriptor)
            registered = false
        }
        interest = []
        tls = nil
        socket.close()
        core.connectionClosed()
        let loop = self.loop
        let token = self.token
        loop.execute { loop.connections.removeValue(forKey: token) }
    }
}
