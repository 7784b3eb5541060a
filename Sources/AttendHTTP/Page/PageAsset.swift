import HTTP1

/// One file of the attention page with its content type and a strong ETag derived from its bytes.
struct PageAsset: Sendable {
    /// The route path, e.g. `/app.js`.
    let path: String
    /// The `Content-Type` header value.
    let contentType: String
    /// The UTF-8 bytes.
    let body: [UInt8]
    /// A strong entity tag (quoted), the FNV-1a 64-bit hash of `body`.
    let etag: String

    /// Creates an asset from its bytes.
    init(path: String, contentType: String, bytes: [UInt8]) {
        self.path = path
        self.contentType = contentType
        self.body = bytes
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in body {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        self.etag = "\"" + String(repeating: "0", count: 16 - hex.count) + hex + "\""
    }

    /// The headers every answer for this asset carries (200 and 304 alike).
    var headers: HTTPHeaders {
        [
            "Content-Type": contentType,
            "ETag": etag,
            "Cache-Control": "no-cache",
            "Content-Security-Policy": PageAssets.contentSecurityPolicy,
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer",
            "Cross-Origin-Opener-Policy": "same-origin",
        ]
    }

    /// The answer to a GET (or HEAD) of this asset: 304 without a body when `If-None-Match` names our ETag,
    /// otherwise 200 with the bytes. For HEAD the server drops the body on the wire and keeps its length.
    func response(for request: Request) -> Response {
        if matches(ifNoneMatch: request.headers.values(for: "If-None-Match")) {
            return Response(status: .notModified, headers: headers)
        }
        return Response(status: .ok, headers: headers, body: body)
    }

    /// Whether an `If-None-Match` list names this asset (weak comparison, `*` matches anything).
    func matches(ifNoneMatch values: [String]) -> Bool {
        for value in values {
            for candidate in value.split(separator: ",") {
                var tag = candidate.trimmingSpaces()
                if tag == "*" { return true }
                if tag.hasPrefix("W/") { tag = String(tag.dropFirst(2)) }
                if tag == etag { return true }
            }
        }
        return false
    }
}

extension Substring {
    /// The text without leading and trailing spaces and tabs.
    fileprivate func trimmingSpaces() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let start = firstIndex(where: { !isSpace($0) }), let end = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(self[start...end])
    }
}
