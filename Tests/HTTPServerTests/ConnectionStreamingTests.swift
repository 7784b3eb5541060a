import HTTP1
import Testing

@testable import HTTPServer

/// Streamed answers (`Response.stream`) in the connection's state machine: framing, back-pressure, keep-alive and
/// pipelining after the body, HEAD, HTTP/1.0, and what closes a stream early. No socket, no clock.
@Suite struct ConnectionStreamingTests {
    static let streamed = Response(headers: ["Content-Type": "text/plain"], stream: ResponseStream { _ in })

    /// The driver after a request and its streamed answer's head.
    static func streaming(_ request: String = get("/s"), settings: ConnectionState.Settings = ConnectionDriver.settings)
        -> (ConnectionDriver, [Action])
    {
        var driver = ConnectionDriver(settings)
        _ = driver.receive(request, at: 10)
        let head = driver.answer(streamed, at: 20)
        return (driver, head)
    }

    @Test func connectionState_SendsChunksAndKeepsAlive_WhenStreamedOverHTTP11() {
        var (driver, head) = Self.streaming()
        #expect(head.statuses == [200])
        #expect(head.written.contains("Transfer-Encoding: chunked\r\n"))
        #expect(!head.written.contains("Content-Length"))
        #expect(head.contains(.startStream))
        #expect(head.contains(.pullStream))
        let first = driver.settle(driver.state.streamWrote(Array("hello".utf8), now: 30), at: 30)
        #expect(first.written == "5\r\nhello\r\n")
        #expect(first.contains(.pullStream))
        let second = driver.settle(driver.state.streamWrote(Array(repeating: 65, count: 26), now: 31), at: 31)
        #expect(second.written == "1a\r\n" + String(repeating: "A", count: 26) + "\r\n")
        let end = driver.settle(driver.state.streamEnded(now: 40), at: 40)
        #expect(end.written == "0\r\n\r\n")
        #expect(!end.contains(.pullStream))
        #expect(end.closeReason == nil)
        #expect(end.armed == .some(3_040))  // `idle` from the end of the body
        #expect(driver.receive(get("/next"), at: 50).started == ["/next"])
    }

    @Test func connectionState_QueuesLargePieceUnframed_WhenStreamedOverHTTP11() {
        var (driver, _) = Self.streaming()
        for size in [ConnectionState.framedCopyBytes - 1, ConnectionState.framedCopyBytes, 0x2_0000, 70_001] {
            let piece = (0..<size).map { UInt8(truncatingIfNeeded: $0 % 251) }
            let sent = driver.settle(driver.state.streamWrote(piece, now: 30), at: 30)
            var expected: [UInt8] = []
            ResponseEncoder.encodeChunk(piece, into: &expected)
            #expect(sent.writtenData == expected, "size \(size)")
            // The large piece itself is queued, not a framed copy of it.
            let pieces = sent.compactMap { action -> Int? in
                if case .write(let bytes) = action { return bytes.count }
                return nil
            }
            let framedCopy = size < ConnectionState.framedCopyBytes
            #expect(pieces == (framedCopy ? [expected.count] : [expected.count - size - 2, size, 2]))
        }
        #expect(driver.settle(driver.state.streamEnded(now: 40), at: 40).written == "0\r\n\r\n")
    }

    @Test func connectionState_StartsPipelinedRequest_OnlyAfterStreamEnds() {
        var driver = ConnectionDriver()
        #expect(driver.receive(get("/a") + get("/b"), at: 10).started == ["/a"])
        _ = driver.answer(Self.streamed, at: 20)
        let piece = driver.settle(driver.state.streamWrote(Array("x".utf8), now: 21), at: 21)
        #expect(piece.started.isEmpty)
        let end = driver.settle(driver.state.streamEnded(now: 22), at: 22)
        #expect(end.written == "0\r\n\r\n")
        #expect(end.started == ["/b"])
        #expect(driver.answer(at: 23).statuses == [200])
    }

