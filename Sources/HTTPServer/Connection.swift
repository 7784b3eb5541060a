import Dispatch
import HTTP1
import Logging
import Sockets
import Synchronization

/// One client connection: the Dispatch and socket shell around a `ConnectionState`, which makes every decision.
///
/// The shell turns readiness into events (bytes read, end of file, bytes written, failures), the handler's answer
/// and the loop's sweep into events too, and carries out the actions that come back (read sources suspended and
/// resumed, bytes written, handler tasks started and cancelled, the socket shut down and closed). Its state is
/// guarded by `lock`: I/O events run on its loop's serial queue, and a handler's task takes the lock to hand its
/// response over and write it directly (no hop back to the queue).
final class Connection: @unchecked Sendable {
    let loop: EventLoop
    let core: ServerCore
    let socket: Socket
    let remote: String
    /// The state's next deadline (uptime nanoseconds; `.max` for none), so that the sweep skips the connection
    /// without taking its lock before it. Written under `lock`.
    let deadline = Atomic<UInt64>(.max)
    /// Guards every field below. Entry points (Dispatch handlers, the sweep, the server, handler tasks) take it;
    /// everything they call assumes it is held.
    let lock = Lock()
    var state: ConnectionState
    var tls: TLSSession?
    var handshaking = false
    var readSource: (any DispatchSourceRead)?
    var writeSource: (any DispatchSourceWrite)?
    var readActive = false
    var writeActive = false
    var liveSources = 0
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
        loop.connections[ObjectIdentifier(self)] = self
        let source = DispatchSource.makeReadSource(fileDescriptor: socket.descriptor, queue: loop.queue)
        source.setEventHandler { [unowned self] in self.onReadable() }
        source.setCancelHandler { [self] in self.sourceCancelled() }
        liveSources += 1
        readSource = source
        readActive = true
        source.resume()
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
            guard readActive, let source = readSource else { return }
            readActive = false
            source.suspend()
        case .resumeReading:
            guard !readActive, let source = readSource else { return }
            readActive = true
            source.resume()
            // More may be buffered inside OpenSSL, where the read source cannot see it.
            if tls != nil { loop.queue.async { self.onReadable() } }
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
        let loop = self.loop
        let key = ObjectIdentifier(self)
        loop.queue.async { loop.connections.removeValue(forKey: key) }
        if let source = readSource {
            if !readActive { source.resume() }
            source.cancel()
        }
        if let source = writeSource {
            if !writeActive { source.resume() }
            source.cancel()
        }
        if liveSources == 0 { finalClose() }
    }

    func sourceCancelled() {
        lock.withLock {
            liveSources -= 1
            if liveSources == 0 { finalClose() }
        }
    }

    private func finalClose() {
        tls = nil
        readSource = nil
        writeSource = nil
        socket.close()
        core.connectionClosed()
    }
}
