import HTTP1
import Testing

@testable import HTTPServer

/// The connection's state machine driven directly: bytes, answers, writes and time in; actions out. No socket, no
/// clock: every instant is given (nanoseconds; see `ConnectionDriver.settings` for the limits).
@Suite struct ConnectionStateTests {
    static func post(_ path: String, body: String, _ extra: String = "") -> String {
        "POST \(path) HTTP/1.1\r\nHost: t\r\nContent-Length: \(body.utf8.count)\r\n\(extra)\r\n\(body)"
    }

    // MARK: Keep-alive and close

    @Test func connectionState_KeepsAliveAndArmsIdleTimer_WhenHTTP11() {
        var driver = ConnectionDriver()
        #expect(driver.deadline == 1_000)  // `header` from the accept
        let first = driver.receive(get("/a"), at: 10)
        #expect(first.started == ["/a"])
        #expect(first.armed == .some(nil))  // A running handler is never timed.
        let answer = driver.answer(at: 20)
        #expect(answer.statuses == [200])
        #expect(!answer.written.contains("Connection:"))
        #expect(answer.closeReason == nil)
        #expect(answer.armed == .some(3_020))  // `idle` from the end of the answer
        #expect(driver.receive(get("/b"), at: 30).started == ["/b"])
        #expect(driver.answer(at: 40).statuses == [200])
        #expect(driver.state.phase == .open)
    }

    @Test func connectionState_ClosesAfterAnswer_WhenClientSaysClose() {
        var driver = ConnectionDriver()
        _ = driver.receive(get("/a", "Connection: close\r\n"), at: 10)
        let answer = driver.answer(at: 20)
        #expect(answer.written.contains("Connection: close\r\n"))
        #expect(answer.contains(.shutdownWrite))
        // Lingering: input is read (and discarded) until the peer closes.
        #expect(answer.last(where: { $0 == .pauseReading || $0 == .resumeReading }) == .resumeReading)
        #expect(driver.state.phase == .lingering(until: 520))
        #expect(driver.receive(get("/ignored"), at: 30).isEmpty)
        #expect(driver.peerClosed(at: 40) == [.close(.finished)])
        #expect(driver.tick(at: 1_000).isEmpty)
    }

    @Test func connectionState_ClosesAtLingerEnd_WhenPeerKeepsSending() {
        var driver = ConnectionDriver()
        _ = driver.receive(get("/a", "Connection: close\r\n"), at: 10)
        _ = driver.answer(at: 20)
        #expect(driver.deadline == 520)
        #expect(driver.tick(at: 519).isEmpty)
        #expect(driver.tick(at: 520) == [.close(.lingerEnded)])
    }

    @Test func connectionState_Closes_WhenHTTP10WithoutKeepAlive() {
        var driver = ConnectionDriver()
        _ = driver.receive("GET /a HTTP/1.0\r\n\r\n", at: 10)
        let answer = driver.answer(at: 20)
        #expect(answer.written.contains("Connection: close\r\n"))
        #expect(answer.contains(.shutdownWrite))

        var kept = ConnectionDriver()
        _ = kept.receive("GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", at: 10)
        let keptAnswer = kept.answer(at: 20)
        #expect(keptAnswer.written.contains("Connection: keep-alive\r\n"))
        #expect(!keptAnswer.contains(.shutdownWrite))
    }

    @Test func connectionState_Closes_WhenHandlerAnswersConnectionClose() {
        var driver = ConnectionDriver()
        _ = driver.receive(get("/a") + get("/dropped"), at: 10)
        let answer = driver.answer(Response(headers: ["Connection": "close"]), at: 20)
        #expect(answer.written.contains("Connection: close\r\n"))
        #expect(answer.started.isEmpty)
        #expect(answer.contains(.shutdownWrite))
    }

    @Test func connectionState_SendsServerName_WhenConfigured() {
        var settings = ConnectionDriver.settings
        settings.serverName = "Attend"
        var named = ConnectionDriver(settings)
        _ = named.receive(get("/a"), at: 10)
        #expect(named.answer(at: 20).written.contains("\r\nServer: Attend\r\n"))
        var plain = ConnectionDriver()
        _ = plain.receive(get("/a"), at: 10)
        #expect(!plain.answer(at: 20).written.contains("Server:"))
    }

    // MARK: Pipelining

