import Foundation
import HTTP1
import Synchronization
import Testing

@testable import HTTPServer

/// Statuses seen by a middleware, in order.
final class StatusLog: Sendable {
    private let entries = Mutex<[String]>([])
    func add(_ entry: String) { entries.withLock { $0.append(entry) } }
    var all: [String] { entries.withLock { $0 } }
}

extension LiveServerTests {
    @Suite struct RouterTests {
        static func routes(_ log: StatusLog) -> (inout Router) -> Void {
            { router in
                router.use { request, context, next in
                    let response = try await next(request, context)
                    log.add("\(request.method.rawValue) \(context.route) \(response.status.code)")
                    return response
                }
                router.add(.GET, "/models/{name}") { _, context in
                    Response(body: Array("model \(context.pathParameters["name"] ?? "?")".utf8))
                }
                router.add(.DELETE, "/models/{name}") { _, _ in Response(status: .noContent) }
                router.add(.GET, "/models/{name}/info") { _, context in
                    Response(body: Array("info \(context.pathParameters["name"] ?? "?")".utf8))
                }
                router.add(.POST, "/fail") { _, _ in
                    throw HTTPError(.unprocessableContent, code: "bad_input", message: "say \"hi\"\\\n\u{1}é")
                }
                router.add(.GET, "/crash") { _, _ in
                    struct Secret: Error {}
                    throw Secret()
                }
            }
        }

        @Test func router_MatchesPathParameters_PercentDecoded() async throws {
            let log = StatusLog()
            try await withServer(testConfiguration(), routes: Self.routes(log)) { server, port in
                let client = try RawClient(port: port)
                await client.send(get("/models/mini%20lm"))
                #expect(await client.readResponse()?.text == "model mini lm")
                await client.send(get("/models/x/info"))
                #expect(await client.readResponse()?.text == "info x")
                #expect(log.all == ["GET /models/{name} 200", "GET /models/{name}/info 200"])
            }
        }

        @Test func router_Answers404JSON_WhenNoRouteMatches() async throws {
            let log = StatusLog()
            try await withServer(testConfiguration(), routes: Self.routes(log)) { server, port in
                let client = try RawClient(port: port)
                await client.send(get("/nothing/here"))
                let response = try #require(await client.readResponse())
                #expect(response.status == 404)
                #expect(response.header("content-type") == "application/json")
                #expect(response.text == #"{"error":{"code":"not_found","message":"No route for /nothing/here."}}"#)
                #expect(log.all == ["GET  404"])
            }
        }

        @Test func router_Answers405WithAllow_WhenMethodDiffers() async throws {
            let log = StatusLog()
            try await withServer(testConfiguration(), routes: Self.routes(log)) { server, port in
                let client = try RawClient(port: port)
                await client.send("PUT /models/a HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n")
                let response = try #require(await client.readResponse())
                #expect(response.status == 405)
                #expect(response.header("allow") == "DELETE, GET, HEAD")
                #expect(response.text.contains(#""code":"method_not_allowed""#))
                #expect(log.all == ["PUT  405"])
            }
        }

        @Test func router_ServesHEADWithGETHandler_WithoutBody() async throws {
            try await withServer(testConfiguration(), routes: Self.routes(StatusLog())) { server, port in
                let client = try RawClient(port: port)
                await client.send("HEAD /models/abc HTTP/1.1\r\nHost: t\r\n\r\n")
                let head = try #require(await client.readResponse(head: true))
                #expect(head.status == 200)
                #expect(head.header("content-length") == "9")
                // The next response follows at once: no body bytes were sent for HEAD.
                await client.send(get("/models/abc"))
                #expect(await client.readResponse()?.text == "model abc")
            }
        }

        @Test func router_RendersHTTPErrorAsEscapedJSON() async throws {
            try await withServer(testConfiguration(), routes: Self.routes(StatusLog())) { server, port in
                let client = try RawClient(port: port)
                await client.send("POST /fail HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n")
                let response = try #require(await client.readResponse())
                #expect(response.status == 422)
                #expect(response.text == #"{"error":{"code":"bad_input","message":"say \"hi\"\\\n\u0001é"}}"#)
                let json = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: [String: String]]
                #expect(json?["error"]?["message"] == "say \"hi\"\\\n\u{1}é")
            }
        }

        @Test func router_Renders500JSON_WhenHandlerThrowsOtherError() async throws {
            try await withServer(testConfiguration(), routes: Self.routes(StatusLog())) { server, port in
                let client = try RawClient(port: port)
                await client.send(get("/crash"))
                let response = try #require(await client.readResponse())
                #expect(response.status == 500)
                #expect(response.text == #"{"error":{"code":"internal_error","message":"Internal server error."}}"#)
            }
        }

        @Test func frozenRouter_PrefersLiteralRoutes_AndReplacesDuplicates() async {
            var router = Router()
            router.add(.GET, "/a/{x}") { _, _ in Response(body: [1]) }
            router.add(.GET, "/a/b") { _, _ in Response(body: [2]) }
            router.add(.GET, "/a/b") { _, _ in Response(body: [3]) }
            let frozen = router.freeze()
            let context = RequestContext(remoteAddress: "test", logger: quietLogger)
            let literal = await frozen.respond(
                to: Request(head: RequestHead(method: .GET, target: "/a/b")), context: context)
            let parametric = await frozen.respond(
                to: Request(head: RequestHead(method: .GET, target: "/a/c")), context: context)
            #expect(literal.body == [3])
            #expect(parametric.body == [1])
        }
    }
}
