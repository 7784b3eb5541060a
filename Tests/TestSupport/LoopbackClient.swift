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
    /// Received bytes not yet consumed start at `start` (consumed bytes are dropped only when the buffer is
    /// compacted, so taking a piece off the front never moves the rest).
    private var buffer: [UInt8] = []
    private var start = 0
    /// Where reads land before they are appended (reused: one allocation per client, not per read).
    private var scratch = [UInt8](repeating: 0, count: 1 << 20)

    public init(port: Int) {
        self.port = port
    }

    deinit { close() }

    /// Closes the connection (the next request opens a new one).
    public func close() {
        socket?.close()
        socket = nil
        buffer.removeAll()
        start = 0
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
        let headText = String(decoding: buffer[start..<headEnd], as: UTF8.self)
        consume(upTo: headEnd + 4)
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
            reply.body.reserveCapacity(length)
            try read(length, appendingTo: &reply.body)
        } else if reply.header("transfer-encoding")?.lowercased().contains("chunked") == true {
            reply.body = try readChunked()
        } else {
            while try readMore() {}
            reply.body = Array(buffer[start...])
            consume(upTo: buffer.count)
        }
        if reply.header("connection")?.lowercased() == "close" { close() }
        return reply
    }

    /// Decodes a chunked body (a chunk's data does not pass through `buffer`).
    private func readChunked() throws(Failure) -> [UInt8] {
        var body: [UInt8] = []
        while true {
            let lineEnd = try readUntil([13, 10])
            let sizeText = String(decoding: buffer[start..<lineEnd], as: UTF8.self).split(separator: ";").first ?? ""
            consume(upTo: lineEnd + 2)
            guard let size = Int(sizeText.trimmingPrefixSpaces, radix: 16) else {
                throw Failure(description: "bad chunk size")
            }
            if size == 0 {
                _ = try readUntil([13, 10])
                let end = try readUntil([13, 10])
                consume(upTo: end + 2)
                return body
            }
            try read(size, appendingTo: &body)
            try fill(2)
            consume(upTo: start + 2)
        }
    }

    /// Appends the next `count` bytes of the stream to `body`: the buffered ones, then reads from the socket
    /// through `scratch` straight into `body`.
    private func read(_ count: Int, appendingTo body: inout [UInt8]) throws(Failure) {
        let buffered = min(count, buffer.count - start)
        body.append(contentsOf: buffer[start..<(start + buffered)])
        consume(upTo: start + buffered)
        var missing = count - buffered
        while missing > 0 {
            guard let socket else { throw Failure(description: "connection closed mid-body") }
            let result = scratch.withUnsafeMutableBytes {
                socket.read(into: UnsafeMutableRawBufferPointer(rebasing: $0[0..<min(missing, $0.count)]))
            }
            switch result {
            case .bytes(let n):
                body.append(contentsOf: scratch[0..<n])
                missing -= n
            case .endOfFile:
                throw Failure(description: "connection closed mid-body")
            case .wouldBlock, .failed:
                throw Failure(description: "read: \(result)")
            }
        }
    }

    private func readUntilHeadEnd() throws(Failure) -> Int { try readUntil([13, 10, 13, 10]) }

    /// The index in `buffer` where `marker` starts, reading until it arrives.
    private func readUntil(_ marker: [UInt8]) throws(Failure) -> Int {
        var searchFrom = start
        while true {
            if buffer.count - start >= marker.count {
                var i = searchFrom
                while i + marker.count <= buffer.count {
                    if buffer[i] == marker[0] && buffer[i..<(i + marker.count)].elementsEqual(marker) { return i }
                    i += 1
                }
                searchFrom = max(start, buffer.count - marker.count + 1)
            }
            guard try readMore() else { throw Failure(description: "connection closed before the response ended") }
        }
    }

    /// Reads until `count` unconsumed bytes are buffered.
    private func fill(_ count: Int) throws(Failure) {
        while buffer.count - start < count {
            guard try readMore() else { throw Failure(description: "connection closed mid-body") }
        }
    }

    /// Marks the bytes before `index` consumed; drops them once they are most of the buffer.
    private func consume(upTo index: Int) {
        start = index
        if start == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            start = 0
        } else if start >= 1 << 16, start * 2 >= buffer.count {
            buffer.removeFirst(start)
            start = 0
        }
    }

    private func readMore() throws(Failure) -> Bool {
        guard let socket else { return false }
        let result = scratch.withUnsafeMutableBytes { socket.read(into: $0) }
        switch result {
        case .bytes(let n):
            buffer.append(contentsOf: scratch[0..<n])
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
