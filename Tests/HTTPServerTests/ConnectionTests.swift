import Foundation
import HTTP1
import Testing

@testable import HTTPServer

extension LiveServerTests {
    @Suite struct ConnectionTests {
        static func echoRoutes(_ router: inout Router) {
            router.add(.GET, "/hello") { _, _ in Response(body: Array("hello".utf8)) }
            router.add(.GET, "/sleep/{ms}/{tag}") { _, context in
                let ms = Int(context.pathParameters["ms"] ?? "0") ?? 0
                try await Task.sleep(for: .milliseconds(ms))
                return Response(body: Array((context.pathParameters["tag"] ?? "").utf8))
            }
            router.add(.POST, "/echo") { request, _ in Response(body: request.body) }
        }

        @Test func connection_KeepsAlive_WhenHTTP11() async throws {
            try await withServer(testConfiguration(), routes: Self.echoRoutes) { server, port in
                let client = try RawClient(port: port)
                for _ in 0..<3 {
                    await client.send(get("/hello"))
                    let response = try #require(await client.readResponse())
                    #expect(response.status == 200)
                    #expect(response.text == "hello")
                    #expect(response.header("connection") == nil)
                }
                #expect(server.connectionCount == 1)
            }
        }

        @Test func connection_Closes_WhenHTTP10WithoutKeepAlive() async throws {
            try await withServer(testConfiguration(), routes: Self.echoRoutes) { server, port in
                let client = try RawClient(port: port)
                await client.send("GET /hello HTTP/1.0\r\n\r\n")
                let response = try #require(await client.readResponse())
                #expect(response.status == 200)
                #expect(response.header("connection") == "close")
                #expect(await client.isClosedByServer())

                let second = try RawClient(port: port)
                await second.send("GET /hello HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
                #expect(await second.readResponse()?.header("connection") == "keep-alive")
                await second.send("GET /hello HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
                #expect(await second.readResponse()?.status == 200)
            }
        }

        @Test func connection_Closes_WhenClientSaysClose() async throws {
            try await withServer(testConfiguration(), routes: Self.echoRoutes) { server, port in
                let client = try RawClient(port: port)
                await client.send(get("/hello", "Connection: close\r\n"))
                let response = try #require(await client.readResponse())
                #expect(response.header("connection") == "close")
                #expect(await client.isClosedByServer())
            }
        }

        @Test func connection_AnswersPipelinedRequestsInOrder() async throws {
            try await withServer(testConfiguration(), routes: Self.echoRoutes) { server, port in
                let client = try RawClient(port: port)
                // The first is the slowest: answers must still come in request order.
                let requests =
                    get("/sleep/150/a") + get("/sleep/0/b") + "POST /echo HTTP/1.1\r\nHost: t\r\n"
                    + "Content-Length: 1\r\n\r\nc" + get("/sleep/30/d") + get("/nope")
                await client.send(requests)
                var tags: [String] = []
                for _ in 0..<5 {
                    let response = try #require(await client.readResponse())
                    tags.append(response.status == 200 ? response.text : String(response.status))
                }
                #expect(tags == ["a", "b", "c", "d", "404"])
            }
        }

        @Test func connection_ServesManyConcurrentConnections() async throws {
            try await withServer(testConfiguration(), routes: Self.echoRoutes) { server, port in
                let clients = try (0..<200).map { _ in try RawClient(port: port) }
                for (index, client) in clients.enumerated() {
                    await client.send(get("/sleep/10/\(index)"))
                }
                var answered = 0
                for (index, client) in clients.enumerated() {
                    if let response = await client.readResponse(), response.text == String(index) { answered += 1 }
                }
                #expect(answered == 200)
            }
        }

        @Test func connection_SurvivesClientVanishingMidBody() async throws {
            try await withServer(testConfiguration(), routes: Self.echoRoutes) { server, port in
                do {
                    let client = try RawClient(port: port)
                    await client.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\nonly ten b")
                    #expect(await eventually { server.connectionCount == 1 })
                }
                // The client is gone (closed by deinit): its connection goes, others are served.
                #expect(await eventually { server.connectionCount == 0 })
                let other = try RawClient(port: port)
                await other.send(get("/hello"))
                #expect(await other.readResponse()?.status == 200)
            }
        }

        @Test func connection_Answers408AndCloses_WhenHeadNeverEnds() async throws {
            var configuration = testConfiguration()
            configuration.timeouts.header = .milliseconds(300)
            try await withServer(configuration, routes: Self.echoRoutes) { server, port in
                let client = try RawClient(port: port)
                let start = ContinuousClock.now
                // Slowloris: a head that never ends (the state machine's tests show that more bytes do not
                // push the deadline).
                await client.send("GET /hello HTTP/1.1\r\nHost: t\r\n")
                await client.send("X-A: 1\r\n")
                let response = try #require(await client.readResponse())
                #expect(response.status == 408)
                #expect(response.text.contains(#""code":"request_timeout""#))
                #expect(await client.isClosedByServer())
                #expect(ContinuousClock.now - start < .seconds(3))
            }
        }

        @Test func connection_ClosesIdleKeepAlive_AfterIdleTimeout() async throws {
            var configuration = testConfiguration()
            configuration.timeouts.idle = .milliseconds(200)
            try await withServer(configuration, routes: Self.echoRoutes) { server, port in
                let client = try RawClient(port: port)
                await client.send(get("/hello"))
                #expect(await client.readResponse()?.status == 200)
                #expect(await client.isClosedByServer())
                #expect(await eventually { server.connectionCount == 0 })
            }
        }

        @Test func connection_DropsClient_WhenItStopsReading() async throws {
            var configuration = testConfiguration()
            configuration.timeouts.write = .milliseconds(300)
            let big = [UInt8](repeating: 7, count: 64 << 20)
            try await withServer(
                configuration,
                routes: { router in
                    router.add(.GET, "/big") { _, _ in Response(body: big) }
                }
            ) { server, port in
                let client = try RawClient(port: port)
                await client.send(get("/big"))
                #expect(await eventually { server.connectionCount == 1 })
                // Never reads: the write stalls and the connection is dropped.
                #expect(await eventually(seconds: 10) { server.connectionCount == 0 })
            }
        }

        @Test func connection_WritesLargeResponseInPieces() async throws {
            var pattern = [UInt8](repeating: 0x61, count: 24 << 20)
            for index in stride(from: 0, to: pattern.count, by: 4093) {
                pattern[index] = UInt8(truncatingIfNeeded: index)
            }
            let big = pattern
            try await withServer(
                testConfiguration(),
                routes: { router in
                    router.add(.GET, "/big") { _, _ in
                        Response(headers: ["Content-Type": "application/octet-stream"], body: big)
                    }
                }
            ) { server, port in
                let client = try RawClient(port: port)
                await client.send(get("/big"))
                let response = try #require(await client.readResponse())
                #expect(response.body.count == big.count)
                #expect(response.body == big)
                await client.send(get("/big", "Accept-Encoding: identity\r\n"))
                #expect(await client.readResponse(head: false)?.body.count == big.count)
            }
        }

        @Test func connection_HoldsExtraClients_WhenAtMaxConnections() async throws {
            try await withServer(testConfiguration(maxConnections: 2), routes: Self.echoRoutes) { server, port in
                var first: RawClient? = try RawClient(port: port)
                let second = try RawClient(port: port)
                await first?.send(get("/hello"))
                #expect(await first?.readResponse()?.status == 200)
                await second.send(get("/hello"))
                #expect(await second.readResponse()?.status == 200)
                let third = try RawClient(port: port, receiveTimeout: 0.3)
                await third.send(get("/hello"))
                // Waits in the backlog: no answer while two connections are open.
                #expect(await third.readResponse() == nil)
                #expect(server.connectionCount == 2)
                // A slot frees: the waiting client is accepted and answered.
                first = nil
                var answered = false
                for _ in 0..<20 where !answered {
                    answered = await third.readResponse()?.status == 200
                }
                #expect(answered)
                #expect(server.connectionCount == 2)
            }
        }

        @Test func connection_SendsContinue_WhenExpected() async throws {
            try await withServer(testConfiguration(), routes: Self.echoRoutes) { server, port in
                let client = try RawClient(port: port)
                await client.send("POST /echo HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n")
                let interim = try #require(await client.readResponse())
                #expect(interim.status == 100)
                await client.send("ping")
                let response = try #require(await client.readResponse())
                #expect(response.status == 200)
                #expect(response.text == "ping")
            }
        }

        @Test func connection_AnswersHalfClosedClient() async throws {
            try await withServer(testConfiguration(), routes: Self.echoRoutes) { server, port in
                let client = try RawClient(port: port)
                await client.send(get("/sleep/100/half"))
                client.shutdownWrite()
                // (An interim 100 Continue may come first: the server's probe for a vanished client.)
                let response = try #require(await client.readFinalResponse())
                #expect(response.text == "half")
                #expect(await client.isClosedByServer())
            }
        }

        /// `GET /wait`: sets `started`, then waits until its task is cancelled and sets `cancelled`.
        static func addWaitRoute(_ router: inout Router, started: Flag, cancelled: Flag) {
            router.add(.GET, "/wait") { _, _ in
                started.set()
                await untilCancelled()
                cancelled.set()
                return Response()
            }
        }

        @Test func connection_CancelsHandler_WhenClientResets() async throws {
            let started = Flag()
            let cancelled = Flag()
            try await withServer(
                testConfiguration(), routes: { Self.addWaitRoute(&$0, started: started, cancelled: cancelled) }
            ) { server, port in
                let client = try RawClient(port: port)
                await client.send(get("/wait"))
                #expect(await eventually { started.isSet })
                client.reset()
                #expect(await eventually { cancelled.isSet })
            }
        }

        @Test func connection_Answers400JSONAndCloses_WhenRequestIsMalformed() async throws {
            try await withServer(testConfiguration(), routes: Self.echoRoutes) { server, port in
                let client = try RawClient(port: port)
                await client.send(
                    "GET /hello HTTP/1.1\r\nHost: t\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n")
                let response = try #require(await client.readResponse())
                #expect(response.status == 400)
                #expect(response.header("connection") == "close")
                #expect(response.header("content-type") == "application/json")
                #expect(response.text.hasPrefix(#"{"error":{"code":""#))
                #expect(await client.isClosedByServer())
            }
        }

        @Test func connection_RunsHandlersOffIOQueues_WhenHandlerIsSlow() async throws {
            var configuration = testConfiguration()
            configuration.ioThreads = 1
            let blocking = Flag()
            let release = DispatchSemaphore(value: 0)
            try await withServer(
                configuration,
                routes: { router in
                    router.add(.GET, "/block") { _, _ in
                        blocking.set()
                        // Blocks its thread (as a forward pass would) until the test has its fast answer: I/O
                        // must go on meanwhile. (Bounded, so a broken server cannot hang the test.)
                        _ = release.wait(timeout: .now() + .seconds(30))
                        return Response()
                    }
                    router.add(.GET, "/hello") { _, _ in Response(body: Array("hello".utf8)) }
                }
            ) { server, port in
                let slow = try RawClient(port: port)
                await slow.send(get("/block"))
                #expect(await eventually { blocking.isSet })
                let fast = try RawClient(port: port)
                let start = ContinuousClock.now
                await fast.send(get("/hello"))
                #expect(await fast.readResponse()?.status == 200)
                #expect(ContinuousClock.now - start < .milliseconds(1000))
                release.signal()
                #expect(await slow.readResponse()?.status == 200)
            }
        }

        @Test func connection_AnswersEarlierRequestsFirst_WhenAPipelinedOneIsMalformed() async throws {
            try await withServer(testConfiguration(), routes: Self.echoRoutes) { server, port in
                let client = try RawClient(port: port)
                await client.send(get("/sleep/100/first") + "GET /x HTTP/2.0\r\nHost: t\r\n\r\n" + get("/hello"))
                #expect(await client.readResponse()?.text == "first")
                let failure = try #require(await client.readResponse())
                #expect(failure.status == 505)
                #expect(await client.isClosedByServer())
            }
        }

        @Test func connection_Answers408_WhenBodyStalls() async throws {
            var configuration = testConfiguration()
            configuration.timeouts.body = .milliseconds(200)
            try await withServer(configuration, routes: Self.echoRoutes) { server, port in
                let client = try RawClient(port: port)
                await client.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nabc")
                let response = try #require(await client.readResponse())
                #expect(response.status == 408)
                #expect(await client.isClosedByServer())
            }
        }

        @Test func connection_Closes_WhenHandlerAnswersConnectionClose() async throws {
            try await withServer(
                testConfiguration(),
                routes: { router in
                    router.add(.GET, "/bye") { _, _ in
                        Response(headers: ["Connection": "close"], body: Array("bye".utf8))
                    }
                }
            ) { server, port in
                let client = try RawClient(port: port)
                await client.send(get("/bye"))
                let response = try #require(await client.readResponse())
                #expect(response.text == "bye")
                #expect(response.header("connection") == "close")
                #expect(await client.isClosedByServer())
            }
        }

        @Test(.enabled(if: ipv6Available, "no IPv6 on this machine"))
        func server_AcceptsIPv4Clients_WhenListeningDualStack() async throws {
            var configuration = testConfiguration()
            configuration.host = "::"
            try await withServer(configuration, routes: { _ in }) { server, port in
                let client = try RawClient(port: port)
                await client.send(get("/missing"))
                #expect(await client.readResponse()?.status == 404)
            }
        }

        @Test func connection_AnswersLongPipelineInOrder_WithBoundedReadAhead() async throws {
            var configuration = testConfiguration()
            configuration.maxPipelinedRequests = 4
            try await withServer(configuration, routes: Self.echoRoutes) { server, port in
                let client = try RawClient(port: port)
                // 300 requests in one go: reading pauses while 4 wait, and resumes as they are answered.
                await client.send((0..<300).map { get("/sleep/0/\($0)") }.joined())
                var tags: [String] = []
                for _ in 0..<300 {
                    guard let response = await client.readResponse() else { break }
                    tags.append(response.text)
                }
                #expect(tags == (0..<300).map(String.init))
            }
        }

        @Test func connection_CancelsHandler_WhenClientClosesWhileWaiting() async throws {
            let started = Flag()
            let cancelled = Flag()
            try await withServer(
                testConfiguration(), routes: { Self.addWaitRoute(&$0, started: started, cancelled: cancelled) }
            ) { server, port in
                var client: RawClient? = try RawClient(port: port)
                await client?.send(get("/wait"))
                #expect(await eventually { started.isSet })
                client = nil  // A plain close (FIN), as when a user interrupts curl.
                #expect(await eventually { cancelled.isSet })
                #expect(await eventually { server.connectionCount == 0 })
            }
        }
    }
}
