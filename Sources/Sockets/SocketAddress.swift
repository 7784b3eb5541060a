#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// An IPv4 or IPv6 socket address (numeric hosts only; no name resolution).
public struct SocketAddress: Sendable, Equatable, CustomStringConvertible {
    /// The address family.
    public enum Family: Sendable, Equatable {
        case ipv4
        case ipv6
    }

    /// The raw storage (a `sockaddr_in` or `sockaddr_in6`).
    public private(set) var storage: sockaddr_storage

    /// IPv4 or IPv6.
    public var family: Family {
        Int32(storage.ss_family) == AF_INET6 ? .ipv6 : .ipv4
    }

    /// The length of the meaningful part of `storage`.
    public var length: socklen_t {
        family == .ipv6
            ? socklen_t(MemoryLayout<sockaddr_in6>.size) : socklen_t(MemoryLayout<sockaddr_in>.size)
    }

    /// Wraps raw storage as filled by `accept` or `getsockname`.
    public init(storage: sockaddr_storage) {
        self.storage = storage
    }

    /// Parses a numeric IPv4 (`127.0.0.1`) or IPv6 (`::1`, `[::1]`) host. `""` and `"*"` mean any IPv4
    /// address; `"::"` means any IPv6 address (dual-stack when the listener asks for it).
    public init(host: String, port: UInt16) throws(SocketError) {
        var storage = sockaddr_storage()
        var name = host
        if name.hasPrefix("[") && name.hasSuffix("]") {
            name = String(name.dropFirst().dropLast())
        }
        if name.isEmpty || name == "*" {
            name = "0.0.0.0"
        }
        var ipv4 = in_addr()
        var ipv6 = in6_addr()
        if inet_pton(AF_INET, name, &ipv4) == 1 {
            withUnsafeMutableBytes(of: &storage) { raw in
                let address = raw.baseAddress!.assumingMemoryBound(to: sockaddr_in.self)
                address.pointee.sin_family = sa_family_t(AF_INET)
                address.pointee.sin_port = port.bigEndian
                address.pointee.sin_addr = ipv4
            }
        } else if inet_pton(AF_INET6, name, &ipv6) == 1 {
            withUnsafeMutableBytes(of: &storage) { raw in
                let address = raw.baseAddress!.assumingMemoryBound(to: sockaddr_in6.self)
                address.pointee.sin6_family = sa_family_t(AF_INET6)
                address.pointee.sin6_port = port.bigEndian
                address.pointee.sin6_addr = ipv6
            }
        } else {
            throw .invalidAddress(host)
        }
        self.storage = storage
    }

    /// The port, in host byte order.
    public var port: UInt16 {
        withUnsafeBytes(of: storage) { raw in
            switch family {
            case .ipv4: return UInt16(bigEndian: raw.load(as: sockaddr_in.self).sin_port)
            case .ipv6: return UInt16(bigEndian: raw.load(as: sockaddr_in6.self).sin6_port)
            }
        }
    }

    /// The numeric host (`127.0.0.1`, `::1`).
    public var host: String {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        withUnsafeBytes(of: storage) { raw in
            switch family {
            case .ipv4:
                var address = raw.load(as: sockaddr_in.self).sin_addr
                _ = inet_ntop(AF_INET, &address, &buffer, socklen_t(buffer.count))
            case .ipv6:
                var address = raw.load(as: sockaddr_in6.self).sin6_addr
                _ = inet_ntop(AF_INET6, &address, &buffer, socklen_t(buffer.count))
            }
        }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// `host:port`, or `[host]:port` for IPv6.
    public var description: String {
        family == .ipv6 ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    public static func == (lhs: SocketAddress, rhs: SocketAddress) -> Bool {
        lhs.family == rhs.family && lhs.port == rhs.port && lhs.host == rhs.host
    }

    /// Calls `body` with the address as a `sockaddr` pointer and its length.
    public func withSockAddr<R>(_ body: (UnsafePointer<sockaddr>, socklen_t) throws -> R) rethrows -> R {
        var copy = storage
        let length = self.length
        return try withUnsafePointer(to: &copy) { pointer in
            try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { try body($0, length) }
        }
    }
}
