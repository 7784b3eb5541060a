import HTTP1

/// The shell's side of a streamed answer: the producer (in the handler's task) waits for the state's
/// `.pullStream`, hands its piece over under the lock (it is written at once, as far as the socket takes it), and
/// reports the end or a failure. Teardown wakes a waiting producer with `CancellationError`.
extension Connection {
    /// Waits until the state asks for the next piece; throws `CancellationError` once the connection closed.
    func awaitStreamRoom() async throws {
        try Task.checkCancellation()
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            lock.withLock {
                if closed {
                    continuation.resume(throwing: CancellationError())
                } else if streamCredit {
                    streamCredit = false
                    continuation.resume()
                } else {
                    streamWaiter = continuation
                }
            }
        }
    }

    /// Hands a piece to the state (after `awaitStreamRoom`).
    func streamWrote(_ bytes: [UInt8]) throws {
        try lock.withLock { () throws -> Void in
            guard !closed else { throw CancellationError() }
            let now = Self.now()
            run(state.streamWrote(bytes, now: now), now: now)
        }
    }

    /// The producer returned: the body is complete.
    func streamEnded() {
        lock.withLock {
            guard !closed else { return }
            handler = nil
            let now = Self.now()
            run(state.streamEnded(now: now), now: now)
        }
    }

    /// The producer threw: unless the connection closed first (which is why it threw), the body ends abruptly.
    func streamFailed(_ error: any Error) {
        lock.withLock {
            guard !closed else { return }
            handler = nil
            core.logger.debug(
                "streamed response failed", metadata: ["remote": "\(remote)", "error": "\(String(describing: error))"])
            run(state.streamFailed(), now: Self.now())
        }
    }
}

extension Connection {
    /// The sink a connection hands to a streamed answer's producer.
    struct StreamSink: ResponseStream.Sink {
        let connection: Connection

        func write(_ bytes: [UInt8]) async throws {
            guard !bytes.isEmpty else { return try Task.checkCancellation() }
            try await connection.awaitStreamRoom()
            try connection.streamWrote(bytes)
        }
    }
}