    @Test func connectionState_AnswersPipelinedRequestsInOrder_OneHandlerAtATime() {
        var driver = ConnectionDriver()
        let received = driver.receive(get("/a") + get("/b") + Self.post("/c", body: "c"), at: 10)
        #expect(received.started == ["/a"])
        let first = driver.answer(Response(body: Array("A".utf8)), at: 20)
        #expect(first.written.hasSuffix("\r\n\r\nA"))
        #expect(first.started == ["/b"])
        let second = driver.answer(Response(body: Array("B".utf8)), at: 30)
        #expect(second.written.hasSuffix("\r\n\r\nB"))
        #expect(second.startedRequests.map(\.body) == [Array("c".utf8)])
        let third = driver.answer(at: 40)
        #expect(third.started.isEmpty)
        #expect(third.armed == .some(3_040))
    }

    @Test func connectionState_AnswersEarlierRequestsThenError_WhenAPipelinedOneIsMalformed() {
        var driver = ConnectionDriver()
        let received = driver.receive(get("/a") + get("/b") + "GET /x HTTP/2.0\r\nHost: t\r\n\r\n" + get("/c"), at: 10)
        #expect(received.started == ["/a"])
        #expect(received.contains(.pauseReading))  // Nothing after the error can be framed.
        #expect(driver.receive(get("/d"), at: 15).isEmpty)
        #expect(driver.answer(at: 20).started == ["/b"])
        let last = driver.answer(at: 30)
        #expect(last.statuses == [200, 505])
        #expect(last.written.contains(#""code":"unsupported_version""#))
        #expect(last.written.contains("Connection: close\r\n"))
        #expect(last.started.isEmpty)
        #expect(last.contains(.shutdownWrite))
    }

    @Test func connectionState_AnswersErrorAtOnce_WhenFirstRequestIsMalformed() {
        var driver = ConnectionDriver()
        let received = driver.receive(
            "GET /a HTTP/1.1\r\nHost: t\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n", at: 10)
        #expect(received.statuses == [400])
        #expect(received.written.contains("Content-Type: application/json\r\n"))
        #expect(received.contains(.shutdownWrite))
        #expect(received.started.isEmpty)
    }

    @Test func connectionState_PausesReading_WhenPipelinedRequestsReachTheLimit() {
        var settings = ConnectionDriver.settings
        settings.maxPipelinedRequests = 2
        var driver = ConnectionDriver(settings)
        let received = driver.receive(get("/1") + get("/2") + get("/3") + get("/4"), at: 10)
        #expect(received.started == ["/1"])
        #expect(received.contains(.pauseReading))  // 3 waiting
        let first = driver.answer(at: 20)  // 2 waiting
        #expect(first.started == ["/2"])
        #expect(!first.contains(.resumeReading))
        let second = driver.answer(at: 30)  // 1 waiting
        #expect(second.started == ["/3"])
        #expect(second.contains(.resumeReading))
    }

    @Test func connectionState_PausesReading_WhenPipelinedBodiesReachMaxPipelinedBytes() {
        var settings = ConnectionDriver.settings
        settings.maxPipelinedBytes = 1_000
        var driver = ConnectionDriver(settings)
        let body = String(repeating: "x", count: 600)
        let one = driver.receive(Self.post("/1", body: body), at: 10)
        #expect(one.started == ["/1"])
        #expect(!one.contains(.pauseReading))  // 600 bytes unanswered (the running request counts)
        let two = driver.receive(Self.post("/2", body: body), at: 20)
        #expect(two.contains(.pauseReading))  // 1,200
        #expect(driver.state.pipelinedBytes == 1_200)
        let answered = driver.answer(at: 30)  // 600 again
        #expect(answered.started == ["/2"])
        #expect(answered.contains(.resumeReading))
        _ = driver.answer(at: 40)
        #expect(driver.state.pipelinedBytes == 0)
    }

    @Test func connectionState_ReadsOneRequestAtATime_WhenPipeliningLimitsAreZero() {
        var settings = ConnectionDriver.settings
        settings.maxPipelinedRequests = 0
        settings.maxPipelinedBytes = 0
        var driver = ConnectionDriver(settings)
        let first = driver.receive(Self.post("/1", body: "x"), at: 10)
        #expect(first.started == ["/1"])
        #expect(first.contains(.pauseReading))  // One body unanswered
        let answered = driver.answer(at: 20)
        #expect(answered.contains(.resumeReading))
        #expect(driver.receive(get("/2"), at: 30).started == ["/2"])
    }

    // MARK: Write backpressure

