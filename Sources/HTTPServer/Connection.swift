import Dispatch
import HTTP1
import Logging
import Sockets

/// One client connection. Its state is guarded by `lock`: I/O events run on its loop's serial queue, and a
/// handler's task takes the lock to write its response directly (no hop back to the queue).
///
/// Reads are driven by a read source feeding the `RequestParser`; complete requests queue up (at most
/// `maxPipelinedRequests`, then reading pauses) and are answered one at a time, in order. Writes go straight to
/// the socket; what does not fit waits for a write source, with its progress timed.
final class Connection: @unchecked Sendable {
    enum Work {
        case request(Request)
        case failure(ParseError)
    }

    enum Phase {
        /// Reading requests and answering them.
        case open
        /// No more reading: the queued output is written, then the connection closes.
        case closingAfterWrite
        /// Output written and our side shut down; discarding input until the peer closes or `lingerUntil`.
        case lingering
        case closed
    }

    let loop: EventLoop
    let core: ServerCore
    let socket: Socket
    let remote: String
    /// Guards every field below. Entry points (Dispatch handlers, the sweep, the server, handler tasks) take it;
    /// everything they call assumes it is held.
    private let lock = Lock()
    private lazy var encoder = ResponseEncoder(serverName: core.configuration.serverName)
    private var tls: TLSSession?
    private var handshaking = false
    private var parser: RequestParser
    private var readSource: (any DispatchSourceRead)?
    private var writeSource: (any DispatchSourceWrite)?
    private var readActive = false
    private var writeActive = false
    private var liveSources = 0
    private var phase = Phase.open

    // The request being received.
    private var head: RequestHead?
    private var body: [UInt8] = []
    private var continuePending = false

    // Requests received and not yet answered; the one being answered.
    private var pending: [Work] = []
    private var inFlight: Task<Void, Never>?
    private var inFlightVersion = HTTPVersion.http1_1
    /// Sent an unsolicited `100 Continue` after the peer's FIN, to tell a half-close from a vanished client.
    private var probeSent = false
    private var peerHalfClosed = false
    /// Set after a parse error: nothing after it can be framed, so nothing more is read.
    private var inputFailed = false
    private var shutdownRequested = false

    // Bytes to write, in order; `outputOffset` into the first.
    private var output: [[UInt8]] = []
    private var outputOffset = 0
    private var outputBytes = 0

    // Clocks (uptime nanoseconds) for the timeouts.
    private let acceptedAt: UInt64
    private var requestStartedAt: UInt64
    private var lastReadAt: UInt64
    private var lastWriteAt: UInt64 = 0
    private var idleSince: UInt64 = 0
    private var lingerUntil: UInt64 = 0
    private var requestsAnswered = 0

    init(socket: Socket, remote: SocketAddress, loop: EventLoop, core: ServerCore) {
        self.socket = socket
        self.remote = remote.description
        self.loop = loop
        self.core = core
        self.parser = RequestParser(limits: core.configuration.limits)
        let now = DispatchTime.now().uptimeNanoseconds
        acceptedAt = now
        requestStartedAt = now
        lastReadAt = now
    }

    // MARK: Lifecycle

    /// Registers with the loop and starts reading (or the TLS handshake). On the loop's queue.
    func start() {
        lock.withLock { startLocked() }
    }

