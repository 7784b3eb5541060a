import HTTP1

/// A streamed answer (`Response.stream`): the head is queued when the handler returns, then the producer hands
/// over pieces one `.pullStream` at a time, each only while the queued output is below `outputHighWater`, so it
/// never runs more than a piece ahead of the socket. HTTP/1.1 bodies are chunked (keep-alive and pipelining go
/// on after the last chunk); HTTP/1.0 bodies end with the connection. HEAD and 1xx/204/304 answers send the head
/// only and never run the producer. The request stays `running` until the body ends, so pipelined requests wait,
/// every timer but the write timers is off, and closing the connection cancels the producer (`.cancelHandler`).
extension ConnectionState {
    /// Pieces below this size are framed into one array (a copy is cheaper than two more writes).
    static let framedCopyBytes = 16 << 10

    /// The CRLF that ends a chunk's data.
    static let chunkEnd: [UInt8] = [13, 10]

    /// `1a2b\r\n`: a chunk's size in hex (lower case, as `ResponseEncoder.encodeChunk` writes it) and its CRLF.
    static func chunkSizeLine(_ size: Int) -> [UInt8] {
        let digits: StaticString = "0123456789abcdef"
        var line: [UInt8] = []
        line.reserveCapacity(18)
        var shift = 4
        while shift < Int.bitWidth, size >> shift != 0 { shift += 4 }
        while shift > 0 {
            shift -= 4
            line.append(digits.utf8Start[(size >> shift) & 0xF])
        }
        line.append(contentsOf: chunkEnd)
        return line
    }

    /// Whether a streamed body is being produced.
    var isStreaming: Bool { running?.stream != nil }

    /// Queues the head of a streamed answer and starts its producer (or, without a body, finishes it at once).
    mutating func startStream(_ response: Response, for current: Running, now: UInt64) {
        let halfClosed = if case .halfClosed = input { true } else { false }
        var keepAlive =
            current.head.keepAlive && !shutdownRequested && !(halfClosed && pending.isEmpty)
            && !response.headers.containsToken("close", in: "connection")
        let chunked = current.head.version >= .http1_1
        let hasBody = current.head.method != .HEAD && !response.status.forbidsBody
        if hasBody, !chunked { keepAlive = false }  // The body ends when the connection closes.
        let framing: ResponseEncoder.Framing = response.status.forbidsBody || !chunked ? .none : .chunked
        var head: [UInt8] = []
        head.reserveCapacity(512)
        encoder.encodeHead(
            status: response.status, headers: response.headers, framing: framing,
            requestVersion: current.head.version, keepAlive: keepAlive, into: &head)
        queue(head, now: now)
        guard hasBody else {
            finishAnswer(current, keepOpen: keepAlive)
            return
        }
        var streaming = current
        streaming.stream = Streaming(chunked: chunked, keepOpen: keepAlive)
        running = streaming
        emit(.startStream)
    }

    /// The producer handed over a piece (after a `.pullStream`).
    mutating func streamWrote(_ bytes: [UInt8], now: UInt64) -> [Action] {
        guard phase == .open, var current = running, var stream = current.stream else { return [] }
        stream.pulled = false
        stream.bytes += bytes.count
        current.stream = stream
        running = current
        if !bytes.isEmpty {
            if !stream.chunked {
                queue(bytes, now: now)
            } else if bytes.count < Self.framedCopyBytes {
                var framed: [UInt8] = []
                framed.reserveCapacity(bytes.count + 16)
                ResponseEncoder.encodeChunk(bytes, into: &framed)
                queue(framed, now: now)
            } else {
                // A large piece is queued as it is, between its size line and its CRLF: copying it into one
                // framed array would move every body byte once more.
                queue(Self.chunkSizeLine(bytes.count), now: now)
                queue(bytes, now: now)
                queue(Self.chunkEnd, now: now)
            }
        }
        return settle(now: now)
    }

    /// The producer finished: the last chunk is queued and the connection goes on (or closes) as after any answer.
    mutating func streamEnded(now: UInt64) -> [Action] {
        guard phase == .open, let current = running, let stream = current.stream else { return [] }
        if stream.chunked {
            var last: [UInt8] = []
            ResponseEncoder.encodeLastChunk(into: &last)
            queue(last, now: now)
        }
        finishAnswer(current, keepOpen: stream.keepOpen && !shutdownRequested)
        return settle(now: now)
    }

    /// The producer failed after the head was sent: nothing can be said any more, so the connection closes
    /// without the last chunk (a chunked client sees the body end early).
    mutating func streamFailed() -> [Action] {
        guard phase == .open, running?.stream != nil else { return [] }
        running = nil
        close(.streamFailed)
        return take()
    }

    /// The answer of `current` is complete (queued): the next request may start.
    private mutating func finishAnswer(_ current: Running, keepOpen: Bool) {
        running = nil
        pipelinedBytes -= current.bodyBytes
        requestsAnswered += 1
        if !keepOpen { closeAfterWrite() }
    }

    /// Asks the producer for its next piece when none is asked for and the output has room.
    mutating func pullStreamIfRoom() {
        guard phase == .open, var current = running, var stream = current.stream, !stream.pulled,
            output.bytes < settings.outputHighWater
        else { return }
        stream.pulled = true
        current.stream = stream
        running = current
        emit(.pullStream)
    }
}
