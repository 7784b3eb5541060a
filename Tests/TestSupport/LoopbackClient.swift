import Sockets

/// A minimal blocking HTTP/1.1 client over IPv4 loopback with keep-alive, on the `Sockets` module, for benchmarks
/// (`attend bench`) and end-to-end tests. Reads `Content-Length` and chunked bodies; no TLS, no compression.
/// Not synchronised: use one client from one thread at a time (it may be handed between threads).
public final class LoopbackClient: @unchecked Sendable {
    /// A response as received.
    public struct Reply: Sendable {
        public var status: Int
        /// Header names lower-cased.
        public var headers: [(name: String, value: String)]
        public var body: [UInt8]

        public func header(_ name: String) -> String? {
            let lower = name.lowercased()
            return headers.first { $0.name == lower }?.value
        }

        public var text: String { String(decoding: body, as: UTF8.self) }
    }

    /// Failures of the client itself (connect, I/O, malformed response).
    public struct Failure: Error, CustomStringConvertible {
        public var description: String

        public init(description: String) { self.description = description }
    }

    public let port: Int
    private var socket: Socket?
    private var buffer: [UInt8] = []

    public init(port: Int) {
        self.port = port
    }

    deinit { close() }

    /// Closes the connection (the next request opens a new one).
    public func close() {
        socket?.close()
        socket = nil
        buffer.removeAll()
    }

    /// Drops the connection with a TCP reset (SO_LINGER 0), as a client that vanishes does.
    public func reset() {
        try? socket?.setResetOnClose()
        close()
    }

    /// Opens the connection if needed.
    public func connect() throws(Failure) {
        guard socket == nil else { return }
        do {
            let s = try Socket.tcp(.ipv4)
            do {
                try s.setNoDelay()
                try s.connect(to: SocketAddress(host: "127.0.0.1", port: UInt16(port)))
            } catch {
                s.close()
                throw error
            }
            socket = s
        } catch {
            throw Failure(description: "connect to 127.0.0.1:\(port): \(error)")
        }
    }

    /// Sends raw bytes on the connection.
    public func send(raw bytes: [UInt8]) throws(Failure) {
        try connect()
        guard let socket else { throw Failure(description: "not connected") }
        var offset = 0
        while offset < bytes.count {
            let result = bytes.withUnsafeBytes { socket.write(UnsafeRawBufferPointer(rebasing: $0[offset...])) }
            guard case .bytes(let n) = result, n > 0 else { throw Failure(description: "write: \(result)") }
            offset += n
        }
    }

    /// Sends a request and reads its response.
    public func request(
        _ method: String, _ path: String, body: [UInt8]? = nil, headers: [(String, String)] = [],
        contentType: String? = "application/json"
    ) throws(Failure) -> Reply {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if let body {
            if let contentType { head += "Content-Type: \(contentType)\r\n" }
            head += "Content-Length: \(body.count)\r\n"
        }
        head += "\r\n"
        try send(raw: Array(head.utf8) + (body ?? []))
        return try readResponse(method: method)
    }

    /// Sends a JSON string body with POST.
    public func post(_ path: String, json: String, headers: [(String, String)] = []) throws(Failure) -> Reply {
        try request("POST", path, body: Array(json.utf8), headers: headers)
    }

    /// Reads one response from the connection.
    public func readResponse(method: String = "GET") throws(Failure) -> Reply {
        let headEnd = try readUntilHeadEnd()
        let headText = String(decoding: buffer[0..<headEnd], as: UTF8.self)
        buffer.removeFirst(headEnd + 4)
        var lines = headText.split(separator: "\r\n", omittingEmptySubsequences: false)
        guard !lines.isEmpty else { throw Failure(description: "empty response head") }
        let statusParts = lines.removeFirst().split(separator: " ")
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else {
            throw Failure(description: "bad status line")
        }
        var headers: [(name: String, value: String)] = []
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].lowercased()
            let value = line[line.index(after: colon)...].drop { $0 == " " }
            headers.append((name, String(value)))
        }
        var reply = Reply(status: status, headers: headers, body: [])
        if method == "HEAD" || status == 204 || status == 304 { return reply }
        if let length = reply.header("content-length").flatMap({ Int($0) }) {
            try fill(length)
            reply.body = Array(buffer[0..<length])
            buffer.removeFirst(length)
        } else if reply.header("transfer-encoding")?.lowercased().contains("chunked") == true {
            reply.body = try readChunked()
        } else {
            while try readMore() {}
            reply.body = buffer
            buffer.removeAll()
        }
        if reply.header("connection")?.lowercased() == "close" { close() }
        return reply
    }

    private func readChunked() throws(Failure) -> [UInt8] {
        var body: [UInt8] = []
        while true {
            let lineEnd = try readUntil([13, 10])
            let sizeText = String(decoding: buffer[0..<lineEnd], as: UTF8.self).split(separator: ";")[0]
            buffer.removeFirst(lineEnd + 2)
            guard let size = Int(sizeText.trimmingPrefixSpaces, radix: 16) else {
                throw Failure(description: "bad chunk size")
            }
            if size == 0 {
                _ = try readUntil([13, 10])
                let end = try readUntil([13, 10])
                buffer.removeFirst(end + 2)
                return body
            }
            try fill(size + 2)
            body.append(contentsOf: buffer[0..<size])
            buffer.removeFirst(size + 2)
        }
    }

    private func readUntilHeadEnd() throws(Failure) -> Int { try readUntil([13, 10, 13, 10]) }

    private func readUntil(_ marker: [UInt8]) throws(Failure) -> Int {
        var searchFrom = 0
        while true {
            if buffer.count >= marker.count {
                var i = searchFrom
                while i + marker.count <= buffer.count {
                    if buffer[i] == marker[0] && Array(buffer[i..<(i + marker.count)]) == marker { return i }
                    i += 1
                }
                searchFrom = max(0, buffer.count - marker.count + 1)
            }
            guard try readMore() else { throw Failure(description: "connection closed before the response ended") }
        }
    }

    private func fill(_ count: Int) throws(Failure) {
        while buffer.count < count {
            guard try readMore() else { throw Failure(description: "connection closed mid-body") }
        }
    }

    private func readMore() throws(Failure) -> Bool {
        guard let socket else { return false }
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        let result = chunk.withUnsafeMutableBytes { socket.read(into: $0) }
        switch result {
        case .bytes(let n):
            buffer.append(contentsOf: chunk[0..<n])
            return true
        case .endOfFile:
            return false
        case .wouldBlock, .failed:
            throw Failure(description: "read: \(result)")
        }
    }
}

extension Substring {
    fileprivate var trimmingPrefixSpaces: Substring { self.drop { $0 == " " } }
}