    @Test func connectionState_PullsNextPiece_OnlyWhenOutputDrainsBelowHighWater() {
        var settings = ConnectionDriver.settings
        settings.outputHighWater = 64
        var (driver, head) = Self.streaming(settings: settings)
        #expect(head.contains(.pullStream))
        driver.takesWrites = false
        let big = driver.settle(driver.state.streamWrote(Array(repeating: 66, count: 100), now: 30), at: 30)
        #expect(!big.contains(.pullStream))  // 100 bytes and framing queued: over 64.
        #expect(driver.wrote(40, at: 31).contains(.pullStream) == false)
        let drained = driver.wrote(driver.state.output.bytes, at: 32)
        #expect(drained.contains(.pullStream))
        // One pull at a time: more progress does not ask again before the piece comes.
        #expect(driver.state.output.bytes == 0)
        #expect(driver.state.running?.stream?.pulled == true)
    }

    @Test func connectionState_SendsHeadOnlyAndNeverStartsProducer_WhenHEAD() {
        var driver = ConnectionDriver()
        _ = driver.receive("HEAD /s HTTP/1.1\r\nHost: t\r\n\r\n" + get("/b"), at: 10)
        let answer = driver.answer(Self.streamed, at: 20)
        #expect(answer.written.hasPrefix("HTTP/1.1 200 OK\r\n"))
        #expect(answer.written.hasSuffix("Transfer-Encoding: chunked\r\n\r\n"))
        #expect(!answer.contains(.startStream))
        #expect(!answer.contains(.pullStream))
        #expect(answer.started == ["/b"])
    }

    @Test func connectionState_DelimitsByClose_WhenStreamedOverHTTP10() {
        var (driver, head) = Self.streaming("GET /s HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        #expect(!head.written.contains("Transfer-Encoding"))
        #expect(!head.written.contains("Content-Length"))
        #expect(head.written.contains("Connection: close\r\n"))
        let piece = driver.settle(driver.state.streamWrote(Array("raw".utf8), now: 30), at: 30)
        #expect(piece.written == "raw")
        let end = driver.settle(driver.state.streamEnded(now: 40), at: 40)
        #expect(end.writtenBytes == 0)
        #expect(end.contains(.shutdownWrite))
    }

    @Test func connectionState_CancelsProducer_WhenTransportFailsMidStream() {
        var (driver, _) = Self.streaming()
        _ = driver.settle(driver.state.streamWrote(Array("x".utf8), now: 30), at: 30)
        #expect(driver.state.transportFailed() == [.cancelHandler, .close(.failed)])
        #expect(driver.state.streamWrote(Array("late".utf8), now: 31).isEmpty)
        #expect(driver.state.streamEnded(now: 32).isEmpty)
    }

    @Test func connectionState_FinishesStreamWithoutProbe_WhenPeerHalfClosesMidStream() {
        var (driver, _) = Self.streaming()
        let fin = driver.peerClosed(at: 30)
        #expect(fin.writtenBytes == 0)  // No `100 Continue` probe inside a body.
        #expect(fin.closeReason == nil)
        let piece = driver.settle(driver.state.streamWrote(Array("x".utf8), now: 31), at: 31)
        #expect(piece.written == "1\r\nx\r\n")
        let end = driver.settle(driver.state.streamEnded(now: 32), at: 32)
        #expect(end.written == "0\r\n\r\n")
        #expect(end.closeReason == .finished)
    }

    @Test func connectionState_ClosesWithoutLastChunk_WhenProducerFails() {
        var (driver, _) = Self.streaming()
        _ = driver.settle(driver.state.streamWrote(Array("x".utf8), now: 30), at: 30)
        let failed = driver.state.streamFailed()
        #expect(failed == [.close(.streamFailed)])
        #expect(failed.writtenBytes == 0)
    }

    @Test func connectionState_DropsConnection_WhenStreamedOutputStalls() {
        var (driver, _) = Self.streaming()
        driver.takesWrites = false
        _ = driver.settle(driver.state.streamWrote(Array("stuck".utf8), now: 100), at: 100)
        #expect(driver.deadline == 4_100)  // `write` from the last progress (the rate allows more).
        #expect(driver.tick(at: 4_099).closeReason == nil)
        let timeout = driver.tick(at: 4_100)
        #expect(timeout.contains(.cancelHandler))
        #expect(timeout.closeReason == .writeTimeout)
    }

    @Test func connectionState_ClosesAfterStream_WhenShutdownArrivesMidStream() {
        var (driver, _) = Self.streaming()
        #expect(driver.shutdown(at: 30).closeReason == nil)
        let end = driver.settle(driver.state.streamEnded(now: 40), at: 40)
        #expect(end.written == "0\r\n\r\n")
        #expect(end.contains(.shutdownWrite))
    }
}
