import Dispatch
import Sockets
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Waits (bounded) for a value delivered from another thread.
final class Box<T: Sendable>: @unchecked Sendable {
    private let semaphore = DispatchSemaphore(value: 0)
    private var value: T?
    func put(_ value: T) {
        self.value = value
        semaphore.signal()
    }
    func take(seconds: Double = 5) -> T? {
        guard semaphore.wait(timeout: .now() + seconds) == .success else { return nil }
        return value
    }
}

@Suite struct SocketAddressTests {
    @Test func socketAddress_ParsesIPv4() throws {
        let address = try SocketAddress(host: "127.0.0.1", port: 8080)
        #expect(address.family == .ipv4)
        #expect(address.port == 8080)
        #expect(address.description == "127.0.0.1:8080")
    }

    @Test func socketAddress_ParsesIPv6_WhenBracketed() throws {
        let address = try SocketAddress(host: "[::1]", port: 443)
        #expect(address.family == .ipv6)
        #expect(address.host == "::1")
        #expect(address.description == "[::1]:443")
    }

    @Test func socketAddress_Throws_WhenHostIsAName() {
        #expect(throws: SocketError.invalidAddress("localhost")) {
            try SocketAddress(host: "localhost", port: 1)
        }
    }
}

@Suite struct ListenerTests {
    @Test func listener_ReportsBoundPort_WhenPortIsZero() throws {
        let listener = try Listener(address: SocketAddress(host: "127.0.0.1", port: 0))
        defer { listener.close() }
        #expect(listener.localAddress.port != 0)
    }

    @Test func listener_ThrowsBindWithErrno_WhenPortIsTaken() throws {
        let first = try Listener(address: SocketAddress(host: "127.0.0.1", port: 0))
        defer { first.close() }
        let taken = try SocketAddress(host: "127.0.0.1", port: first.localAddress.port)
        #expect(throws: SocketError.failed(call: "bind", errno: EADDRINUSE)) {
            try Listener(address: taken)
        }
    }

    @Test func listener_AcceptsAndEchoes() throws {
        let listener = try Listener(address: SocketAddress(host: "127.0.0.1", port: 0))
        defer { listener.close() }
        let accepted = Box<Socket>()
        listener.start { socket, _ in accepted.put(socket) }

        let client = try Socket.tcp(.ipv4)
        try client.connect(to: SocketAddress(host: "127.0.0.1", port: listener.localAddress.port))
        let server = try #require(accepted.take())
        defer { server.close() }

        let hello: [UInt8] = Array("hello".utf8)
        #expect(hello.withUnsafeBytes { client.write($0) } == .bytes(5))
        var buffer = [UInt8](repeating: 0, count: 16)
        var result = Socket.IOResult.wouldBlock
        for _ in 0..<200 {
            result = buffer.withUnsafeMutableBytes { server.read(into: $0) }
            if result != .wouldBlock { break }
            usleep(5_000)
        }
        #expect(result == .bytes(5))
        #expect(Array(buffer[0..<5]) == hello)

        client.close()
        for _ in 0..<200 {
            result = buffer.withUnsafeMutableBytes { server.read(into: $0) }
            if result != .wouldBlock { break }
            usleep(5_000)
        }
        #expect(result == .endOfFile)
        // Writing to a closed peer fails with an errno instead of killing the process with SIGPIPE.
        var failed = false
        for _ in 0..<100 {
            if case .failed = hello.withUnsafeBytes({ server.write($0) }) {
                failed = true
                break
            }
            usleep(5_000)
        }
        #expect(failed)
    }

    @Test func listener_AcceptsIPv4Clients_WhenDualStack() throws {
        let listener: Listener
        do {
            listener = try Listener(address: SocketAddress(host: "::", port: 0), dualStack: true)
        } catch {
            return  // No IPv6 on this machine.
        }
        defer { listener.close() }
        let accepted = Box<SocketAddress>()
        listener.start { socket, address in
            accepted.put(address)
            socket.close()
        }
        let client = try Socket.tcp(.ipv4)
        defer { client.close() }
        try client.connect(to: SocketAddress(host: "127.0.0.1", port: listener.localAddress.port))
        let address = try #require(accepted.take())
        #expect(address.family == .ipv6)
        #expect(address.host == "::ffff:127.0.0.1")
    }

    @Test func listener_HoldsConnectionsInBacklog_WhenPaused() throws {
        let listener = try Listener(address: SocketAddress(host: "127.0.0.1", port: 0))
        defer { listener.close() }
        let accepted = Box<Socket>()
        listener.pause()
        listener.start { socket, _ in accepted.put(socket) }
        let client = try Socket.tcp(.ipv4)
        defer { client.close() }
        try client.connect(to: SocketAddress(host: "127.0.0.1", port: listener.localAddress.port))
        #expect(accepted.take(seconds: 0.2) == nil)
        listener.resume()
        let socket = try #require(accepted.take())
        socket.close()
    }
}

@Suite struct SocketTests {
    @Test func socket_ClosesOnce() throws {
        let socket = try Socket.tcp(.ipv4)
        socket.close()
        socket.close()
        #expect(socket.isClosed)
    }

    @Test func socket_ReportsErrno_WhenConnectIsRefused() throws {
        let listener = try Listener(address: SocketAddress(host: "127.0.0.1", port: 0))
        let port = listener.localAddress.port
        listener.close()
        let socket = try Socket.tcp(.ipv4)
        defer { socket.close() }
        #expect(throws: SocketError.failed(call: "connect", errno: ECONNREFUSED)) {
            try socket.connect(to: SocketAddress(host: "127.0.0.1", port: port))
        }
    }
}
