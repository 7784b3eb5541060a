import AttendCore
import Foundation
import HTTP1
import HTTPServer
import JSON

extension AttendApp {
    /// `POST /v1/embeddings`: OpenAI's embeddings API (input string | [string] | [int] | [[int]]); `dimensions`
    /// cuts and re-normalises where the model allows it (``ServedModel/checkDimensions(_:)``), `user` is accepted
    /// and ignored. Errors are in OpenAI's shape (``OpenAIError``).
    @Sendable func embeddings(_ request: Request, _ context: RequestContext) async throws -> Response {
        try Self.requireJSON(request)
        var fields = try RequestFields.parse(request.body, schema: .embeddings)
        let model = try engine.registry.resolve(try fields.string("model"))
        let input = fields.value("input")
        let format = try fields.string("encoding_format") ?? "float"
        guard format == "float" || format == "base64" else {
            throw RequestError.invalidRequest("\"encoding_format\" must be \"float\" or \"base64\", got \"\(format)\"")
        }
        let dimensions = try fields.int("dimensions", 1...1_000_000)
        _ = try fields.string("user")
        try fields.finish()
        try model.checkDimensions(dimensions)
        let decoder = SourceDecoder(limits: engine.limits, vocabularySize: model.configuration.vocabularySize)
        let typed = EmbeddingRequest(model: model.name, source: try decoder.readOpenAI(input), dimensions: dimensions)
        let result = try await engine.embed(typed)
        metrics.recordTokens(model: model.name, count: result.tokens)
        context.facts.add(Self.tokensFact, result.tokens)
        let d = dimensions ?? model.configuration.hiddenSize
        let w = JSONWriter(capacity: 256 + result.vectors.count * d * 13)
        w.raw("{\"object\":\"list\",\"data\":[")
        for (i, vector) in result.vectors.enumerated() {
            if i > 0 { w.byte(UInt8(ascii: ",")) }
            w.raw("{\"object\":\"embedding\",\"index\":")
            w.int(i)
            w.raw(",\"embedding\":")
            if format == "base64" {
                let data = vector.withUnsafeBufferPointer { Data(buffer: $0) }
                w.string(data.base64EncodedString())
            } else {
                w.floats(vector)
            }
            w.byte(UInt8(ascii: "}"))
        }
        w.byte(UInt8(ascii: "]"))
        w.member("model", model.name)
        w.raw(",\"usage\":{")
        w.member("prompt_tokens", result.tokens, first: true)
        w.member("total_tokens", result.tokens)
        w.raw("}}")
        return Self.json(w.bytes, tokens: result.tokens)
    }
}

extension AttendApp {
    /// `GET /v1/models`: OpenAI's model list, `{"object":"list","data":[{"id","object","created","owned_by"}]}`.
    @Sendable func listOpenAIModels(_ request: Request, _ context: RequestContext) async throws -> Response {
        modelList(open: "{\"object\":\"list\",\"data\":[", writeOpenAIModel)
    }

    /// `GET /v1/models/{name}`: one model in OpenAI's shape (404 in OpenAI's error shape when unknown).
    @Sendable func describeOpenAIModel(_ request: Request, _ context: RequestContext) async throws -> Response {
        try namedModel(context, writeOpenAIModel)
    }

    /// `created` is when this process started (Unix seconds); `owned_by` is `attend`.
    func writeOpenAIModel(_ name: String, into w: JSONWriter) {
        w.raw("{\"id\":")
        w.string(name)
        w.raw(",\"object\":\"model\",\"created\":")
        w.int(startedAt)
        w.raw(",\"owned_by\":\"attend\"}")
    }
}
