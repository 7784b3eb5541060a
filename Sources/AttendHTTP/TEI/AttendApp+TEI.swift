import AttendCore
import HTTP1
import HTTPServer
import JSON
import Transformer

/// Hugging Face text-embeddings-inference's routes, request and response shapes (README "Coming from TEI /
/// OpenAI"). They serve the first configured model (TEI serves one model), and answer errors as
/// `{"error","error_type"}` with TEI's statuses (``TEIError``).
extension AttendApp {
    /// The version `/info` reports.
    static let version = "1.0.0"

    /// `POST /embed`: `[[float]]`, one pooled vector per input (`normalize` default true, `dimensions` as on
    /// `/v1/embeddings`).
    @Sendable func teiEmbed(_ request: Request, _ context: RequestContext) async throws -> Response {
        try Self.requireJSON(request)
        var fields = try RequestFields.parse(request.body, schema: .teiEmbed)
        return try await teiEmbed(&fields, context)
    }

    func teiEmbed(_ fields: inout RequestFields, _ context: RequestContext) async throws -> Response {
        let model = try engine.registry.resolve(nil)
        let input = fields.value("inputs")
        let normalize = try fields.bool("normalize", default: true)
        let dimensions = try fields.int("dimensions", 1...1_000_000)
        let options = try TEIOptions.read(&fields)
        try fields.finish()
        try model.checkDimensions(dimensions)
        let decoder = SourceDecoder(
            limits: engine.limits, perSequence: options.truncate ? model.configuration.maxPositions : nil,
            vocabularySize: model.configuration.vocabularySize)
        let typed = EmbeddingRequest(
            model: model.name, source: try decoder.readTEI(input), dimensions: dimensions, truncate: options.truncate,
            truncationDirection: options.direction, normalize: normalize)
        let result = try await engine.embed(typed)
        record(model: model.name, tokens: result.tokens, context)
        let w = JSONWriter(capacity: 64 + result.vectors.count * (dimensions ?? model.configuration.hiddenSize) * 13)
        w.byte(UInt8(ascii: "["))
        for (i, vector) in result.vectors.enumerated() {
            if i > 0 { w.byte(UInt8(ascii: ",")) }
            w.floats(vector)
        }
        w.byte(UInt8(ascii: "]"))
        return Self.json(w.bytes, tokens: result.tokens)
    }

    func record(model: String, tokens: Int, _ context: RequestContext) {
        metrics.recordTokens(model: model, count: tokens)
        context.facts.add(Self.tokensFact, tokens)
    }

    /// `POST /embed_all`: `[[[float]]]`, every token's embedding (the last hidden state, special tokens included).
    @Sendable func teiEmbedAll(_ request: Request, _ context: RequestContext) async throws -> Response {
        try Self.requireJSON(request)
        var fields = try RequestFields.parse(request.body, schema: .teiEmbedAll)
        let model = try engine.registry.resolve(nil)
        let input = fields.value("inputs")
        let options = try TEIOptions.read(&fields)
        try fields.finish()
        let decoder = SourceDecoder(
            limits: engine.limits, perSequence: options.truncate ? model.configuration.maxPositions : nil,
            vocabularySize: model.configuration.vocabularySize)
        let typed = EmbeddingRequest(
            model: model.name, source: try decoder.readTEI(input), truncate: options.truncate,
            truncationDirection: options.direction)
        let result = try await engine.embedTokens(typed)
        record(model: model.name, tokens: result.tokens, context)
        let d = model.configuration.hiddenSize
        let w = JSONWriter(capacity: 64 + result.tokens * d * 13)
        w.byte(UInt8(ascii: "["))
        for (i, sequence) in result.sequences.enumerated() {
            if i > 0 { w.byte(UInt8(ascii: ",")) }
            sequence.values.withUnsafeBufferPointer { w.matrix($0, rows: sequence.rows, columns: d) }
        }
        w.byte(UInt8(ascii: "]"))
        return Self.json(w.bytes, tokens: result.tokens)
    }

