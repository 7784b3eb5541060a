import Foundation
import HTTP1
import Testing

@testable import HTTPServer

extension LiveServerTests {
    /// Connections bounded in bytes and time: the global write queue, the minimum rates, the server name.
    @Suite struct BoundsTests {
        @Test func server_Answers503Overloaded_WhenWriteQueueWouldPassMaxQueuedWriteBytes() async throws {
            var configuration = testConfiguration()
            configuration.maxQueuedWriteBytes = 32 << 20
            let big = [UInt8](repeating: 0x42, count: 32 << 20)
            try await withServer(
                configuration,
                routes: { router in
                    router.add(.GET, "/big") { _, _ in Response(body: big) }
                    router.add(.GET, "/small") { _, _ in Response(body: Array("small".utf8)) }
                }
            ) { server, port in
                // A client that does not read holds most of its 32 MiB in the server's queue.
                var hog: RawClient? = try RawClient(port: port)
                await hog?.send(get("/big", "Accept-Encoding: identity\r\n"))
                #expect(await eventually { server.queuedWriteBytes > 16 << 20 })

                let refused = try RawClient(port: port)
                await refused.send(get("/big", "Accept-Encoding: identity\r\n"))
                let overloaded = try #require(await refused.readResponse())
                #expect(overloaded.status == 503)
                #expect(overloaded.header("retry-after") == "1")
                #expect(overloaded.header("content-type") == "application/json")
                #expect(overloaded.text.contains(#""code":"overloaded""#))
                // Small answers still fit, on the same connection.
                await refused.send(get("/small"))
                #expect(await refused.readResponse()?.text == "small")

                hog = nil  // Its queued bytes are dropped with it.
                #expect(await eventually { server.queuedWriteBytes == 0 })
                await refused.send(get("/big", "Accept-Encoding: identity\r\n"))
                #expect(await refused.readResponse()?.body.count == big.count)
                #expect(server.queuedWriteBytes == 0)
            }
        }

        @Test func connection_DropsClient_WhenItReadsSlowerThanMinimumWriteRate() async throws {
            var configuration = testConfiguration()
            configuration.timeouts.minimumWriteRate = 16 << 20
            configuration.timeouts.rateGrace = .milliseconds(100)
            let big = [UInt8](repeating: 0x43, count: 256 << 20)
            try await withServer(
                configuration,
                routes: { router in
                    router.add(.GET, "/big") { _, _ in Response(body: big) }
                }
            ) { server, port in
                let client = try RawClient(port: port, receiveTimeout: 30)
                await client.send(get("/big", "Accept-Encoding: identity\r\n"))
                // At most 6 MiB/s: always making progress (the `write` timeout never fires), but too slow. (What the
                // kernel buffered is still read after the server closed.)
                let (count, closed) = await client.readSlowly(bytesPerRead: 64 << 10, pause: .milliseconds(10))
                #expect(closed)
                #expect(count < big.count)
                #expect(await eventually { server.connectionCount == 0 })
            }
        }

        @Test func connection_Answers408_WhenBodyArrivesSlowerThanMinimumBodyRate() async throws {
            var configuration = testConfiguration()
            configuration.timeouts.minimumBodyRate = 1 << 20
            configuration.timeouts.rateGrace = .milliseconds(200)
            try await withServer(configuration, routes: ConnectionTests.echoRoutes) { server, port in
                let client = try RawClient(port: port)
                let start = ContinuousClock.now
                await client.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 1000000\r\n\r\n")
                await client.send([UInt8](repeating: 0x61, count: 1_000))
                // Well within the 5 s `body` pause: the rate rule answers.
                let response = try #require(await client.readResponse())
                #expect(response.status == 408)
                #expect(response.text.contains("too slowly"))
                #expect(await client.isClosedByServer())
                #expect(ContinuousClock.now - start < .seconds(4))
            }
        }

        @Test func connection_ClosesAtHeaderDeadline_WhenOnlyEmptyLinesComeAfterAnAnswer() async throws {
            var configuration = testConfiguration()
            configuration.timeouts.header = .milliseconds(300)
            configuration.timeouts.idle = .seconds(30)
            try await withServer(configuration, routes: ConnectionTests.echoRoutes) { server, port in
                let client = try RawClient(port: port)
                await client.send(get("/hello"))
                #expect(await client.readResponse()?.status == 200)
                let start = ContinuousClock.now
                await client.send("\r\n")  // The next request's first byte: `header` runs, not `idle`.
                #expect(await client.isClosedByServer())
                #expect(ContinuousClock.now - start < .seconds(10))
            }
        }

        @Test func server_SendsServerField_OnlyWhenConfigured() async throws {
            try await withServer(testConfiguration(), routes: ConnectionTests.echoRoutes) { server, port in
                let client = try RawClient(port: port)
                await client.send(get("/hello"))
                let response = try #require(await client.readResponse())
                #expect(response.header("server") == nil)
            }
            var named = testConfiguration()
            named.serverName = "Attend"
            try await withServer(named, routes: ConnectionTests.echoRoutes) { server, port in
                let client = try RawClient(port: port)
                await client.send(get("/hello"))
                #expect(await client.readResponse()?.header("server") == "Attend")
                await client.send("GET /x HTTP/2.0\r\nHost: t\r\n\r\n")
                #expect(await client.readResponse()?.header("server") == "Attend")  // Errors too.
            }
        }
    }
}