    @Test func connectionState_StopsReadingAndStarting_WhileOutputIsAboveHighWater() {
        var driver = ConnectionDriver()
        driver.takesWrites = false
        #expect(driver.receive(get("/big") + get("/next"), at: 10).started == ["/big"])
        let big = [UInt8](repeating: 1, count: 2 << 20)
        let answer = driver.answer(Response(body: big), at: 20)
        let queued = answer.writtenBytes
        #expect(queued > big.count)
        #expect(answer.contains(.pauseReading))
        #expect(answer.started.isEmpty)  // /next waits for the output to drain
        let partial = driver.wrote(1 << 20, at: 30)
        #expect(partial.started.isEmpty)  // Still 1 MiB and the head queued.
        let drained = driver.wrote(queued - (1 << 20) - 100, at: 40)
        #expect(drained.started == ["/next"])
        #expect(drained.contains(.resumeReading))
        #expect(driver.state.output.bytes == 100)
    }

    @Test func connectionState_WritesLargeBodyFromItsOwnArray() {
        var driver = ConnectionDriver()
        _ = driver.receive(get("/big"), at: 10)
        let big = [UInt8](repeating: 7, count: 100_000)
        let writes = driver.answer(Response(body: big), at: 20).compactMap { action -> [UInt8]? in
            if case .write(let bytes) = action { return bytes }
            return nil
        }
        #expect(writes.count == 2)
        #expect(writes.last == big)
        #expect(String(decoding: writes[0], as: UTF8.self).contains("Content-Length: 100000\r\n"))
    }

    // MARK: 100-continue

    @Test func connectionState_SendsContinueAtOnce_AndStartsBodyTimersThen() {
        var driver = ConnectionDriver()
        let head = driver.receive(
            Self.post("/e", body: "", "Expect: 100-continue\r\n").replacingOccurrences(
                of: "Content-Length: 0", with: "Content-Length: 4"), at: 100)
        #expect(head.statuses == [100])
        #expect(head.started.isEmpty)
        #expect(driver.deadline == 2_100)  // `body` from the 100
        let body = driver.receive("ping", at: 200)
        #expect(body.startedRequests.map(\.body) == [Array("ping".utf8)])
    }

    @Test func connectionState_SendsContinueAfterEarlierAnswers_AndTimesBodyFromThe100() {
        var driver = ConnectionDriver()
        _ = driver.receive(get("/a"), at: 10)
        let waiting = driver.receive(
            "POST /e HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n", at: 20)
        #expect(waiting.statuses.isEmpty)  // Not while /a is answered.
        let answer = driver.answer(at: 5_000)
        #expect(answer.statuses == [200, 100])
        #expect(driver.deadline == 7_000)  // From the 100 at 5,000, not from the head at 20.
        #expect(driver.tick(at: 6_999).isEmpty)
        let timeout = driver.tick(at: 7_000)
        #expect(timeout.statuses == [408])
        #expect(timeout.written.contains("The request body stalled."))
    }

    @Test func connectionState_SkipsContinue_WhenBodyCameFirst() {
        var driver = ConnectionDriver()
        _ = driver.receive(get("/a"), at: 10)
        _ = driver.receive(
            "POST /e HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\nping", at: 20)
        let answer = driver.answer(at: 30)
        #expect(answer.statuses == [200])
        #expect(answer.started == ["/e"])
    }

    // MARK: Half-close

    @Test func connectionState_ProbesAndAnswers_WhenPeerHalfClosesDuringHandler() {
        var driver = ConnectionDriver()
        _ = driver.receive(get("/a"), at: 10)
        let fin = driver.peerClosed(at: 20)
        #expect(fin.statuses == [100])  // The probe
        #expect(fin.contains(.pauseReading))
        #expect(driver.deadline == 20)  // Probing: every tick looks for a reset.
        #expect(driver.tick(at: 20) == [.checkPeer])
        #expect(driver.tick(at: 30) == [.checkPeer])
        let answer = driver.answer(at: 40)
        #expect(answer.statuses == [200])
        #expect(answer.written.contains("Connection: close\r\n"))
        #expect(answer.contains(.shutdownWrite))
        #expect(driver.tick(at: 41).isEmpty)
        #expect(driver.peerClosed(at: 50) == [.close(.finished)])
    }

    @Test func connectionState_CancelsHandler_WhenProbeFindsReset() {
        var driver = ConnectionDriver()
        _ = driver.receive(get("/a"), at: 10)
        _ = driver.peerClosed(at: 20)
        #expect(driver.state.transportFailed(.peerGone) == [.cancelHandler, .close(.peerGone)])
        #expect(driver.answer(at: 30).isEmpty)
    }

