import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// An owned socket descriptor. Closed at most once, by `close()` or when the last reference goes away.
public final class Socket: Sendable {
    /// The result of one non-blocking read or write.
    public enum IOResult: Sendable, Equatable {
        /// That many bytes were moved (always > 0).
        case bytes(Int)
        /// The call would block (`EAGAIN`/`EWOULDBLOCK`); wait for readiness.
        case wouldBlock
        /// The peer closed its sending side (reads only).
        case endOfFile
        /// The call failed with this `errno` (`ECONNRESET`, `EPIPE`, ...).
        case failed(errno: Int32)
    }

    /// The descriptor; do not close it yourself.
    public let descriptor: Int32
    private let closed = Atomic<Bool>(false)

    /// Takes ownership of `descriptor`.
    public init(descriptor: Int32) {
        self.descriptor = descriptor
        Socket.disableSIGPIPE(descriptor)
    }

    /// A new stream socket of the given family.
    public static func tcp(_ family: SocketAddress.Family) throws(SocketError) -> Socket {
        #if canImport(Darwin)
            let type = SOCK_STREAM
        #else
            let type = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        #endif
        let fd = socket(family == .ipv6 ? AF_INET6 : AF_INET, type, 0)
        guard fd >= 0 else { throw .failed(call: "socket", errno: errno) }
        return Socket(descriptor: fd)
    }

    deinit {
        if !closed.load(ordering: .acquiring) {
            _ = systemClose(descriptor)
        }
    }

    /// Whether `close()` has run.
    public var isClosed: Bool { closed.load(ordering: .acquiring) }

    /// Closes the descriptor; later calls do nothing.
    public func close() {
        let (exchanged, _) = closed.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing)
        if exchanged {
            _ = systemClose(descriptor)
        }
    }

    /// Makes reads and writes return `.wouldBlock` instead of blocking.
    public func setNonBlocking() throws(SocketError) {
        let flags = fcntl(descriptor, F_GETFL, 0)
        guard flags >= 0 else { throw .failed(call: "fcntl", errno: errno) }
        guard fcntl(descriptor, F_SETFL, flags | O_NONBLOCK) >= 0 else {
            throw .failed(call: "fcntl", errno: errno)
        }
    }

    /// `setsockopt` with an `Int32` value.
    public func setOption(level: Int32, name: Int32, value: Int32) throws(SocketError) {
        var value = value
        guard setsockopt(descriptor, level, name, &value, socklen_t(MemoryLayout<Int32>.size)) == 0 else {
            throw .failed(call: "setsockopt", errno: errno)
        }
    }

    /// Disables Nagle's algorithm, so small responses leave at once.
    public func setNoDelay() throws(SocketError) {
        try setOption(level: Int32(IPPROTO_TCP), name: TCP_NODELAY, value: 1)
    }

    /// Reads at most `buffer.count` bytes.
    public func read(into buffer: UnsafeMutableRawBufferPointer) -> IOResult {
        while true {
            let n = recv(descriptor, buffer.baseAddress, buffer.count, 0)
            if n > 0 { return .bytes(n) }
            if n == 0 { return buffer.isEmpty ? .bytes(0) : .endOfFile }
            let code = errno
            if code == EINTR { continue }
            if code == EAGAIN || code == EWOULDBLOCK { return .wouldBlock }
            return .failed(errno: code)
        }
    }

    /// Writes at most `buffer.count` bytes; never raises SIGPIPE.
    public func write(_ buffer: UnsafeRawBufferPointer) -> IOResult {
        guard !buffer.isEmpty else { return .bytes(0) }
        while true {
            let n = send(descriptor, buffer.baseAddress, buffer.count, Socket.sendFlags)
            if n > 0 { return .bytes(n) }
            let code = n == 0 ? EAGAIN : errno
            if code == EINTR { continue }
            if code == EAGAIN || code == EWOULDBLOCK { return .wouldBlock }
            return .failed(errno: code)
        }
    }

    /// Shuts down the sending side (`SHUT_WR`): the peer reads end-of-file.
    public func shutdownWrite() {
        #if canImport(Darwin)
            _ = shutdown(descriptor, SHUT_WR)
        #else
            _ = shutdown(descriptor, Int32(SHUT_WR))
        #endif
    }

    /// The pending error (`SO_ERROR`, cleared by reading it), or 0. After the peer resets the connection this is
    /// `ECONNRESET` or `EPIPE`.
    public func pendingError() -> Int32 {
        var code: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(descriptor, SOL_SOCKET, SO_ERROR, &code, &length) == 0 else { return errno }
        return code
    }

    /// The address this socket is bound to (`getsockname`).
    public func localAddress() throws(SocketError) -> SocketAddress {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let result = withUnsafeMutablePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        guard result == 0 else { throw .failed(call: "getsockname", errno: errno) }
        return SocketAddress(storage: storage)
    }

    /// The peer's address (`getpeername`).
    public func remoteAddress() throws(SocketError) -> SocketAddress {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let result = withUnsafeMutablePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { getpeername(descriptor, $0, &length) }
        }
        guard result == 0 else { throw .failed(call: "getpeername", errno: errno) }
        return SocketAddress(storage: storage)
    }

    /// Connects (blocking) to `address`; for tests and tools.
    public func connect(to address: SocketAddress) throws(SocketError) {
        let result = address.withSockAddr { pointer, length in
            systemConnect(descriptor, pointer, length)
        }
        guard result == 0 else { throw .failed(call: "connect", errno: errno) }
    }

    /// Makes writes to a closed peer return `EPIPE` instead of raising SIGPIPE, for the whole process.
    public static func ignoreSIGPIPE() {
        _ = signal(SIGPIPE, SIG_IGN)
    }

    #if canImport(Darwin)
        private static let sendFlags: Int32 = 0
        private static func disableSIGPIPE(_ fd: Int32) {
            var one: Int32 = 1
            _ = setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, socklen_t(MemoryLayout<Int32>.size))
        }
    #else
        private static let sendFlags = Int32(MSG_NOSIGNAL)
        private static func disableSIGPIPE(_ fd: Int32) {}
    #endif
}

private func systemClose(_ fd: Int32) -> Int32 {
    close(fd)
}

private func systemConnect(_ fd: Int32, _ address: UnsafePointer<sockaddr>, _ length: socklen_t) -> Int32 {
    connect(fd, address, length)
}
