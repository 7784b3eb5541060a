import Sockets

/// Reading, writing and the TLS handshake: readiness in, events to the state out. Called holding `lock`, except
/// the entry points `handle(_:)` and `onReadable()`, which take it.
extension Connection {
    /// The poller's readiness for the socket, on the loop's thread.
    func handle(_ events: Poller.Events) {
        lock.withLock {
            guard !closed else { return }
            let failed = !events.isDisjoint(with: [.hangup, .error])
            if events.contains(.readable) || failed {
                if readActive {
                    readable()
                } else if interest.contains(.readable) {
                    // Reading was paused since the interest was set: stop watching until it resumes.
                    updateInterest()
                }
            }
            if closed { return }
            if writeActive, events.contains(.writable) || failed { writable() }
            if closed { return }
            if failed, !readActive, !writeActive, registered {
                // A hang-up or error is reported whatever the interest: unregister until there is something to do
                // (reading or writing resumes and finds the failure itself), or the loop would spin on it.
                loop.poller.remove(socket.descriptor)
                registered = false
                interest = []
            }
        }
    }

    /// Reads (or continues the handshake) now: for input OpenSSL may hold where the poller cannot see it.
    func onReadable() {
        lock.withLock {
            guard !closed, readActive || handshaking else { return }
            readable()
        }
    }

    private func readable() {
        let now = Self.now()
        if handshaking {
            driveHandshake(now: now)
        } else {
            readLoop(now: now)
        }
    }

    private func writable() {
        let now = Self.now()
        if handshaking {
            driveHandshake(now: now)
            return
        }
        if tls?.wantsWriteForRead == true, readActive {
            disarmWrite()
            readLoop(now: now)
            if closed { return }
        }
        guard !output.isEmpty else {
            disarmWrite()
            return
        }
        run(flush(now: now), now: now)
    }

    /// Brings the poller's registration in line with `readActive` and `writeActive` (registering the socket again
    /// after a hang-up unregistered it). A refusal by the poller fails the transport.
    func updateInterest() {
        guard !closed else { return }
        var wanted: Poller.Events = []
        if readActive { wanted.insert(.readable) }
        if writeActive { wanted.insert(.writable) }
        do {
            if registered {
                guard wanted != interest else { return }
                try loop.poller.modify(socket.descriptor, token: token, interest: wanted)
            } else {
                guard !wanted.isEmpty else { return }
                try loop.poller.add(socket.descriptor, token: token, interest: wanted)
                registered = true
            }
            interest = wanted
        } catch {
            core.logger.debug("poller refused the connection", metadata: ["remote": "\(remote)", "error": "\(error)"])
            if registered {
                loop.poller.remove(socket.descriptor)
                registered = false
            }
            interest = []
            run(state.transportFailed(), now: Self.now())
        }
    }

    /// Reads while the state wants input (at most 16 reads, then the source fires again).
    func readLoop(now: UInt64) {
        let buffer = loop.readBuffer
        for _ in 0..<16 {
            guard !closed, readActive else { return }
            switch transportRead(buffer) {
            case .bytes(let count):
                run(state.bytesReceived(UnsafeRawBufferPointer(rebasing: buffer[0..<count]), now: now), now: now)
                // A short plain read drained the socket; the level-triggered poller reports more.
                if tls == nil, count < buffer.count { return }
            case .wouldBlock:
                if tls?.wantsWriteForRead == true { armWrite() }
                return
            case .endOfFile:
                run(state.peerClosed(now: now), now: now)
                return
            case .failed:
                run(state.transportFailed(), now: now)
                return
            }
        }
        // More may be buffered inside OpenSSL, where the poller cannot see it.
        if tls != nil { loop.execute { self.onReadable() } }
    }

    private func transportRead(_ buffer: UnsafeMutableRawBufferPointer) -> Socket.IOResult {
        if let tls { return tls.read(into: buffer) }
        return socket.read(into: buffer)
    }

    /// Writes what the socket takes; returns the state's reaction (to the progress, or to a failure).
    func flush(now: UInt64) -> [ConnectionState.Action] {
        var written = 0
        var blocked = false
        while !blocked, let first = output.first {
            let result = first.withUnsafeBytes { raw in
                transportWrite(UnsafeRawBufferPointer(rebasing: raw[outputOffset...]))
            }
            switch result {
            case .bytes(let count):
                written += count
                outputOffset += count
                if outputOffset == first.count {
                    output.removeFirst()
                    outputOffset = 0
                }
            case .wouldBlock, .endOfFile:
                blocked = true
            case .failed:
                return state.transportFailed()
            }
        }
        if blocked { armWrite() } else { disarmWrite() }
        outputBytes -= written
        core.releaseQueuedWriteBytes(written)
        return written > 0 ? state.wrote(written, now: now) : []
    }

    private func transportWrite(_ buffer: UnsafeRawBufferPointer) -> Socket.IOResult {
        if let tls { return tls.write(buffer) }
        return socket.write(buffer)
    }

    private func driveHandshake(now: UInt64) {
        guard let tls else { return }
        switch tls.handshake() {
        case .done:
            handshaking = false
            disarmWrite()
            run(state.handshakeCompleted(now: now), now: now)
            readLoop(now: now)
        case .wantRead:
            disarmWrite()
        case .wantWrite:
            armWrite()
        case .failed:
            core.logger.debug("TLS handshake failed", metadata: ["remote": "\(remote)"])
            run(state.transportFailed(), now: now)
        }
    }

    func armWrite() {
        guard !writeActive, !closed else { return }
        writeActive = true
        updateInterest()
    }

    func disarmWrite() {
        guard writeActive else { return }
        writeActive = false
        updateInterest()
    }
}