    @Test func connectionState_AnswersAllPipelined_WhenPeerHalfClosesAfterThem() {
        var driver = ConnectionDriver()
        _ = driver.receive(get("/a") + get("/b"), at: 10)
        #expect(driver.peerClosed(at: 20).statuses == [100])
        let first = driver.answer(at: 30)
        #expect(!first.written.contains("Connection: close"))
        #expect(first.started == ["/b"])
        let last = driver.answer(at: 40)
        #expect(last.written.contains("Connection: close\r\n"))
        #expect(last.contains(.shutdownWrite))
    }

    @Test func connectionState_DoesNotProbe_WhenRequestIsHTTP10() {
        var driver = ConnectionDriver()
        _ = driver.receive("GET /a HTTP/1.0\r\n\r\n", at: 10)
        let fin = driver.peerClosed(at: 20)
        #expect(fin.writtenBytes == 0)
        #expect(driver.deadline == nil)
        #expect(driver.tick(at: 1_000_000).isEmpty)
    }

    @Test func connectionState_ClosesAtOnce_WhenPeerClosesWithNothingToAnswer() {
        var idle = ConnectionDriver()
        #expect(idle.peerClosed(at: 10) == [.close(.peerClosed)])
        var afterAnswer = ConnectionDriver()
        _ = afterAnswer.receive(get("/a") + "\r\n", at: 10)
        _ = afterAnswer.answer(at: 20)
        #expect(afterAnswer.peerClosed(at: 30) == [.close(.peerClosed)])  // Empty lines are no request.
    }

    @Test func connectionState_CancelsHandlerAndCloses_WhenPeerClosesMidRequest() {
        var driver = ConnectionDriver()
        _ = driver.receive(get("/a") + "POST /b HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nabc", at: 10)
        #expect(driver.peerClosed(at: 20) == [.cancelHandler, .close(.peerClosed)])
        #expect(driver.receive(get("/c"), at: 30).isEmpty)
        #expect(driver.tick(at: 1_000_000).isEmpty)
    }

    @Test func connectionState_CancelsHandlerAndCloses_WhenTransportFails() {
        var driver = ConnectionDriver()
        _ = driver.receive(get("/a"), at: 10)
        #expect(driver.state.transportFailed() == [.cancelHandler, .close(.failed)])
        #expect(driver.state.isClosed)
        #expect(driver.answer(at: 20).isEmpty)
        #expect(driver.shutdown(at: 30).isEmpty)
    }

    // MARK: Timeouts, each at exactly its deadline

    @Test func connectionState_ClosesHandshake_AtHandshakeDeadline() {
        var driver = ConnectionDriver(tls: true, acceptedAt: 100)
        #expect(driver.deadline == 5_100)
        #expect(driver.tick(at: 5_099).isEmpty)
        #expect(driver.tick(at: 5_100) == [.close(.handshakeTimeout)])
    }

    @Test func connectionState_TimesFirstRequestFromAccept_AfterHandshake() {
        var driver = ConnectionDriver(tls: true, acceptedAt: 100)
        let done = driver.state.handshakeCompleted(now: 2_000)
        #expect(done == [.armTimer(1_100)])
        #expect(driver.tick(at: 2_000) == [.close(.idleTimeout)])
    }

    @Test func connectionState_ClosesSilently_AtHeaderDeadlineFromAccept_WhenNothingCame() {
        var driver = ConnectionDriver(acceptedAt: 0)
        #expect(driver.tick(at: 999).isEmpty)
        #expect(driver.tick(at: 1_000) == [.close(.idleTimeout)])
    }

    @Test func connectionState_ClosesIdleKeepAlive_AtIdleDeadline() {
        var driver = ConnectionDriver()
        _ = driver.receive(get("/a"), at: 10)
        _ = driver.answer(at: 20)
        #expect(driver.tick(at: 3_019).isEmpty)
        #expect(driver.tick(at: 3_020) == [.close(.idleTimeout)])
    }

    @Test func connectionState_TimesIdleFromEndOfWrite_WhenAnswerDrainsSlowly() {
        var driver = ConnectionDriver()
        driver.takesWrites = false
        _ = driver.receive(get("/a"), at: 10)
        let answer = driver.answer(at: 20)
        #expect(driver.wrote(answer.writtenBytes, at: 2_500).armed == .some(5_500))
    }

