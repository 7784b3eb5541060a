import Dispatch
import Foundation
import HTTP1
import Logging
import Sockets
import Synchronization

@testable import HTTPServer

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A logger that drops everything.
let quietLogger = Logger(label: "httpserver-tests") { _ in SwiftLogNoOpLogHandler() }

/// Configuration for tests: loopback, port 0, short timeouts unless given.
func testConfiguration(
    timeouts: ServerConfiguration.Timeouts = .init(
        header: .seconds(5), idle: .seconds(5), body: .seconds(5), write: .seconds(5), handshake: .seconds(5)),
    maxConnections: Int = 1024, limits: ParserLimits = .default, tls: TLSConfiguration? = nil
) -> ServerConfiguration {
    ServerConfiguration(
        host: "127.0.0.1", port: 0, limits: limits, timeouts: timeouts, maxConnections: maxConnections,
        gzip: .init(enabled: true, minimumBytes: 1024), tls: tls, ioThreads: 2)
}

/// Starts a server; returns it and its port.
func startServer(
    _ configuration: ServerConfiguration = testConfiguration(), _ build: (inout Router) -> Void
) throws -> (Server, Int) {
    var router = Router()
    build(&router)
    let server = Server(configuration: configuration, router: router.freeze(), logger: quietLogger)
    let port = try server.start()
    return (server, port)
}

/// Waits, bounded, until `condition` holds; returns whether it did.
func eventually(seconds: Double = 5, _ condition: () -> Bool) async -> Bool {
    let end = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
    while ContinuousClock.now < end {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(10))
    }
    return condition()
}

/// A parsed response as seen by a raw client.
struct RawResponse {
    var status: Int
    var headers: [(String, String)]
    var body: [UInt8]

    func header(_ name: String) -> String? {
        headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }
    var text: String { String(decoding: body, as: UTF8.self) }
}

/// A loopback client speaking raw bytes. Non-blocking underneath: reads and writes wait for the socket with `poll`
/// on a Dispatch thread, bounded in time,
/// so tests never block the cooperative thread pool the server's handlers run on.
final class RawClient: @unchecked Sendable {
    let socket: Socket
    private let timeout: Duration
    private var buffer: [UInt8] = []

    init(port: Int, receiveTimeout: Double = 5) throws {
        socket = try Socket.tcp(.ipv4)
        try socket.connect(to: SocketAddress(host: "127.0.0.1", port: UInt16(port)))
        try socket.setNonBlocking()
        timeout = .milliseconds(Int(receiveTimeout * 1000))
    }

    deinit { socket.close() }

    func send(_ text: String) async {
        await send(Array(text.utf8))
    }

    func send(_ bytes: [UInt8]) async {
        var offset = 0
        let end = ContinuousClock.now + timeout
        while offset < bytes.count, ContinuousClock.now < end {
            switch bytes[offset...].withUnsafeBytes({ socket.write($0) }) {
            case .bytes(let n): offset += n
            case .wouldBlock: await ready(Int32(POLLOUT), until: end)
            case .endOfFile, .failed: return
            }
        }
    }

    func shutdownWrite() { socket.shutdownWrite() }

    /// Closes with a reset (SO_LINGER 0) instead of a FIN.
    func reset() {
        try? socket.setResetOnClose()
        socket.close()
    }

    /// `POLLRDHUP` (Linux; its module does not export it): the peer shut down its sending side.
    #if os(Linux)
        static let peerHangUp: Int32 = 0x2000
    #else
        static let peerHangUp = Int32(POLLHUP)
    #endif

