import COpenSSL
import Sockets

/// One connection's OpenSSL state over a non-blocking socket. Used only on its connection's queue.
final class TLSSession {
    /// The result of a handshake step.
    enum HandshakeResult {
        case done
        case wantRead
        case wantWrite
        case failed
    }

    private let ssl: OpaquePointer
    /// Set when the last read or write asked for the other readiness (rare: renegotiation-like records).
    private(set) var wantsWriteForRead = false

    init?(context: TLSContext, descriptor: Int32) {
        guard let ssl = SSL_new(context.context) else { return nil }
        self.ssl = ssl
        SSL_set_fd(ssl, descriptor)
        SSL_set_accept_state(ssl)
    }

    deinit {
        SSL_free(ssl)
    }

    func handshake() -> HandshakeResult {
        ERR_clear_error()
        let result = SSL_do_handshake(ssl)
        if result == 1 { return .done }
        switch SSL_get_error(ssl, result) {
        case SSL_ERROR_WANT_READ: return .wantRead
        case SSL_ERROR_WANT_WRITE: return .wantWrite
        default:
            ERR_clear_error()
            return .failed
        }
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) -> Socket.IOResult {
        ERR_clear_error()
        let n = SSL_read(ssl, buffer.baseAddress, Int32(clamping: buffer.count))
        if n > 0 { return .bytes(Int(n)) }
        return map(SSL_get_error(ssl, n), reading: true)
    }

    func write(_ buffer: UnsafeRawBufferPointer) -> Socket.IOResult {
        guard !buffer.isEmpty else { return .bytes(0) }
        ERR_clear_error()
        let n = SSL_write(ssl, buffer.baseAddress, Int32(clamping: min(buffer.count, 1 << 20)))
        if n > 0 { return .bytes(Int(n)) }
        return map(SSL_get_error(ssl, n), reading: false)
    }

    /// Sends close_notify (best effort, non-blocking).
    func shutdown() {
        ERR_clear_error()
        _ = SSL_shutdown(ssl)
        ERR_clear_error()
    }

    private func map(_ error: Int32, reading: Bool) -> Socket.IOResult {
        switch error {
        case SSL_ERROR_WANT_READ:
            wantsWriteForRead = false
            return .wouldBlock
        case SSL_ERROR_WANT_WRITE:
            wantsWriteForRead = reading
            return .wouldBlock
        case SSL_ERROR_ZERO_RETURN:
            return reading ? .endOfFile : .failed(errno: 32)
        default:
            ERR_clear_error()
            // A peer that closes without close_notify reads as end of file.
            return reading ? .endOfFile : .failed(errno: 32)
        }
    }
}