    private func startLocked() {
        try? socket.setNoDelay()
        if let context = core.tls {
            guard let session = TLSSession(context: context, descriptor: socket.descriptor) else {
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
        if core.isShuttingDown { beginShutdownLocked() }
    }

    /// Stops, cancelling the handler; nothing more is written. Entry point.
    func abort() {
        lock.withLock { teardown() }
    }

    private func teardown() {
        guard phase != .closed else { return }
        phase = .closed
        inFlight?.cancel()
        inFlight = nil
        pending.removeAll()
        output.removeAll()
        outputBytes = 0
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

    private func sourceCancelled() {
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

    /// Server shutdown: idle connections close now; busy ones finish their current work and then close.
    func beginShutdown() {
        lock.withLock { beginShutdownLocked() }
    }

    private func beginShutdownLocked() {
        shutdownRequested = true
        guard phase == .open else { return }
        if inFlight == nil, pending.isEmpty, output.isEmpty, head == nil, parser.isIdle {
            teardown()
        }
    }

    // MARK: Reading

    private func onReadable() {
        lock.withLock { onReadableLocked() }
    }

    private func onReadableLocked() {
        switch phase {
        case .closed, .closingAfterWrite:
            return
        case .lingering:
            discardInput()
            return
        case .open:
            break
        }
        if handshaking {
            driveHandshake()
            return
        }
        readLoop()
    }

    private func readLoop() {
        let buffer = loop.readBuffer
        for _ in 0..<16 {
            guard phase == .open, readActive, !peerHalfClosed, !inputFailed else { return }
            switch transportRead(buffer) {
            case .bytes(let count):
                let now = DispatchTime.now().uptimeNanoseconds
                if parser.isIdle { requestStartedAt = now }
                lastReadAt = now
                parser.append(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
                processInput()
                // A short plain read drained the socket; the level-triggered source fires again for more.
                if tls == nil, count < buffer.count { return }
            case .wouldBlock:
                if tls?.wantsWriteForRead == true { armWrite() }
                return
            case .endOfFile:
                peerClosed()
                return
            case .failed:
                teardown()
                return
            }
        }
        // More may be buffered inside OpenSSL, where the read source cannot see it.
        if tls != nil { loop.queue.async { self.onReadable() } }
    }

    private func transportRead(_ buffer: UnsafeMutableRawBufferPointer) -> Socket.IOResult {
        if let tls { return tls.read(into: buffer) }
        return socket.read(into: buffer)
    }

    private func processInput() {
        while phase == .open {
            let event: ParseEvent?
            do {
                event = try parser.next()
            } catch {
                head = nil
                body = []
                inputFailed = true
                enqueue(.failure(error))
                break
            }
            guard let event else { break }
            switch event {
            case .head(let received):
                head = received
                body = []
                if received.expectsContinue {
                    continuePending = true
                    sendContinueIfDue()
                }
            case .body(let bytes):
                if body.isEmpty { body = bytes } else { body.append(contentsOf: bytes) }
            case .end(let trailers):
                guard let received = head else { break }
                let request = Request(head: received, body: body, trailers: trailers)
                head = nil
                body = []
                continuePending = false
                if !parser.isIdle { requestStartedAt = lastReadAt }
                enqueue(.request(request))
            }
        }
        updateReadInterest()
    }

    /// The client closed its sending side.
    private func peerClosed() {
        if head != nil || !parser.isIdle {
            // Gone in the middle of a request: nobody will read an answer.
            teardown()
            return
        }
        if inFlight == nil, pending.isEmpty, output.isEmpty {
            teardown()
            return
        }
        // Half-closed, or gone: the two look the same until something is sent. Answer what was asked, then close.
        peerHalfClosed = true
        updateReadInterest()
        // While a handler runs, probe with an interim `100 Continue` (RFC 9110 §15.2: HTTP/1.1 clients accept
        // unexpected 1xx): a client that really closed answers it with a reset, which the sweep notices and then
        // cancels the handler. Only between messages, and never to HTTP/1.0.
        if inFlight != nil, output.isEmpty, inFlightVersion >= .http1_1 {
            probeSent = true
            queue(ResponseEncoder.continueResponse)
            flush()
        }
    }

    private func discardInput() {
        let buffer = loop.readBuffer
        for _ in 0..<16 {
            switch transportRead(buffer) {
            case .bytes: continue
            case .wouldBlock: return
            case .endOfFile, .failed:
                teardown()
                return
            }
        }
    }

    /// Reads only while there is room: few enough queued requests and little enough queued output.
    private func updateReadInterest() {
        guard let source = readSource, phase == .open else { return }
        let wanted =
            !peerHalfClosed && !inputFailed && pending.count < core.configuration.maxPipelinedRequests
            && outputBytes < core.outputHighWater
        if wanted, !readActive {
            readActive = true
            source.resume()
            if tls != nil { loop.queue.async { self.onReadable() } }
        } else if !wanted, readActive {
            readActive = false
            source.suspend()
        }
    }

    // MARK: TLS handshake

    private func driveHandshake() {
        guard let tls else { return }
        switch tls.handshake() {
        case .done:
            handshaking = false
            disarmWrite()
            readLoop()
        case .wantRead:
            disarmWrite()
        case .wantWrite:
            armWrite()
        case .failed:
            core.logger.debug("TLS handshake failed", metadata: ["remote": "\(remote)"])
            teardown()
        }
    }

    // MARK: Answering

    private func enqueue(_ work: Work) {
        pending.append(work)
        startNext()
    }

    private func startNext() {
        guard inFlight == nil, phase == .open, !pending.isEmpty, outputBytes < core.outputHighWater else { return }
        let work = pending.removeFirst()
        switch work {
        case .failure(let error):
            pending.removeAll()
            sendError(status: error.status, code: error.code, message: error.message)
        case .request(let request):
            let head = request.head
            inFlightVersion = head.version
            let context = RequestContext(remoteAddress: remote, logger: core.logger)
            let core = self.core
            inFlight = Task {
                let response = await core.respond(to: request, context: context)
                self.lock.withLock { self.complete(response, for: head) }
            }
        }
    }

    private func complete(_ response: Response, for head: RequestHead) {
        guard phase == .open else { return }
        inFlight = nil
        requestsAnswered += 1
        let keepAlive =
            head.keepAlive && !shutdownRequested && !(peerHalfClosed && pending.isEmpty)
        let keepOpen = write(response, method: head.method, version: head.version, keepAlive: keepAlive)
        if !keepOpen {
            closeAfterWrite()
            return
        }
        idleSince = DispatchTime.now().uptimeNanoseconds
        if parser.isIdle { requestStartedAt = idleSince }
        startNext()
        sendContinueIfDue()
        updateReadInterest()
        finishIfDone()
    }

    /// Encodes and queues a response; returns whether the connection stays open.
    private func write(_ response: Response, method: HTTPMethod, version: HTTPVersion, keepAlive: Bool) -> Bool {
        var bytes: [UInt8] = []
        let keepOpen: Bool
        if response.body.count <= 64 * 1024 {
            bytes.reserveCapacity(256 + response.body.count)
            keepOpen = encoder.encode(
                response, requestMethod: method, requestVersion: version, keepAlive: keepAlive, into: &bytes)
            queue(bytes)
        } else {
            // Large: the head, then the body array itself (no copy), written in pieces as the socket drains.
            keepOpen = keepAlive && !response.headers.containsToken("close", in: "connection")
            let framing: ResponseEncoder.Framing =
                response.status.forbidsBody ? .none : .contentLength(response.body.count)
            bytes.reserveCapacity(512)
            encoder.encodeHead(
                status: response.status, headers: response.headers, framing: framing, requestVersion: version,
                keepAlive: keepOpen, into: &bytes)
            queue(bytes)
            if method != .HEAD, framing != .none { queue(response.body) }
        }
        flush()
        return keepOpen
    }

    /// Answers with a JSON error and closes (parse errors, timeouts).
    private func sendError(status: HTTPStatus, code: String, message: String) {
        let response = HTTPError(status, code: code, message: message).response
        _ = write(response, method: .GET, version: .http1_1, keepAlive: false)
        closeAfterWrite()
    }

    private func sendContinueIfDue() {
        guard continuePending, head != nil, inFlight == nil, pending.isEmpty, phase == .open else { return }
        continuePending = false
        queue(ResponseEncoder.continueResponse)
        flush()
    }

    private func closeAfterWrite() {
        guard phase == .open else { return }
        phase = .closingAfterWrite
        pending.removeAll()
        if readActive, let source = readSource {
            readActive = false
            source.suspend()
        }
        finishIfDone()
    }

    /// Closes once everything is written, when closing was asked or the peer half-closed.
    private func finishIfDone() {
        guard output.isEmpty else { return }
        switch phase {
        case .closingAfterWrite:
            startLingering()
        case .open:
            if peerHalfClosed, inFlight == nil, pending.isEmpty { teardown() }
        case .lingering, .closed:
            break
        }
    }

    /// Shuts our side down and keeps reading (discarding) for a moment, so the client gets the response
    /// instead of a reset caused by unread input.
    private func startLingering() {
        tls?.shutdown()
        socket.shutdownWrite()
        phase = .lingering
        lingerUntil = DispatchTime.now().uptimeNanoseconds + core.deadlines.linger
        if !readActive, let source = readSource {
            readActive = true
            source.resume()
        }
    }

    // MARK: Writing

    private func queue(_ bytes: [UInt8]) {
        guard !bytes.isEmpty else { return }
        if output.isEmpty { lastWriteAt = DispatchTime.now().uptimeNanoseconds }
        output.append(bytes)
        outputBytes += bytes.count
    }

    private func flush() {
        while let first = output.first {
            let result = first.withUnsafeBytes { raw in
                transportWrite(UnsafeRawBufferPointer(rebasing: raw[outputOffset...]))
            }
            switch result {
            case .bytes(let count):
                lastWriteAt = DispatchTime.now().uptimeNanoseconds
                outputOffset += count
                outputBytes -= count
                if outputOffset == first.count {
                    output.removeFirst()
                    outputOffset = 0
                }
            case .wouldBlock, .endOfFile:
                armWrite()
                return
            case .failed:
                teardown()
                return
            }
        }
        disarmWrite()
    }

    private func transportWrite(_ buffer: UnsafeRawBufferPointer) -> Socket.IOResult {
        if let tls { return tls.write(buffer) }
        return socket.write(buffer)
    }

    private func onWritable() {
        lock.withLock { onWritableLocked() }
    }

    private func onWritableLocked() {
        guard phase != .closed else { return }
        if handshaking {
            driveHandshake()
            return
        }
        if tls?.wantsWriteForRead == true, phase == .open {
            disarmWrite()
            readLoop()
            if phase == .closed { return }
        }
        guard !output.isEmpty else {
            disarmWrite()
            return
        }
        flush()
        guard phase != .closed, output.isEmpty else { return }
        if phase == .open {
            startNext()
            updateReadInterest()
        }
        finishIfDone()
    }

    private func armWrite() {
        guard !writeActive, phase != .closed else { return }
        if writeSource == nil {
            let source = DispatchSource.makeWriteSource(fileDescriptor: socket.descriptor, queue: loop.queue)
            source.setEventHandler { [unowned self] in self.onWritable() }
            source.setCancelHandler { [self] in self.sourceCancelled() }
            liveSources += 1
            writeSource = source
        }
        writeActive = true
        writeSource?.resume()
    }

    private func disarmWrite() {
        guard writeActive, let source = writeSource else { return }
        writeActive = false
        source.suspend()
    }

    // MARK: Timeouts

    /// Called by the loop's sweep: enforces whichever timeout applies to the connection's current state.
    func checkTimeouts(now: UInt64) {
        lock.withLock { checkTimeoutsLocked(now: now) }
    }

    private func checkTimeoutsLocked(now: UInt64) {
        let limits = core.deadlines
        switch phase {
        case .closed:
            return
        case .lingering:
            if now > lingerUntil { teardown() }
            return
        case .open, .closingAfterWrite:
            break
        }
        if probeSent, inFlight != nil, socket.pendingError() != 0 {
            // The probe after the peer's FIN was reset: the client is gone, stop its handler.
            core.logger.debug("client gone while its request was handled", metadata: ["remote": "\(remote)"])
            teardown()
            return
        }
        if !output.isEmpty {
            if now > lastWriteAt + limits.write {
                core.logger.debug("write timeout", metadata: ["remote": "\(remote)"])
                teardown()
            }
            return
        }
        if handshaking {
            if now > acceptedAt + limits.handshake { teardown() }
            return
        }
        guard phase == .open, inFlight == nil, pending.isEmpty, !peerHalfClosed else { return }
        if head != nil {
            if now > lastReadAt + limits.body {
                sendError(status: .requestTimeout, code: "request_timeout", message: "The request body stalled.")
            }
        } else if parser.isIdle {
            let limit = requestsAnswered > 0 ? limits.idle : limits.header
            if now > requestStartedAt + limit { teardown() }
        } else if now > requestStartedAt + limits.header {
            sendError(
                status: .requestTimeout, code: "request_timeout", message: "The request header took too long.")
        }
    }
}