    @Test func connectionState_Answers408_AtHeaderDeadlineFromFirstByte() {
        var driver = ConnectionDriver()
        _ = driver.receive("GET /a HTTP/1.1\r\n", at: 500)
        #expect(driver.deadline == 1_500)
        _ = driver.receive("Host: t\r\n", at: 1_400)  // Progress does not extend it.
        #expect(driver.deadline == 1_500)
        #expect(driver.tick(at: 1_499).isEmpty)
        let timeout = driver.tick(at: 1_500)
        #expect(timeout.statuses == [408])
        #expect(timeout.written.contains(#""code":"request_timeout""#))
        #expect(timeout.written.contains("The request header took too long."))
        #expect(timeout.contains(.shutdownWrite))
    }

    @Test func connectionState_KeepsHeaderDeadlineOfFirstEmptyLine_WhenClientTricklesCRLF() {
        var driver = ConnectionDriver()
        _ = driver.receive("\r\n", at: 200)
        #expect(driver.deadline == 1_200)
        _ = driver.receive("\r\n", at: 900)
        _ = driver.receive("\r\n", at: 1_100)
        #expect(driver.deadline == 1_200)
        #expect(driver.tick(at: 1_199).isEmpty)
        #expect(driver.tick(at: 1_200) == [.close(.headerTimeout)])  // Only empty lines: nothing to answer.
    }

    @Test func connectionState_Answers408_WhenRequestLineFollowsEmptyLinesTooLate() {
        var driver = ConnectionDriver()
        _ = driver.receive(get("/a"), at: 10)
        _ = driver.answer(at: 20)
        #expect(driver.deadline == 3_020)
        _ = driver.receive("\r\n", at: 100)  // An empty line starts the next request's header clock.
        #expect(driver.deadline == 1_100)
        _ = driver.receive("GET /b HTTP/1.1\r\n", at: 1_000)
        #expect(driver.tick(at: 1_099).isEmpty)
        #expect(driver.tick(at: 1_100).statuses == [408])
    }

    @Test func connectionState_Answers408_AtBodyStallDeadline() {
        var driver = ConnectionDriver()
        _ = driver.receive(
            Self.post("/e", body: "abc").replacingOccurrences(
                of: "Content-Length: 3", with: "Content-Length: 10"), at: 100)
        #expect(driver.deadline == 2_100)
        _ = driver.receive("de", at: 2_000)  // A read pushes the stall deadline.
        #expect(driver.deadline == 4_000)
        #expect(driver.tick(at: 3_999).isEmpty)
        let timeout = driver.tick(at: 4_000)
        #expect(timeout.statuses == [408])
        #expect(timeout.written.contains("The request body stalled."))
    }

    @Test func connectionState_Answers408_AtMinimumBodyRateDeadline() {
        var settings = ConnectionDriver.settings
        settings.body = 1_000_000  // Out of the way.
        var driver = ConnectionDriver(settings)
        _ = driver.receive("POST /e HTTP/1.1\r\nHost: t\r\nContent-Length: 100000\r\n\r\n", at: 0)
        #expect(driver.deadline == 10_000)  // rateGrace, nothing received yet
        _ = driver.receive([UInt8](repeating: 0x61, count: 500), at: 5_000)
        #expect(driver.deadline == 10_500)  // + 500 bytes at 1 byte/ns
        #expect(driver.tick(at: 10_499).isEmpty)
        let timeout = driver.tick(at: 10_500)
        #expect(timeout.statuses == [408])
        #expect(timeout.written.contains("The request body arrived too slowly."))
    }

    @Test func connectionState_RestartsBodyTimers_WhenServerWasBusyMeanwhile() {
        var driver = ConnectionDriver()
        _ = driver.receive(get("/a") + "POST /b HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\n\r\nab", at: 10)
        #expect(driver.deadline == nil)  // The handler runs: nothing is timed.
        _ = driver.answer(at: 50_000)
        #expect(driver.deadline == 52_000)
    }

    @Test func connectionState_DropsClient_AtWriteStallDeadline() {
        var driver = ConnectionDriver()
        driver.takesWrites = false
        _ = driver.receive(get("/a"), at: 10)
        _ = driver.answer(at: 20)
        #expect(driver.deadline == 4_020)
        _ = driver.wrote(5, at: 1_000)  // Progress pushes the stall deadline.
        #expect(driver.deadline == 5_000)
        #expect(driver.tick(at: 4_999).isEmpty)
        #expect(driver.tick(at: 5_000) == [.close(.writeTimeout)])
    }