    /// `POST /`: TEI's root route, which `huggingface_hub`'s `InferenceClient` posts to: `/similarity` when
    /// `inputs` is an object (`{"source_sentence","sentences"}`), else `/embed`.
    @Sendable func teiRoot(_ request: Request, _ context: RequestContext) async throws -> Response {
        try Self.requireJSON(request)
        let probe = try RequestFields.parse(request.body, schema: .teiEmbed)
        if case .object? = probe.members.first(where: { $0.key == "inputs" })?.value {
            var fields = try RequestFields(.object(probe.members), schema: .teiSimilarity)
            return try await teiSimilarity(&fields, context)
        }
        var fields = probe
        return try await teiEmbed(&fields, context)
    }

    /// `POST /similarity`: `{"inputs":{"source_sentence","sentences"},"parameters"?}` → `[float]`, the cosine
    /// similarity of each sentence's embedding with the source sentence's.
    @Sendable func teiSimilarity(_ request: Request, _ context: RequestContext) async throws -> Response {
        try Self.requireJSON(request)
        var fields = try RequestFields.parse(request.body, schema: .teiSimilarity)
        return try await teiSimilarity(&fields, context)
    }

    func teiSimilarity(_ fields: inout RequestFields, _ context: RequestContext) async throws -> Response {
        let model = try engine.registry.resolve(nil)
        guard case .object(let members)? = fields.value("inputs") else {
            throw RequestError.invalidRequest(
                "\"inputs\" must be an object {\"source_sentence\": string, \"sentences\": [string]}")
        }
        var options = TEIOptions()
        if let parameters = fields.value("parameters") {
            var p = try RequestFields(parameters, schema: .teiSimilarityParameters)
            options = try TEIOptions.read(&p)
            try p.finish()
        }
        try fields.finish()
        var inputs = try RequestFields(.object(members), schema: .teiSimilarityInputs)
        guard let source = try inputs.string("source_sentence") else {
            throw RequestError.invalidRequest("\"source_sentence\" is required: a string")
        }
        guard case .array(let items)? = inputs.value("sentences"), !items.isEmpty else {
            throw RequestError.invalidRequest("\"sentences\" must be a non-empty array of strings")
        }
        try inputs.finish()
        let decoder = SourceDecoder(limits: engine.limits)
        let sentences = try decoder.strings(.array(items), field: "sentences")
        let typed = EmbeddingRequest(
            model: model.name, source: .texts([source] + sentences), truncate: options.truncate,
            truncationDirection: options.direction, normalize: true)
        let result = try await engine.embed(typed)
        record(model: model.name, tokens: result.tokens, context)
        let reference = result.vectors[0]
        let scores = result.vectors.dropFirst().map { v in zip(reference, v).reduce(Float(0)) { $0 + $1.0 * $1.1 } }
        let w = JSONWriter()
        w.floats(Array(scores))
        return Self.json(w.bytes, tokens: result.tokens)
    }

    /// `POST /tokenize` with `inputs` (TEI's form): `[[{"id","text","special","start","stop"}]]`, offsets in
    /// UTF-8 bytes of the input, null for added special tokens.
    func teiTokenize(_ value: JSONValue, _ context: RequestContext) async throws -> Response {
        var fields = try RequestFields(value, schema: .teiTokenize)
        let model = try engine.registry.resolve(nil)
        let addSpecialTokens = try fields.bool("add_special_tokens", default: true)
        if let prompt = try fields.string("prompt_name") {
            throw CoreError.unsupported(
                "\"prompt_name\" \"\(prompt)\" is not available: this model has no sentence-transformers prompts",
                field: "prompt_name")
        }
        guard let inputs = fields.value("inputs") else {
            throw RequestError.invalidRequest("\"inputs\" is required: a string or an array of strings")
        }
        try fields.finish()
        let texts = try SourceDecoder(limits: engine.limits).strings(inputs, field: "inputs")
        let input = try await engine.read(
            .texts(texts), model: model, addSpecialTokens: addSpecialTokens, truncate: true)
        let w = JSONWriter()
        w.byte(UInt8(ascii: "["))
        for (s, encoding) in input.encodings.enumerated() {
            if s > 0 { w.byte(UInt8(ascii: ",")) }
            let scalars = Array(texts[s].unicodeScalars)
            var bytePrefix = [0]
            bytePrefix.reserveCapacity(scalars.count + 1)
            for scalar in scalars { bytePrefix.append(bytePrefix.last! + String(scalar).utf8.count) }
            w.byte(UInt8(ascii: "["))
            for i in 0..<encoding.count {
                if i > 0 { w.byte(UInt8(ascii: ",")) }
                w.raw("{\"id\":")
                w.int(Int(encoding.ids[i]))
                let special = encoding.specialTokensMask[i]
                let range = special ? nil : encoding.offsets[i]
                w.raw(",\"text\":")
                if let range, range.upperBound <= scalars.count {
                    w.string(String(String.UnicodeScalarView(scalars[range])))
                } else {
                    w.string(encoding.tokens[i])
                }
                w.raw(",\"special\":")
                w.bool(special)
                w.raw(",\"start\":")
                if let range, range.upperBound <= scalars.count {
                    w.int(bytePrefix[range.lowerBound])
                } else {
                    w.null()
                }
                w.raw(",\"stop\":")
                if let range, range.upperBound <= scalars.count {
                    w.int(bytePrefix[range.upperBound])
                } else {
                    w.null()
                }
                w.byte(UInt8(ascii: "}"))
            }
            w.byte(UInt8(ascii: "]"))
        }
        w.byte(UInt8(ascii: "]"))
        return Self.json(w.bytes)
    }

