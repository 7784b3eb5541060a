import Dispatch
import Sockets

/// Reading, writing and the TLS handshake: readiness in, events to the state out. Called holding `lock`.
extension Connection {
    func onReadable() {
        lock.withLock {
            guard !closed else { return }
            let now = Self.now()
            if handshaking {
                driveHandshake(now: now)
            } else {
                readLoop(now: now)
            }
        }
    }

    func onWritable() {
        lock.withLock {
            guard !closed else { return }
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
    }

    /// Reads while the state wants input (at most 16 reads, then the source fires again).
    func readLoop(now: UInt64) {
        let buffer = loop.readBuffer
        for _ in 0..<16 {
            guard !closed, readActive else { return }
            switch transportRead(buffer) {
            case .bytes(let count):
                run(state.bytesReceived(UnsafeRawBufferPointer(rebasing: buffer[0..<count]), now: now), now: now)
                // A short plain read drained the socket; the level-triggered source fires again for more.
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
        // More may be buffered inside OpenSSL, where the read source cannot see it.
        if tls != nil { loop.queue.async { self.onReadable() } }
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

    func disarmWrite() {
        guard writeActive, let source = writeSource else { return }
        writeActive = false
        source.suspend()
    }
}
