#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// An error from a POSIX socket call: the call that failed and the `errno` captured right after it.
public enum SocketError: Error, Equatable, Sendable, CustomStringConvertible {
    /// `call` failed with `errno`.
    case failed(call: String, errno: Int32)
    /// A host string that is not a numeric IPv4 or IPv6 address.
    case invalidAddress(String)

    /// The `errno` of a failed call, if any.
    public var errno: Int32? {
        switch self {
        case .failed(_, let code): return code
        case .invalidAddress: return nil
        }
    }

    public var description: String {
        switch self {
        case .failed(let call, let code):
            return "\(call) failed: \(String(cString: strerror(code))) (errno \(code))"
        case .invalidAddress(let host):
            return "invalid address: \(host)"
        }
    }
}
