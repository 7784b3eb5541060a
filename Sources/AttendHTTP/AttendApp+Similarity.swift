import AttendCore
import HTTP1
import HTTPServer
import JSON

/// `POST /similarity` serves two forms on one path, told apart by the body's members (README "POST
/// /similarity"):
///
/// | body | form |
/// |---|---|
/// | an `inputs` member and neither `a` nor `b` | TEI's (`{"inputs":{"source_sentence","sentences"}}` → `[float]`), unchanged, errors in TEI's shape |
/// | `a` and/or `b` and no `inputs` | Attend's (cosine, token matrix, carry-back, per-layer cosines), errors in Attend's shape |
/// | both, or none of them (e.g. `{}`) | 422 `ambiguous_form` in Attend's shape |
/// | not a JSON object (empty, malformed, an array) | TEI's handler, as before the second form existed |
extension AttendApp {
    /// Which form a `/similarity` body is in.
    enum SimilarityForm: Equatable {
        /// TEI's; the parsed body when it is an object (else nil: TEI's handler reports the problem).
        case tei(JSONValue?)
        /// Attend's, with the parsed body.
        case attend(JSONValue)
        /// Neither or both (the message says which).
        case ambiguous(String)
    }

    /// The form of a `/similarity` body (the table above).
    static func similarityForm(_ body: [UInt8]) -> SimilarityForm {
        guard !body.isEmpty, let value = try? JSONParser(maximumDepth: 32).parse(body),
            case .object(let members) = value
        else { return .tei(nil) }
        let keys = Set(members.map(\.key))
        let tei = keys.contains("inputs")
        let attend = keys.contains("a") || keys.contains("b")
        let forms =
            "send either TEI's form {\"inputs\": {\"source_sentence\": text, \"sentences\": [text]}} or Attend's "
            + "{\"a\": text, \"b\": text or [text], \"explain\"?, \"per_layer\"?}"
        switch (tei, attend) {
        case (true, false): return .tei(value)
        case (false, true): return .attend(value)
        case (true, true): return .ambiguous("the body has both \"inputs\" and \"a\"/\"b\"; " + forms)
        case (false, false): return .ambiguous("the body has neither \"inputs\" nor \"a\"/\"b\"; " + forms)
        }
    }

    /// `POST /similarity`: TEI's form or Attend's, by ``similarityForm(_:)``.
    @Sendable func similarity(_ request: Request, _ context: RequestContext) async throws -> Response {
        switch Self.similarityForm(request.body) {
        case .tei(nil):
            return try await Self.tei(teiSimilarity)(request, context)
        case .tei(let value?):
            let handler = Self.tei { [self] request, context in
                try Self.requireJSON(request)
                var fields = try RequestFields(value, schema: .teiSimilarity)
                return try await teiSimilarity(&fields, context)
            }
            return try await handler(request, context)
        case .attend(let value):
            context.facts.add(Self.attendFormFact, 1)
            try Self.requireJSON(request)
            var fields = try RequestFields(value, schema: .similarity)
            return try await similarity(&fields, context)
        case .ambiguous(let message):
            context.facts.add(Self.attendFormFact, 1)
            try Self.requireJSON(request)
            throw RequestError.ambiguousForm(message)
        }
    }

    /// Attend's form: the cosine of `a` with each `b`, and when asked the token matrix, its carry-back to input
    /// tokens and the cosine per layer.
    func similarity(_ fields: inout RequestFields, _ context: RequestContext) async throws -> Response {
        let typed = try SimilarityRequest.decode(&fields, limits: engine.limits)
        let job = try await engine.prepare(typed)
        let workers = engine.workers
        let body = try await engine.similarity(job) { comparisons in
            let write: @Sendable () -> [UInt8] = {
                let w = JSONWriter(capacity: min(job.estimate.responseBytes, 1 << 26))
                SimilarityWriter.write(job, comparisons: comparisons, into: w)
                return w.bytes
            }
            return job.estimate.responseBytes >= AttendEngine.offloadBytes ? try await workers.run(write) : write()
        }
        let tokens = job.input.totalTokens
        record(model: job.model.name, tokens: tokens, context)
        return Self.json(body, tokens: tokens)
    }
}
