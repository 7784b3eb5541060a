import AttendCore
import HTTP1
import HTTPServer
import JSON
import Transformer

extension AttendApp {
    /// `POST /attend`: embeddings and attention maps (README "POST /attend").
    @Sendable func attend(_ request: Request, _ context: RequestContext) async throws -> Response {
        try Self.requireJSON(request)
        let typed = try AttendRequest.decode(
            request.body, accept: request.headers["accept"], registry: engine.registry, limits: engine.limits)
        let job = try await engine.prepare(typed)
        let workers = engine.workers
        if job.estimate.streamed, job.form.format == .json {
            let (results, lease) = try await engine.attendLeased(job)
            let tokens = job.input.totalTokens
            metrics.recordTokens(model: job.model.name, count: tokens)
            context.facts.add(Self.tokensFact, tokens)
            var response = Self.json([], tokens: tokens)
            response.stream = AttendResponseStream.make(job, results: results, lease: lease, workers: workers)
            return response
        }
        let body = try await engine.attend(job) { results in
            let write: @Sendable () -> [UInt8] = {
                if job.form.format == .safetensors { return SafetensorsWriter.write(job, results: results) }
                // Formatted in place into the body array (the estimate is an upper bound, so it rarely grows).
                return JSONWriter.collect(capacity: min(job.estimate.responseBytes, 1 << 26)) { w in
                    if job.form.format == .bertviz {
                        BertvizWriter.write(job, results: results, into: w)
                    } else {
                        AttendResponseWriter.write(job, results: results, into: w)
                    }
                }
            }
            return job.estimate.responseBytes >= AttendEngine.offloadBytes ? try await workers.run(write) : write()
        }
        let tokens = job.input.totalTokens
        metrics.recordTokens(model: job.model.name, count: tokens)
        context.facts.add(Self.tokensFact, tokens)
        guard job.form.format == .json else {
            return Response(
                status: .ok,
                headers: [
                    "Content-Type": job.form.format.mediaType, "X-Content-Type-Options": "nosniff",
                    Self.tokensHeader: String(tokens),
                ], body: body)
        }
        return Self.json(body, tokens: tokens)
    }
}
