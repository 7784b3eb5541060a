import AttendCore
import HTTP1
import HTTPServer
import Logging
import Testing

@testable import AttendHTTP

@Suite("PageAsset")
struct PageAssetTests {
    private func request(_ method: HTTPMethod = .GET, path: String, headers: HTTPHeaders = [:]) -> Request {
        Request(head: RequestHead(method: method, target: path, version: .http1_1, headers: headers))
    }

    @Test func response_ServesBytesWithTypeAndCacheHeaders_WhenRequested() throws {
        for asset in PageAssets.all {
            let response = asset.response(for: request(path: asset.path))
            #expect(response.status == .ok)
            #expect(response.body == asset.body)
            #expect(response.headers["Content-Type"] == asset.contentType)
            #expect(response.headers["ETag"] == asset.etag)
            #expect(response.headers["Cache-Control"] == "no-cache")
            #expect(response.headers["X-Content-Type-Options"] == "nosniff")
            let policy = try #require(response.headers["Content-Security-Policy"])
            #expect(policy.contains("default-src 'self'"))
            #expect(!policy.contains("unsafe-inline") && !policy.contains("unsafe-eval"))
        }
        #expect(PageAssets.script.contentType.hasPrefix("text/javascript"))
        #expect(PageAssets.style.contentType.hasPrefix("text/css"))
        #expect(PageAssets.index.contentType.hasPrefix("text/html"))
    }

    @Test func response_IsNotModifiedWithoutBody_WhenIfNoneMatchNamesTheETag() {
        let asset = PageAssets.script
        for value in [asset.etag, "W/\(asset.etag)", "\"other\", \(asset.etag)", "*"] {
            let response = asset.response(for: request(path: asset.path, headers: ["If-None-Match": value]))
            #expect(response.status == .notModified, "\(value)")
            #expect(response.body.isEmpty)
            #expect(response.headers["ETag"] == asset.etag)
        }
        let stale = asset.response(for: request(path: asset.path, headers: ["If-None-Match": "\"0000\""]))
        #expect(stale.status == .ok)
        #expect(stale.body == asset.body)
    }

    @Test func routes_ServeEveryAssetAndHEAD_WhenRegisteredOnARouter() async {
        var router = Router()
        PageRoutes.register(on: &router)
        let frozen = router.freeze()
        let context = RequestContext(remoteAddress: "127.0.0.1", logger: Logger(label: "test"))
        for asset in PageAssets.all {
            let response = await frozen.respond(to: request(path: asset.path), context: context)
            #expect(response.status == .ok, "\(asset.path)")
            #expect(response.body == asset.body)
            #expect(response.headers["Content-Type"] == asset.contentType)
        }
        let head = await frozen.respond(to: request(.HEAD, path: "/"), context: context)
        #expect(head.status == .ok)
        #expect(head.headers["ETag"] == PageAssets.index.etag)
        let post = await frozen.respond(to: request(.POST, path: "/app.js"), context: context)
        #expect(post.status == .methodNotAllowed)
    }

    @Test func etag_DiffersBetweenAssets_WhenContentDiffers() {
        let tags = Set(PageAssets.all.map(\.etag))
        #expect(tags.count == PageAssets.all.count)
        #expect(PageAssets.all.allSatisfy { $0.etag.count == 18 && $0.etag.hasPrefix("\"") })
    }

    @Test func html_HasNoInlineScriptOrStyle_WhenServedUnderTheStrictPolicy() {
        let html = String(decoding: PageAssets.index.body, as: UTF8.self)
        let script = String(decoding: PageAssets.script.body, as: UTF8.self)
        #expect(html.contains("<script src=\"/app.js\" defer></script>"))
        #expect(html.contains("<link rel=\"stylesheet\" href=\"/app.css\">"))
        #expect(!html.contains("<style"))
        #expect(!html.contains("style=\""))
        #expect(!html.contains(" onclick=") && !html.contains(" onload="))
        #expect(html.ranges(of: "<script").count == 1)
        #expect(!html.contains("http://") && !html.contains("https://"))
        #expect(!script.contains("http://") && !script.contains("https://"))
    }
}
