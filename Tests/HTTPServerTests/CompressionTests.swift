import Foundation
import HTTP1
import Testing

@testable import HTTPServer

extension LiveServerTests {
    @Suite struct CompressionTests {
        static let text = String(repeating: "attention is all you need. ", count: 200)

        static func routes(_ router: inout Router) {
            router.add(.GET, "/text") { _, _ in
                Response(headers: ["Content-Type": "text/plain"], body: Array(text.utf8))
            }
            router.add(.GET, "/small") { _, _ in Response(body: Array("tiny".utf8)) }
            router.add(.POST, "/count") { request, _ in Response(body: Array(String(request.body.count).utf8)) }
        }

        @Test func gzip_CompressesResponse_WhenAccepted() async throws {
            try await withServer(testConfiguration(), routes: Self.routes) { server, port in
                let client = try RawClient(port: port)
                await client.send(get("/text", "Accept-Encoding: br;q=1.0, gzip;q=0.5\r\n"))
                let response = try #require(await client.readResponse())
                #expect(response.header("content-encoding") == "gzip")
                #expect(response.header("vary") == "Accept-Encoding")
                #expect(response.body.count < Self.text.utf8.count / 4)
                let inflated = try Gzip.inflate(response.body, limit: 1 << 20)
                #expect(String(decoding: inflated, as: UTF8.self) == Self.text)
            }
        }

        @Test func gzip_SendsIdentity_WhenRefusedOrSmallOrNotAsked() async throws {
            try await withServer(testConfiguration(), routes: Self.routes) { server, port in
                let client = try RawClient(port: port)
                await client.send(get("/text", "Accept-Encoding: gzip;q=0, *\r\n"))
                let refused = try #require(await client.readResponse())
                #expect(refused.header("content-encoding") == nil)
                #expect(refused.header("vary") == "Accept-Encoding")
                #expect(refused.text == Self.text)
                await client.send(get("/text"))
                #expect(await client.readResponse()?.header("content-encoding") == nil)
                await client.send(get("/small", "Accept-Encoding: gzip\r\n"))
                let small = try #require(await client.readResponse())
                #expect(small.header("content-encoding") == nil)
                #expect(small.header("vary") == nil)
            }
        }

        @Test func gzip_ParsesAcceptEncodingQualities() {
            #expect(Gzip.accepts("gzip"))
            #expect(Gzip.accepts("deflate, GZIP;q=0.1"))
            #expect(Gzip.accepts("*"))
            #expect(Gzip.accepts("x-gzip"))
            #expect(!Gzip.accepts("gzip;q=0"))
            #expect(!Gzip.accepts("gzip; q=0.000, *"))
            #expect(!Gzip.accepts("identity"))
            #expect(!Gzip.accepts("*;q=0"))
            #expect(!Gzip.accepts(""))
        }

        @Test func gzip_InflatesRequestBody() async throws {
            try await withServer(testConfiguration(), routes: Self.routes) { server, port in
                let body = try #require(Gzip.compress(Array(Self.text.utf8), level: 6))
                let client = try RawClient(port: port)
                await client.send(
                    "POST /count HTTP/1.1\r\nHost: t\r\nContent-Encoding: gzip\r\nContent-Length: \(body.count)\r\n\r\n"
                )
                await client.send(body)
                let response = try #require(await client.readResponse())
                #expect(response.status == 200)
                #expect(response.text == String(Self.text.utf8.count))
            }
        }

        @Test func gzip_Answers413_WhenRequestBodyIsAZipBomb() async throws {
            let limits = ParserLimits(maxBodyBytes: 1 << 20)
            try await withServer(testConfiguration(limits: limits), routes: Self.routes) { server, port in
                // 64 MiB of zeros in a few tens of KiB.
                let bomb = try #require(Gzip.compress([UInt8](repeating: 0, count: 64 << 20), level: 9))
                #expect(bomb.count < limits.maxBodyBytes)
                let client = try RawClient(port: port)
                await client.send(
                    "POST /count HTTP/1.1\r\nHost: t\r\nContent-Encoding: gzip\r\nContent-Length: \(bomb.count)\r\n\r\n"
                )
                await client.send(bomb)
                let response = try #require(await client.readResponse())
                #expect(response.status == 413)
                #expect(response.text.contains(#""code":"content_too_large""#))
            }
        }

        @Test func gzip_Answers415_WhenContentEncodingIsUnknown() async throws {
            try await withServer(testConfiguration(), routes: Self.routes) { server, port in
                let client = try RawClient(port: port)
                await client.send(
                    "POST /count HTTP/1.1\r\nHost: t\r\nContent-Encoding: br\r\nContent-Length: 2\r\n\r\nab")
                let response = try #require(await client.readResponse())
                #expect(response.status == 415)
                await client.send(
                    "POST /count HTTP/1.1\r\nHost: t\r\nContent-Encoding: gzip\r\nContent-Length: 2\r\n\r\nab")
                #expect(await client.readResponse()?.status == 400)
            }
        }

        @Test func gzip_InflatesConcatenatedMembers() throws {
            let first = try #require(Gzip.compress(Array("abc".utf8), level: 1))
            let second = try #require(Gzip.compress(Array("def".utf8), level: 9))
            #expect(try Gzip.inflate(first + second, limit: 100) == Array("abcdef".utf8))
            #expect(throws: Gzip.InflateError.corrupt) { try Gzip.inflate(Array(first.dropLast(3)), limit: 100) }
            #expect(throws: Gzip.InflateError.tooLarge) { try Gzip.inflate(first, limit: 2) }
        }
    }
}