    /// Waits until the socket is ready for `events` (or hung up), or `until` passes: `poll(2)` on a Dispatch
    /// thread, so the test wakes on the socket's event, not on a timer, and no cooperative thread blocks.
    private func ready(_ events: Int32, until end: ContinuousClock.Instant) async {
        let remaining = end - ContinuousClock.now
        let milliseconds = Int32(
            clamping: max(
                0,
                remaining.components.seconds * 1000
                    + remaining.components.attoseconds / 1_000_000_000_000_000))
        let descriptor = socket.descriptor
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().async {
                var entry = pollfd(fd: descriptor, events: Int16(events), revents: 0)
                _ = poll(&entry, 1, milliseconds)
                continuation.resume()
            }
        }
    }

    private enum Fill { case data, closed, timedOut }

    /// One read into the buffer, waiting until `end` at most.
    private func fill(until end: ContinuousClock.Instant) async -> Fill {
        var chunk = [UInt8](repeating: 0, count: 256 * 1024)
        while ContinuousClock.now < end {
            switch chunk.withUnsafeMutableBytes({ socket.read(into: $0) }) {
            case .bytes(let n):
                buffer.append(contentsOf: chunk[0..<n])
                return .data
            case .wouldBlock:
                await ready(Int32(POLLIN), until: end)
            case .endOfFile, .failed:
                return .closed
            }
        }
        return .timedOut
    }

    /// Reads one final response, skipping interim (1xx) ones.
    func readFinalResponse() async -> RawResponse? {
        for _ in 0..<10 {
            guard let response = await readResponse() else { return nil }
            if response.status >= 200 { return response }
        }
        return nil
    }

    /// Reads one response (Content-Length framed); nil on EOF or timeout first. `head` skips the body.
    func readResponse(head: Bool = false) async -> RawResponse? {
        let deadline = ContinuousClock.now + timeout
        var end = findHeaderEnd()
        while end == nil {
            guard await fill(until: deadline) == .data else { return nil }
            end = findHeaderEnd()
        }
        guard let end else { return nil }
        let headText = String(decoding: buffer[0..<end], as: UTF8.self)
        var lines = headText.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else { return nil }
        var headers: [(String, String)] = []
        for line in lines where !line.isEmpty {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let value = String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces)
            headers.append((String(line[..<colon]), value))
        }
        buffer.removeSubrange(0..<(end + 4))
        var response = RawResponse(status: status, headers: headers, body: [])
        if head || status < 200 || status == 204 || status == 304 { return response }
        let length = Int(response.header("content-length") ?? "0") ?? 0
        while buffer.count < length {
            guard await fill(until: deadline) == .data else { return nil }
        }
        response.body = Array(buffer[0..<length])
        buffer.removeSubrange(0..<length)
        return response
    }

    /// Reads one `Transfer-Encoding: chunked` response: its head, then the chunks parsed strictly (hex size, CRLF,
    /// data, CRLF; a zero size, CRLF, CRLF ends it). Returns the response with the joined body and each chunk's
    /// size; nil on EOF, timeout or a framing error.
    func readChunkedResponse() async -> (response: RawResponse, chunks: [Int])? {
        guard var response = await readResponse(head: true) else { return nil }
        let deadline = ContinuousClock.now + timeout
        var chunks: [Int] = []
        var body: [UInt8] = []
        while true {
            var lineEnd = crlf(from: 0)
            while lineEnd == nil {
                guard await fill(until: deadline) == .data else { return nil }
                lineEnd = crlf(from: 0)
            }
            guard let lineEnd, let size = Int(String(decoding: buffer[0..<lineEnd], as: UTF8.self), radix: 16) else {
                return nil
            }
            while buffer.count < lineEnd + 2 + size + 2 {
                guard await fill(until: deadline) == .data else { return nil }
            }
            let data = (lineEnd + 2)..<(lineEnd + 2 + size)
            guard buffer[data.upperBound] == 13, buffer[data.upperBound + 1] == 10 else { return nil }
            body.append(contentsOf: buffer[data])
            buffer.removeSubrange(0..<(data.upperBound + 2))
            if size == 0 { break }
            chunks.append(size)
        }
        response.body = body
        return (response, chunks)
    }

    /// Reads a response head, then everything until the server closes (a close-delimited body).
    func readUntilClosed() async -> RawResponse? {
        guard var response = await readResponse(head: true) else { return nil }
        let deadline = ContinuousClock.now + timeout
        while true {
            switch await fill(until: deadline) {
            case .data: continue
            case .closed:
                response.body = buffer
                buffer.removeAll()
                return response
            case .timedOut: return nil
            }
        }
    }

    private func crlf(from start: Int) -> Int? {
        guard buffer.count >= start + 2 else { return nil }
        for i in start..<(buffer.count - 1) where buffer[i] == 13 && buffer[i + 1] == 10 { return i }
        return nil
    }

    /// Whether the server closes the connection (EOF or reset) within the timeout, sending nothing more.
    func isClosedByServer() async -> Bool {
        let before = buffer.count
        let end = ContinuousClock.now + timeout
        while true {
            switch await fill(until: end) {
            case .closed: return buffer.count == before
            case .timedOut: return false
            case .data: continue
            }
        }
    }

    /// Whether the server closes the connection within the timeout (whatever it sends first).
    func waitForClose() async -> Bool {
        let end = ContinuousClock.now + timeout
        while true {
            switch await fill(until: end) {
            case .closed: return true
            case .timedOut: return false
            case .data: continue
            }
        }
    }

    /// Reads like a slow client: at most `bytesPerRead` bytes, then no more for `pause` unless the server hangs up
    /// first (the wait ends on that event), until the server closes (true) or the timeout passes (false). Returns
    /// the bytes read and whether the server closed.
    func readSlowly(bytesPerRead: Int, pause: Duration) async -> (count: Int, closed: Bool) {
        var chunk = [UInt8](repeating: 0, count: bytesPerRead)
        var count = buffer.count
        buffer.removeAll()
        let end = ContinuousClock.now + timeout
        while ContinuousClock.now < end {
            switch chunk.withUnsafeMutableBytes({ socket.read(into: $0) }) {
            case .bytes(let n):
                count += n
                // The pace of a slow reader: wake early only when the server hangs up.
                await ready(Self.peerHangUp, until: min(end, ContinuousClock.now + pause))
            case .wouldBlock:
                await ready(Int32(POLLIN), until: end)
            case .endOfFile, .failed:
                return (count, true)
            }
        }
        return (count, false)
    }

    private func findHeaderEnd() -> Int? {
        guard buffer.count >= 4 else { return nil }
        for index in 0...(buffer.count - 4)
        where buffer[index] == 13 && buffer[index + 1] == 10 && buffer[index + 2] == 13 && buffer[index + 3] == 10 {
            return index
        }
        return nil
    }
}

