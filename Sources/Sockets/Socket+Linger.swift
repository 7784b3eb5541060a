#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

extension Socket {
    /// Sets `SO_LINGER` to zero, so that closing the socket sends a TCP reset instead of a FIN (a client that
    /// vanishes; for tests and tools).
    public func setResetOnClose() throws(SocketError) {
        var value = linger(l_onoff: 1, l_linger: 0)
        let result = setsockopt(descriptor, SOL_SOCKET, SO_LINGER, &value, socklen_t(MemoryLayout<linger>.size))
        guard result == 0 else { throw .failed(call: "setsockopt(SO_LINGER)", errno: errno) }
    }
}
