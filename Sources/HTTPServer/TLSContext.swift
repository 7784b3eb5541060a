import COpenSSL

/// An OpenSSL server context built from PEM files; shared by every TLS connection of a server.
final class TLSContext: @unchecked Sendable {
    /// Why a context could not be built.
    struct SetupError: Error, CustomStringConvertible {
        var step: String
        var detail: String
        var description: String { "TLS setup failed at \(step): \(detail)" }
    }

    // Immutable after init; OpenSSL contexts are safe to share once configured.
    let context: OpaquePointer

    init(configuration: TLSConfiguration) throws {
        guard let context = SSL_CTX_new(TLS_server_method()) else {
            throw SetupError(step: "SSL_CTX_new", detail: TLSContext.lastError())
        }
        self.context = context
        // TLS 1.2 at least (SSL_CTRL_SET_MIN_PROTO_VERSION = 123).
        _ = SSL_CTX_ctrl(context, 123, Int(TLS1_2_VERSION), nil)
        // SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER (SSL_CTRL_MODE = 33).
        _ = SSL_CTX_ctrl(context, 33, 0x1 | 0x2, nil)
        // SSL_OP_NO_RENEGOTIATION: client-initiated renegotiation is a denial-of-service lever.
        // SSL_OP_IGNORE_UNEXPECTED_EOF (OpenSSL 3): a TCP FIN without close_notify reads as a clean end of input
        // (SSL_ERROR_ZERO_RETURN) instead of a fatal error that also forbids writing. A client that half-closes
        // after its request then gets its answer, as over plain TCP. Truncation cannot pass for a request: the
        // framing is HTTP's (an end of input in the middle of a request closes the connection unanswered).
        _ = SSL_CTX_set_options(context, UInt64(1) << 30 | UInt64(1) << 7)
        guard SSL_CTX_use_certificate_chain_file(context, configuration.certificatePath) == 1 else {
            throw SetupError(step: "certificate \(configuration.certificatePath)", detail: TLSContext.lastError())
        }
        guard SSL_CTX_use_PrivateKey_file(context, configuration.keyPath, SSL_FILETYPE_PEM) == 1 else {
            throw SetupError(step: "private key \(configuration.keyPath)", detail: TLSContext.lastError())
        }
        guard SSL_CTX_check_private_key(context) == 1 else {
            throw SetupError(step: "key check", detail: TLSContext.lastError())
        }
    }

    deinit {
        SSL_CTX_free(context)
    }

    /// The oldest error on this thread's OpenSSL error queue, as text; clears the queue.
    static func lastError() -> String {
        let code = ERR_get_error()
        ERR_clear_error()
        guard code != 0 else { return "unknown error" }
        var buffer = [CChar](repeating: 0, count: 256)
        ERR_error_string_n(code, &buffer, buffer.count)
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
