import Foundation
import HTTP1
import Sockets
import Testing

@testable import HTTPServer

extension LiveServerTests {
    @Suite struct ShutdownTests {
        @Test func shutdown_LetsInFlightRequestFinish_AndClosesIdleConnections() async throws {
            let started = Flag()
            let finish = Gate()
            let (server, port) = try startServer(testConfiguration()) { router in
                router.add(.GET, "/slow") { _, _ in
                    started.set()
                    await finish.wait()
                    return Response(body: Array("finished".utf8))
                }
                router.add(.GET, "/hello") { _, _ in Response(body: Array("hello".utf8)) }
            }
            let idle = try RawClient(port: port)
            await idle.send(get("/hello"))
            #expect(await idle.readResponse()?.status == 200)
            let busy = try RawClient(port: port)
            await busy.send(get("/slow"))
            #expect(await eventually { started.isSet })

            let clock = ContinuousClock()
            let begin = clock.now
            async let stopped: Void = server.shutdown(deadline: .seconds(5))
            // The idle keep-alive connection is closed at once; the busy one gets its answer, marked close.
            #expect(await idle.waitForClose())
            // Shutdown is under way and the request still in flight: now let it finish.
            finish.open()
            let response = try #require(await busy.readResponse())
            #expect(response.text == "finished")
            #expect(response.header("connection") == "close")
            #expect(await busy.waitForClose())
            await stopped
            #expect(clock.now - begin < .seconds(4))
            #expect(server.connectionCount == 0)
            // No longer accepting.
            let socket = try Socket.tcp(.ipv4)
            defer { socket.close() }
            #expect(throws: SocketError.self) {
                try socket.connect(to: SocketAddress(host: "127.0.0.1", port: UInt16(port)))
            }
        }

        @Test func shutdown_CancelsHandlers_WhenDeadlinePasses() async throws {
            let started = Flag()
            let cancelled = Flag()
            let (server, port) = try startServer(testConfiguration()) { router in
                router.add(.GET, "/forever") { _, _ in
                    started.set()
                    await untilCancelled()
                    cancelled.set()
                    return Response()
                }
            }
            let client = try RawClient(port: port)
            await client.send(get("/forever"))
            #expect(await eventually { started.isSet })
            let clock = ContinuousClock()
            let begin = clock.now
            await server.shutdown(deadline: .milliseconds(200))
            #expect(clock.now - begin < .seconds(3))
            #expect(await eventually { cancelled.isSet })
            #expect(await client.waitForClose())
            #expect(server.connectionCount == 0)
        }
    }
}
