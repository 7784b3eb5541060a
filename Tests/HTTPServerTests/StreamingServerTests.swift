import HTTP1
import Testing

@testable import HTTPServer

/// Streamed bodies through a live server on loopback: chunked framing read off a raw socket, keep-alive and
/// pipelining after the body, HEAD, HTTP/1.0 close-delimited bodies and incremental gzip. One at a time with the
/// other live-server tests; the clients wait up to 300 s (a bound for failures only: every wait ends on the event),
/// since in the full parallel run the CPU-heavy suites can keep a test's task from resuming for over a minute.
extension LiveServerTests {
    @Suite struct StreamingServerTests {
        /// `count` pieces `piece-i;` of which every tenth is padded to 40 KiB, so that back-pressure engages.
        static func pieces(_ count: Int) -> [[UInt8]] {
            (0..<count).map { i in
                var piece = Array("piece-\(i);".utf8)
                if i % 10 == 9 { piece += [UInt8](repeating: UInt8(ascii: "x"), count: 40 << 10) }
                return piece
            }
        }

        static func routes(_ router: inout Router, produced: Counter = Counter()) {
            router.add(.GET, "/stream") { _, _ in
                Response(
                    headers: ["Content-Type": "text/plain"],
                    stream: ResponseStream { sink in
                        produced.increment()
                        for piece in Self.pieces(60) { try await sink.write(piece) }
                    })
            }
            router.add(.HEAD, "/stream") { _, _ in
                Response(
                    headers: ["Content-Type": "text/plain"],
                    stream: ResponseStream { _ in produced.increment() })
            }
            router.add(.GET, "/plain") { _, _ in Response(body: Array("plain".utf8)) }
        }

        @Test func server_SendsChunkedBodyThenNextPipelinedAnswer_WhenStreamed() async throws {
            try await withServer(routes: { Self.routes(&$0) }) { _, port in
                let client = try RawClient(port: port, receiveTimeout: 300)
                await client.send(get("/stream") + get("/plain"))
                let streamed = try #require(await client.readChunkedResponse())
                #expect(streamed.response.status == 200)
                #expect(streamed.response.header("transfer-encoding") == "chunked")
                #expect(streamed.response.header("content-length") == nil)
                #expect(streamed.response.body == Self.pieces(60).flatMap { $0 })
                #expect(streamed.chunks.count == 60)  // One chunk per piece, in order.
                let next = try #require(await client.readResponse())
                #expect(next.text == "plain")
            }
        }

        @Test func server_SendsHeadOnlyWithoutProducing_WhenHEAD() async throws {
            let produced = Counter()
            try await withServer(routes: { Self.routes(&$0, produced: produced) }) { _, port in
                let client = try RawClient(port: port, receiveTimeout: 300)
                await client.send("HEAD /stream HTTP/1.1\r\nHost: t\r\n\r\n" + get("/plain"))
                let head = try #require(await client.readResponse(head: true))
                #expect(head.header("transfer-encoding") == "chunked")
                let next = try #require(await client.readResponse())
                #expect(next.text == "plain")  // Nothing came between the HEAD answer and this one.
                #expect(produced.count == 0)
            }
        }

        @Test func server_DelimitsBodyByClose_WhenHTTP10() async throws {
            try await withServer(routes: { Self.routes(&$0) }) { _, port in
                let client = try RawClient(port: port, receiveTimeout: 300)
                await client.send("GET /stream HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
                let response = try #require(await client.readUntilClosed())
                #expect(response.header("connection") == "close")
                #expect(response.header("transfer-encoding") == nil)
                #expect(response.body == Self.pieces(60).flatMap { $0 })
            }
        }

        @Test func server_GzipsStreamIncrementally_WhenAccepted() async throws {
            try await withServer(routes: { Self.routes(&$0) }) { _, port in
                let client = try RawClient(port: port, receiveTimeout: 300)
                await client.send(get("/stream", "Accept-Encoding: gzip\r\n") + get("/plain"))
                let streamed = try #require(await client.readChunkedResponse())
                #expect(streamed.response.header("content-encoding") == "gzip")
                #expect(streamed.response.header("vary") == "Accept-Encoding")
                let plain = Self.pieces(60).flatMap { $0 }
                #expect(streamed.response.body.count < plain.count / 4)
                #expect(try Gzip.inflate(streamed.response.body, limit: 1 << 24) == plain)
                #expect(try #require(await client.readResponse()).text == "plain")
            }
        }
    }
}
