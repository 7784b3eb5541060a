import HTTP1

extension ConnectionState {
    /// What the shell must do, in order.
    enum Action: Equatable {
        /// Run the application for this request (in a task, off the I/O queue); report `handlerFinished`.
        case startHandler(Request)
        /// Append these bytes to the output and write what the socket takes; report `wrote`.
        case write([UInt8])
        /// Stop reading (the read source is suspended).
        case pauseReading
        /// Read again.
        case resumeReading
        /// Look for a pending socket error (a reset after the half-close probe); if there is one, report
        /// `transportFailed(.peerGone)`.
        case checkPeer
        /// Shut the sending side down (TLS close_notify, then TCP FIN). Input keeps being read (and discarded).
        case shutdownWrite
        /// Cancel the running handler's task (its answer will not be sent; a streamed body stops being produced).
        case cancelHandler
        /// Run the answer's `ResponseStream` (its head is queued); report each piece with `streamWrote`, the end
        /// with `streamEnded`, a failure with `streamFailed`.
        case startStream
        /// The stream's producer may hand over its next piece (the output is below its high-water mark).
        case pullStream
        /// Close the socket and forget the connection.
        case close(CloseReason)
        /// Tick at this instant (uptime nanoseconds) at the latest; replaces the previous deadline.
        case armTimer(UInt64)
        /// No tick is needed.
        case cancelTimer
    }

    /// Why a connection closed.
    enum CloseReason: Equatable, Sendable {
        /// After the last answer: the peer closed while lingering, or a half-closed peer got all its answers.
        case finished
        /// Lingering ran out before the peer closed.
        case lingerEnded
        /// The peer closed with nothing left to answer, or in the middle of a request.
        case peerClosed
        /// A reset after the half-close probe: the client is gone.
        case peerGone
        /// A read, write or TLS failure.
        case failed
        /// No request within `idle` (or `header`, for the first one).
        case idleTimeout
        /// Only empty lines within `header`.
        case headerTimeout
        /// The TLS handshake took longer than `handshake`.
        case handshakeTimeout
        /// Queued output made no progress for `write`.
        case writeTimeout
        /// The client read its answers slower than `minimumWriteRate`.
        case writeTooSlow
        /// Idle at server shutdown.
        case shutdown
        /// Still busy when the shutdown deadline passed.
        case aborted
        /// A streamed body's producer failed after the head was sent: the body ends abruptly.
        case streamFailed
    }
}
