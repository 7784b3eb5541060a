import HTTP1

/// The events. Each returns the actions it causes, in order; a closed state returns none.
extension ConnectionState {
    /// The TLS handshake finished.
    mutating func handshakeCompleted(now: UInt64) -> [Action] {
        guard case .handshaking = phase else { return [] }
        phase = .open
        return settle(now: now)
    }

    /// Bytes arrived from the peer (already decrypted).
    mutating func bytesReceived(_ bytes: UnsafeRawBufferPointer, now: UInt64) -> [Action] {
        guard !bytes.isEmpty, startReceiving(now: now) else { return [] }
        parser.append(bytes)
        parse(now: now)
        return settle(now: now)
    }

    /// Bytes arrived from the peer (already decrypted).
    mutating func bytesReceived(_ bytes: [UInt8], now: UInt64) -> [Action] {
        bytes.withUnsafeBytes { bytesReceived($0, now: now) }
    }

    /// The peer closed its sending side (end of file).
    mutating func peerClosed(now: UInt64) -> [Action] {
        switch phase {
        case .closed, .closingAfterWrite:
            return []
        case .lingering:
            close(.finished)
            return take()
        case .handshaking:
            close(.peerClosed)
            return take()
        case .open:
            break
        }
        guard isBetweenRequests else {
            // Gone in the middle of a request: nobody will read an answer.
            close(.peerClosed)
            return take()
        }
        guard isBusy else {
            close(.peerClosed)
            return take()
        }
        // Half-closed, or gone: the two look the same until something is sent. Answer what was asked, then close.
        input = .halfClosed
        // While a handler runs, probe with an interim `100 Continue` (RFC 9110 §15.2: HTTP/1.1 clients accept
        // unexpected 1xx): a client that really closed answers it with a reset, which `.checkPeer` finds. Only
        // between messages, and never to HTTP/1.0.
        if var current = running, current.stream == nil, output.bytes == 0, current.head.version >= .http1_1 {
            current.probedAt = now
            running = current
            queue(ResponseEncoder.continueResponse, now: now)
        }
        return settle(now: now)
    }

    /// Reading or writing failed (reset, broken pipe, TLS error), or `.checkPeer` found a reset.
    mutating func transportFailed(_ reason: CloseReason = .failed) -> [Action] {
        close(reason)
        return take()
    }

    /// The socket took `count` bytes of the queued output.
    mutating func wrote(_ count: Int, now: UInt64) -> [Action] {
        guard count > 0, phase != .closed, output.bytes > 0 else { return [] }
        output.bytes -= min(count, output.bytes)
        output.writtenSince += count
        output.lastProgress = now
        return settle(now: now)
    }

    /// The running handler answered.
    mutating func handlerFinished(_ response: Response, now: UInt64) -> [Action] {
        guard phase == .open, let current = running, current.stream == nil else { return [] }
        if response.stream != nil {
            startStream(response, for: current, now: now)
            return settle(now: now)
        }
        running = nil
        pipelinedBytes -= current.bodyBytes
        requestsAnswered += 1
        let halfClosed = if case .halfClosed = input { true } else { false }
        let keepAlive = current.head.keepAlive && !shutdownRequested && !(halfClosed && pending.isEmpty)
        let keepOpen = queue(
            response, method: current.head.method, version: current.head.version, keepAlive: keepAlive, now: now)
        if !keepOpen { closeAfterWrite() }
        return settle(now: now)
    }

    /// Time passed: fires whichever timer is due at `now` (a deadline equal to `now` is due).
    mutating func tick(now: UInt64) -> [Action] {
        if let (deadline, timer) = nextTimer(includingProbe: false), now >= deadline {
            fire(timer, now: now)
            return settle(now: now)
        }
        if let probedAt = running?.probedAt, now >= probedAt {
            emit(.checkPeer)
        }
        return take()
    }

    /// The server shuts down: an idle connection closes now; a busy one finishes the request it has (its answer
    /// says `Connection: close`) and then closes.
    mutating func shutdown(now: UInt64) -> [Action] {
        guard phase != .closed else { return [] }
        shutdownRequested = true
        switch phase {
        case .handshaking:
            close(.shutdown)
            return take()
        case .open where !isBusy && isBetweenRequests:
            close(.shutdown)
            return take()
        default:
            return settle(now: now)
        }
    }

    /// The shutdown deadline passed: close now, cancelling the handler.
    mutating func abort() -> [Action] {
        close(.aborted)
        return take()
    }
}

extension ConnectionState {
    /// Notes the first byte of a request and the time of a body read; false when input is not being read.
    private mutating func startReceiving(now: UInt64) -> Bool {
        guard phase == .open else { return false }  // Discarded while lingering; not read otherwise.
        switch input {
        case .idle:
            input = .head(since: now)
        case .head:
            break
        case .body:
            updateBody { $0.lastReadAt = now }
        case .halfClosed, .failed:
            return false
        }
        return true
    }

    /// Runs the parser over what it has buffered, queueing complete requests (and a parse error).
    private mutating func parse(now: UInt64) {
        while phase == .open {
            if case .failed = input { return }
            let event: ParseEvent?
            do {
                event = try parser.next()
            } catch {
                input = .failed
                enqueue(.failure(error), now: now)
                return
            }
            guard let event else { return }
            switch event {
            case .head(let head):
                input = .body(Body(head: head, timersSince: now, lastReadAt: now, continueDue: head.expectsContinue))
            case .body(let bytes):
                updateBody { body in
                    if body.bytes.isEmpty { body.bytes = bytes } else { body.bytes.append(contentsOf: bytes) }
                    body.bytesSinceTimers += bytes.count
                }
            case .end(let trailers):
                guard case .body(let body) = input else { continue }
                input = parser.isIdle ? .idle : .head(since: now)
                pipelinedBytes += body.bytes.count
                enqueue(.request(Request(head: body.head, body: body.bytes, trailers: trailers)), now: now)
            }
        }
    }

    /// Mutates the body being read in place (the enum gives up its copy first, so appends do not copy it).
    mutating func updateBody(_ change: (inout Body) -> Void) {
        guard case .body(var body) = input else { return }
        input = .idle
        change(&body)
        input = .body(body)
    }
}