    @Test func connectionState_DropsClient_AtMinimumWriteRateDeadline() {
        var settings = ConnectionDriver.settings
        settings.write = 1_000_000  // Out of the way.
        var driver = ConnectionDriver(settings)
        driver.takesWrites = false
        _ = driver.receive(get("/a"), at: 10)
        _ = driver.answer(Response(body: [UInt8](repeating: 1, count: 1_000)), at: 20)
        #expect(driver.deadline == 10_020)  // rateGrace, nothing written yet
        _ = driver.wrote(100, at: 5_000)
        #expect(driver.deadline == 10_120)  // + 100 bytes at 1 byte/ns
        _ = driver.wrote(100, at: 10_000)
        #expect(driver.deadline == 10_220)
        #expect(driver.tick(at: 10_219).isEmpty)
        #expect(driver.tick(at: 10_220) == [.close(.writeTooSlow)])
    }

    @Test func connectionState_CancelsHandler_WhenWriteStallsDuringIt() {
        var driver = ConnectionDriver()
        driver.takesWrites = false
        _ = driver.receive(get("/a") + get("/b"), at: 10)
        _ = driver.answer(Response(body: [UInt8](repeating: 1, count: 100)), at: 20)  // /b starts
        #expect(driver.tick(at: 4_020) == [.cancelHandler, .close(.writeTimeout)])
    }

    @Test func connectionState_NeverTimesRunningHandler() {
        var driver = ConnectionDriver()
        _ = driver.receive(get("/slow"), at: 10)
        #expect(driver.deadline == nil)
        #expect(driver.tick(at: 1 << 60).isEmpty)
        #expect(driver.answer(at: 1 << 60).statuses == [200])
    }

    // MARK: Shutdown

    @Test func connectionState_ClosesAtOnce_WhenShutdownFindsItIdle() {
        var driver = ConnectionDriver()
        #expect(driver.shutdown(at: 10) == [.close(.shutdown)])
        var handshaking = ConnectionDriver(tls: true)
        #expect(handshaking.shutdown(at: 10) == [.close(.shutdown)])
        var afterAnswer = ConnectionDriver()
        _ = afterAnswer.receive(get("/a"), at: 10)
        _ = afterAnswer.answer(at: 20)
        #expect(afterAnswer.shutdown(at: 30) == [.close(.shutdown)])
    }

    @Test func connectionState_FinishesRequestWithConnectionClose_WhenShutdownFindsItBusy() {
        var driver = ConnectionDriver()
        _ = driver.receive(get("/a") + get("/dropped"), at: 10)
        #expect(driver.shutdown(at: 20).closeReason == nil)
        let answer = driver.answer(at: 30)
        #expect(answer.written.contains("Connection: close\r\n"))
        #expect(answer.started.isEmpty)
        #expect(answer.contains(.shutdownWrite))
    }

    @Test func connectionState_FinishesPartialRequest_WhenShutdownComesMidHead() {
        var driver = ConnectionDriver()
        _ = driver.receive("GET /a HTTP/1.1\r\n", at: 10)
        #expect(driver.shutdown(at: 20).closeReason == nil)
        #expect(driver.receive("Host: t\r\n\r\n", at: 30).started == ["/a"])
        #expect(driver.answer(at: 40).written.contains("Connection: close\r\n"))
    }

    @Test func connectionState_CancelsHandler_WhenAborted() {
        var driver = ConnectionDriver()
        _ = driver.receive(get("/a"), at: 10)
        _ = driver.shutdown(at: 20)
        #expect(driver.state.abort() == [.cancelHandler, .close(.aborted)])
        #expect(driver.state.abort().isEmpty)
    }

    // MARK: Arithmetic

    @Test func connectionState_SaturatesDeadlines_WhenDurationsAreHuge() {
        #expect(ConnectionState.adding(.max - 1, 5) == .max)
        #expect(ConnectionState.duration(of: 1_000, at: 1_000) == 1_000_000_000)
        #expect(ConnectionState.duration(of: 3, at: 2) == 1_500_000_000)
        #expect(ConnectionState.duration(of: .max, at: 1) == .max)
        #expect(ConnectionState.duration(of: 5, at: .max) == 0)
        #expect(Duration.seconds(Int64.max).nanoseconds == .max)
        #expect(Duration.milliseconds(-5).nanoseconds == 0)
    }
}