    /// `POST /decode`: `{"ids": [int] | [[int]], "skip_special_tokens": true}` → `[string]` (always a list, as
    /// TEI answers), through the model's tokenizer (``Tokenizer/decode(ids:skipSpecialTokens:)``: a
    /// `tokenizer.json` file's decoder, or WordPiece's joining and clean-up for `vocab.txt`).
    @Sendable func teiDecode(_ request: Request, _ context: RequestContext) async throws -> Response {
        try Self.requireJSON(request)
        var fields = try RequestFields.parse(request.body, schema: .teiDecode)
        let model = try engine.registry.resolve(nil)
        guard let ids = fields.value("ids") else {
            throw RequestError.invalidRequest("\"ids\" is required: an array of token ids or of arrays of ids")
        }
        let skip = try fields.bool("skip_special_tokens", default: true)
        try fields.finish()
        let lists = try SourceDecoder(limits: engine.limits).idLists(ids, field: "ids")
        let vocabulary = model.configuration.vocabularySize
        var texts: [String] = []
        for (s, list) in lists.enumerated() {
            for id in list where id < 0 || id >= vocabulary {
                throw CoreError.idOutOfRange(sequence: s, id: String(id), vocabularySize: vocabulary)
            }
            texts.append(model.tokenizer.decode(ids: list.map { Int32($0) }, skipSpecialTokens: skip))
        }
        let w = JSONWriter()
        w.strings(texts)
        return Self.json(w.bytes)
    }

    /// `GET /info`: TEI's description of the served (first) model and the service's limits.
    @Sendable func teiInfo(_ request: Request, _ context: RequestContext) async throws -> Response {
        let model = try engine.registry.resolve(nil)
        let compute = configuration.compute
        let w = JSONWriter()
        w.raw("{\"model_id\":")
        w.string(model.name)
        w.raw(",\"model_sha\":null,\"model_dtype\":\"float32\",\"model_type\":{\"embedding\":{\"pooling\":")
        w.string((model.defaultPooling == .none ? Pooling.mean : model.defaultPooling).rawValue)
        w.raw("}}")
        w.member("max_concurrent_requests", compute.queueCapacity)
        w.member("max_input_length", model.configuration.maxPositions)
        w.member("max_batch_tokens", compute.maxBatchTokens)
        w.member("max_batch_requests", compute.maxBatchSize)
        w.member("max_client_batch_size", compute.maxRequestSequences)
        w.member("auto_truncate", false)
        w.member("tokenization_workers", engine.workers.count)
        w.raw(",\"version\":")
        w.string(Self.version)
        w.raw(",\"sha\":null,\"docker_label\":null,\"served_by\":\"attend\"}")
        return Self.json(w.bytes)
    }

    /// `GET /health`: 200 with an empty body once every model is loaded, else 503 `unhealthy` (TEI's).
    @Sendable func teiHealth(_ request: Request, _ context: RequestContext) async throws -> Response {
        guard registry.isReady else {
            throw TEIError(
                status: .serviceUnavailable, code: "model_loading", message: "the model is not loaded yet",
                headers: ["Retry-After": "1"])
        }
        return Response(status: .ok, headers: [:], body: [])
    }
}
