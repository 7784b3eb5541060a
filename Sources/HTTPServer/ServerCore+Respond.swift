import HTTP1

extension ServerCore {
    /// Everything between a parsed request and the response to encode, run in the handler's task (off the I/O
    /// queues): request body decoding, routing with middlewares, response compression.
    func respond(to request: Request, context: RequestContext) async -> Response {
        var request = request
        if request.headers["content-encoding"] != nil {
            if request.body.count >= Offload.minimumBytes {
                let (decoded, failure) = await Offload.run { [self, request] in
                    var copy = request
                    let failure = self.decodeBody(of: &copy)
                    return (copy, failure)
                }
                request = decoded
                if let failure { return await router.respond(to: request, context: context, failing: failure) }
            } else if let failure = decodeBody(of: &request) {
                return await router.respond(to: request, context: context, failing: failure)
            }
        }
        let response = await router.respond(to: request, context: context)
        if response.stream != nil {
            var streamed = response
            compressStream(&streamed, for: request)
            return streamed
        }
        if response.body.count >= Offload.minimumBytes {
            return await Offload.run { [self, request] in
                var copy = response
                self.compress(&copy, for: request)
                return copy
            }
        }
        var small = response
        compress(&small, for: request)
        return small
    }

    /// Inflates a `Content-Encoding: gzip` body in place (bounded by `limits.maxBodyBytes`): 413 past it, 400 when
    /// corrupt, 415 for any other coding.
    func decodeBody(of request: inout Request) -> HTTPError? {
        guard let encoding = request.headers["content-encoding"] else { return nil }
        let codings = encoding.split(separator: ",").map { $0.trimmingSpaces.lowercased() }.filter {
            $0 != "identity"
        }
        if codings.isEmpty { return nil }
        guard codings == ["gzip"] || codings == ["x-gzip"] else {
            return HTTPError(
                .unsupportedMediaType, code: "unsupported_content_encoding",
                message: "Content-Encoding \(encoding) is not supported; use gzip or identity.")
        }
        do {
            request.body = try Gzip.inflate(request.body, limit: configuration.limits.maxBodyBytes)
        } catch .tooLarge {
            return HTTPError(
                .contentTooLarge, code: "content_too_large",
                message: "The request body inflates past \(configuration.limits.maxBodyBytes) bytes.")
        } catch {
            return HTTPError(.badRequest, code: "invalid_gzip", message: "The gzip request body is corrupt.")
        }
        request.head.headers.remove(name: "content-encoding")
        request.head.headers.replaceOrAdd(name: "Content-Length", value: String(request.body.count))
        return nil
    }

    /// gzip-compresses a large enough body when the client accepts it; such bodies always get
    /// `Vary: Accept-Encoding`.
    func compress(_ response: inout Response, for request: Request) {
        let settings = configuration.gzip
        guard settings.enabled, response.body.count >= settings.minimumBytes, !response.status.forbidsBody,
            !response.headers.contains(name: "content-encoding")
        else { return }
        if !response.headers.containsToken("accept-encoding", in: "vary") {
            response.headers.add(name: "Vary", value: "Accept-Encoding")
        }
        guard let accept = request.headers["accept-encoding"], Gzip.accepts(accept),
            let compressed = Gzip.compress(response.body, level: settings.level),
            compressed.count < response.body.count
        else { return }
        response.body = compressed
        response.headers.add(name: "Content-Encoding", value: "gzip")
    }

    /// Wraps a streamed body in incremental gzip (`GzipDeflater`) when the client accepts it: streamed bodies
    /// are large by nature, so `gzip.minimum_bytes` does not apply; pieces of `Offload.minimumBytes` or more are
    /// deflated on the offload queues.
    func compressStream(_ response: inout Response, for request: Request) {
        let settings = configuration.gzip
        guard settings.enabled, let inner = response.stream, !response.status.forbidsBody,
            !response.headers.contains(name: "content-encoding")
        else { return }
        if !response.headers.containsToken("accept-encoding", in: "vary") {
            response.headers.add(name: "Vary", value: "Accept-Encoding")
        }
        guard let accept = request.headers["accept-encoding"], Gzip.accepts(accept) else { return }
        let level = settings.level
        response.stream = ResponseStream { sink in
            guard let deflater = GzipDeflater(level: level) else { throw GzipDeflater.Failure.zlibFailed }
            try await inner.produce(into: GzipDeflater.Sink(deflater: deflater, next: sink))
            guard let tail = deflater.finish() else { throw GzipDeflater.Failure.zlibFailed }
            try await sink.write(tail)
        }
        response.headers.add(name: "Content-Encoding", value: "gzip")
    }
}