/// A flag set from handlers.
final class Flag: Sendable {
    private let value = Atomic<Int>(0)
    func set() { value.store(1, ordering: .releasing) }
    var isSet: Bool { value.load(ordering: .acquiring) == 1 }
}

/// A gate a handler waits at until the test opens it (an event, not a delay).
final class Gate: @unchecked Sendable {
    private let lock = NSLock()
    private var isOpen = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    /// Lets every waiter (and every later one) through.
    func open() {
        let ready: [CheckedContinuation<Void, Never>] = lock.withLock {
            isOpen = true
            defer { waiters.removeAll() }
            return waiters
        }
        for c in ready { c.resume() }
    }

    /// Suspends until ``open()``.
    func wait() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let through: Bool = lock.withLock {
                if isOpen { return true }
                waiters.append(continuation)
                return false
            }
            if through { continuation.resume() }
        }
    }
}

/// Suspends until the calling task is cancelled (a handler whose client went away), without polling.
func untilCancelled() async {
    let gate = Gate()
    await withTaskCancellationHandler {
        await gate.wait()
    } onCancel: {
        gate.open()
    }
}

/// A counter shared with handlers.
final class Counter: Sendable {
    private let value = Atomic<Int>(0)
    func increment() { value.add(1, ordering: .relaxed) }
    var count: Int { value.load(ordering: .relaxed) }
}

func get(_ path: String, _ extra: String = "") -> String {
    "GET \(path) HTTP/1.1\r\nHost: test\r\n\(extra)\r\n"
}

/// Runs `body` against a started server, then shuts the server down and waits for it (also when `body` throws).
func withServer(
    _ configuration: ServerConfiguration = testConfiguration(), routes build: (inout Router) -> Void,
    _ body: (Server, Int) async throws -> Void
) async throws {
    let (server, port) = try startServer(configuration, build)
    do {
        try await body(server, port)
    } catch {
        await server.shutdown(deadline: .seconds(1))
        throw error
    }
    await server.shutdown(deadline: .seconds(1))
}

/// Whether this machine can listen on IPv6 (`::`).
let ipv6Available: Bool = {
    guard let address = try? SocketAddress(host: "::", port: 0),
        let listener = try? Listener(address: address, backlog: 1, dualStack: true)
    else { return false }
    listener.close()
    return true
}()
