import Foundation
import HTTP1
import HTTPServer
import JSON
import Logging

extension AttendApp {
    /// Response header carrying the number of tokens a request computed (logged and counted).
    static let tokensHeader = "X-Attend-Tokens"

    /// One log line and the metrics for every request, including 404/405 and errors.
    var logAndCount: Middleware {
        { [metrics] request, context, next in
            let start = ContinuousClock.now
            let response = try await next(request, context)
            let elapsed = ContinuousClock.now - start
            let seconds = elapsed.seconds
            let route = context.route.isEmpty ? "unmatched" : context.route
            metrics.recordRequest(
                route: route, method: request.method.rawValue, status: response.status.code, seconds: seconds,
                bytes: response.body.count)
            let tokens = response.headers[Self.tokensHeader].flatMap { Int($0) } ?? 0
            context.logger.info(
                "request",
                metadata: [
                    "method": "\(request.method.rawValue)", "path": "\(request.path)",
                    "status": "\(response.status.code)", "bytes": "\(response.body.count)",
                    "ms": "\(String(format: "%.2f", seconds * 1000))", "tokens": "\(tokens)",
                ])
            return response
        }
    }

    /// `Authorization: Bearer <key>` or `X-API-Key: <key>` when keys are configured; health routes stay public.
    var authenticate: Middleware {
        { [apiKeys] request, context, next in
            guard !apiKeys.isEmpty, !Self.publicRoutes.contains(context.route) else {
                return try await next(request, context)
            }
            var presented: String?
            if let authorization = request.headers["authorization"] {
                let parts = authorization.split(separator: " ", maxSplits: 1)
                if parts.count == 2, parts[0].lowercased() == "bearer" { presented = String(parts[1]) }
            }
            if presented == nil { presented = request.headers["x-api-key"] }
            guard let key = presented, Self.matches(Array(key.utf8), apiKeys) else {
                throw HTTPError(
                    .unauthorized, code: "unauthorized",
                    message: presented == nil
                        ? "an API key is required: send Authorization: Bearer <key> or X-API-Key: <key>"
                        : "the API key is not valid",
                    headers: ["WWW-Authenticate": "Bearer"])
            }
            return try await next(request, context)
        }
    }

    /// Constant-time comparison against every key (time depends only on lengths, never on where bytes differ).
    static func matches(_ presented: [UInt8], _ keys: [[UInt8]]) -> Bool {
        var found: UInt8 = 0
        for key in keys {
            var difference = UInt8(truncatingIfNeeded: presented.count ^ key.count)
            let length = max(presented.count, key.count)
            for i in 0..<length {
                let a = i < presented.count ? presented[i] : 0
                let b = i < key.count ? key[i] : 0
                difference |= a ^ b
            }
            found |= difference == 0 ? 1 : 0
        }
        return found == 1
    }

    /// 415 unless the body is declared JSON.
    static func requireJSON(_ request: Request) throws(ServiceError) {
        let type = request.headers["content-type"]?.lowercased() ?? ""
        let mediaType = type.split(separator: ";", maxSplits: 1).first.map { $0.trimmingCharacters(in: .whitespaces) }
        guard let mediaType, mediaType == "application/json" || mediaType.hasSuffix("+json") else {
            throw ServiceError(
                .unsupportedMediaType, code: "unsupported_media_type",
                message: "send the body as JSON with Content-Type: application/json"
                    + (type.isEmpty ? "" : " (got \(type))"))
        }
    }

    static func json(_ w: JSONWriter, status: HTTPStatus = .ok, tokens: Int? = nil) -> Response {
        var headers: HTTPHeaders = ["Content-Type": "application/json"]
        if let tokens { headers.add(name: tokensHeader, value: String(tokens)) }
        return Response(status: status, headers: headers, body: w.bytes)
    }
}
