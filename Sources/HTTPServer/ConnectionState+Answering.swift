import HTTP1

/// Queueing requests, answering them in order, and what every event ends with (`settle`).
extension ConnectionState {
    mutating func emit(_ action: Action) {
        emitted.append(action)
    }

    /// The actions emitted so far, handed over.
    mutating func take() -> [Action] {
        defer { emitted = [] }
        return emitted
    }

    mutating func enqueue(_ work: Work, now: UInt64) {
        pending.append(work)
        startNext(now: now)
    }

    /// Starts the next queued work when nothing runs and the output is below its high-water mark.
    mutating func startNext(now: UInt64) {
        guard running == nil, phase == .open, !pending.isEmpty, output.bytes < settings.outputHighWater else { return }
        switch pending.removeFirst() {
        case .failure(let error):
            pending.removeAll()
            sendError(HTTPError(error.status, code: error.code, message: error.message), now: now)
        case .request(let request):
            running = Running(head: request.head, bodyBytes: request.body.count)
            emit(.startHandler(request))
        }
    }

    /// Queues a response; returns whether the connection stays open.
    mutating func queue(
        _ response: Response, method: HTTPMethod, version: HTTPVersion, keepAlive: Bool, now: UInt64
    ) -> Bool {
        var bytes: [UInt8] = []
        let keepOpen: Bool
        if response.body.count <= 64 * 1024 {
            bytes.reserveCapacity(256 + response.body.count)
            keepOpen = encoder.encode(
                response, requestMethod: method, requestVersion: version, keepAlive: keepAlive, into: &bytes)
            queue(bytes, now: now)
        } else {
            // Large: the head, then the body array itself (no copy), written in pieces as the socket drains.
            keepOpen = keepAlive && !response.headers.containsToken("close", in: "connection")
            let framing: ResponseEncoder.Framing =
                response.status.forbidsBody ? .none : .contentLength(response.body.count)
            bytes.reserveCapacity(512)
            encoder.encodeHead(
                status: response.status, headers: response.headers, framing: framing, requestVersion: version,
                keepAlive: keepOpen, into: &bytes)
            queue(bytes, now: now)
            if method != .HEAD, framing != .none { queue(response.body, now: now) }
        }
        return keepOpen
    }

    mutating func queue(_ bytes: [UInt8], now: UInt64) {
        guard !bytes.isEmpty else { return }
        if output.bytes == 0 {
            output = Output(bytes: 0, since: now, writtenSince: 0, lastProgress: now)
        }
        output.bytes += bytes.count
        emit(.write(bytes))
    }

    /// Answers with a JSON error and closes after writing it (parse errors, request timeouts).
    mutating func sendError(_ error: HTTPError, now: UInt64) {
        _ = queue(error.response, method: .GET, version: .http1_1, keepAlive: false, now: now)
        closeAfterWrite()
    }

    /// Nothing more is read or started; the queued output is written, then the connection lingers.
    mutating func closeAfterWrite() {
        guard phase == .open else { return }
        phase = .closingAfterWrite
        pending.removeAll()
        pipelinedBytes = running?.bodyBytes ?? 0
    }

    /// Closes now, cancelling the handler.
    mutating func close(_ reason: CloseReason) {
        guard phase != .closed else { return }
        if running != nil {
            running = nil
            emit(.cancelHandler)
        }
        phase = .closed
        pending.removeAll()
        pipelinedBytes = 0
        output = Output()
        armedDeadline = nil
        emit(.close(reason))
    }

    /// What every event ends with: start what can start, send a due `100 Continue`, close what is done, restart
    /// the waiting clocks, adjust reading and the timer. Returns the event's actions.
    mutating func settle(now: UInt64) -> [Action] {
        startNext(now: now)
        pullStreamIfRoom()
        sendContinueIfDue(now: now)
        finishIfDone(now: now)
        guard phase != .closed else { return take() }
        noteWaiting(now: now)
        updateReadInterest()
        let deadline = nextTimer(includingProbe: true)?.deadline
        if deadline != armedDeadline {
            armedDeadline = deadline
            emit(deadline.map { .armTimer($0) } ?? .cancelTimer)
        }
        return take()
    }

    /// Sends `100 Continue` to a request that expects it once nothing is ahead of it; its body timers start then.
    private mutating func sendContinueIfDue(now: UInt64) {
        guard phase == .open, running == nil, pending.isEmpty, case .body(let body) = input, body.continueDue else {
            return
        }
        updateBody { body in
            body.continueDue = false
            body.timersSince = now
            body.lastReadAt = now
            body.bytesSinceTimers = 0
        }
        queue(ResponseEncoder.continueResponse, now: now)
    }

    /// Shuts our side down once everything is written, when closing; closes once a half-closed peer has all its
    /// answers.
    private mutating func finishIfDone(now: UInt64) {
        guard output.bytes == 0 else { return }
        switch phase {
        case .closingAfterWrite:
            // Keep reading (discarding) for a moment, so the client gets the answer instead of a reset caused by
            // unread input.
            phase = .lingering(until: Self.adding(now, settings.linger))
            emit(.shutdownWrite)
        case .open:
            if case .halfClosed = input, running == nil, pending.isEmpty { close(.finished) }
        case .handshaking, .lingering, .closed:
            break
        }
    }

    /// When the connection goes from busy to waiting for its client, the waiting clocks start: the idle timer, and
    /// the body timers of a body the server could not read meanwhile.
    private mutating func noteWaiting(now: UInt64) {
        guard phase == .open else { return }
        if isBusy {
            waitingSince = nil
        } else if waitingSince == nil {
            waitingSince = now
            updateBody { body in
                body.timersSince = now
                body.lastReadAt = now
                body.bytesSinceTimers = 0
            }
        }
    }

    /// Reads only while there is room: few and small enough queued requests, little enough queued output.
    private mutating func updateReadInterest() {
        let wanted: Bool
        switch phase {
        case .handshaking, .lingering:
            wanted = true
        case .closingAfterWrite, .closed:
            wanted = false
        case .open:
            switch input {
            case .halfClosed, .failed:
                wanted = false
            case .idle, .head, .body:
                // (With nothing waiting, a limit of 0 does not stop a connection from reading its next request.)
                wanted =
                    (pending.isEmpty || pending.count < settings.maxPipelinedRequests)
                    && (pipelinedBytes == 0 || pipelinedBytes < settings.maxPipelinedBytes)
                    && output.bytes < settings.outputHighWater
            }
        }
        if wanted == readingPaused {
            readingPaused = !wanted
            emit(wanted ? .resumeReading : .pauseReading)
        }
    }
}
