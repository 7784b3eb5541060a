import Foundation
import HTTP1
import HTTPServer
import JSON
import Transformer

extension AttendApp {
    /// `POST /attend`: embeddings and attention maps (README "POST /attend").
    @Sendable func attend(_ request: Request, _ context: RequestContext) async throws -> Response {
        try Self.requireJSON(request)
        let parsed = try AttendRequest.parse(request.body, registry: registry, limits: requestLimits)
        let estimate = parsed.estimatedBytes
        let limit = configuration.server.maxResponseBytes
        guard estimate <= limit else {
            throw ServiceError.unprocessable(
                "the response would be about \(estimate) bytes, over the limit of \(limit) bytes; "
                    + "select fewer \"layers\" or \"heads\", send \"attentions\": false or \"hidden_states\": false, "
                    + "set \"precision\" (e.g. 4), or send fewer or shorter sequences",
                code: "response_too_large")
        }
        try Task.checkCancellation()
        let inputs = parsed.input.encodings.map { EncoderInput(ids: $0.ids) }
        let outputs = try await batcher.run(model: parsed.model, inputs: inputs, options: parsed.forwardOptions)
        let tokens = parsed.input.totalTokens
        metrics.recordTokens(model: parsed.model.name, count: tokens)
        let w = JSONWriter(capacity: min(estimate, 1 << 26))
        AttendResponseWriter.write(parsed, outputs: outputs, into: w)
        return Self.json(w, tokens: tokens)
    }

    /// `POST /tokenize`: tokens, ids and offsets without running the encoder.
    @Sendable func tokenize(_ request: Request, _ context: RequestContext) async throws -> Response {
        try Self.requireJSON(request)
        var fields = try RequestFields.parse(request.body)
        let model = try registry.resolve(try fields.string("model"))
        let addSpecialTokens = try fields.bool("add_special_tokens", default: true)
        let truncate = try fields.bool("truncate", default: false)
        let input = try SequenceInput.read(
            &fields, model: model, addSpecialTokens: addSpecialTokens, truncate: truncate, limits: requestLimits)
        try fields.finish()
        let w = JSONWriter()
        w.raw("{\"model\":")
        w.string(model.name)
        w.raw(",\"results\":[")
        for (i, encoding) in input.encodings.enumerated() {
            if i > 0 { w.byte(UInt8(ascii: ",")) }
            w.byte(UInt8(ascii: "{"))
            AttendResponseWriter.writeEncoding(encoding, kind: input.kind, into: w)
            w.byte(UInt8(ascii: "}"))
        }
        w.raw("],\"usage\":{\"tokens\":")
        w.int(input.totalTokens)
        w.raw("}}")
        return Self.json(w)
    }

    /// `POST /v1/embeddings`: OpenAI's embeddings API (input string | [string] | [int] | [[int]]).
    @Sendable func embeddings(_ request: Request, _ context: RequestContext) async throws -> Response {
        try Self.requireJSON(request)
        var fields = try RequestFields.parse(request.body)
        let model = try registry.resolve(try fields.string("model"))
        guard let input = fields.value("input") else {
            throw ServiceError.badRequest("\"input\" is required: a string, an array of strings, or token ids")
        }
        let format = try fields.string("encoding_format") ?? "float"
        guard format == "float" || format == "base64" else {
            throw ServiceError.badRequest("\"encoding_format\" must be \"float\" or \"base64\", got \"\(format)\"")
        }
        let d = model.configuration.hiddenSize
        if let dimensions = try fields.int("dimensions", 1...1_000_000), dimensions != d {
            throw ServiceError.unprocessable("this model's embeddings have \(d) dimensions, not \(dimensions)")
        }
        _ = try fields.string("user")
        try fields.finish()
        let encodings = try Self.openAIEncodings(input, model: model, limits: requestLimits)
        let maximum = model.configuration.maxPositions
        for (i, e) in encodings.enumerated() where e.specialTokensMask.allSatisfy({ $0 }) {
            throw ServiceError.badRequest("input \(i) is empty", code: "empty_sequence")
        }
        for (i, e) in encodings.enumerated() where e.count > maximum {
            throw ServiceError.unprocessable(
                "input \(i) has \(e.count) tokens, the model accepts at most \(maximum)", code: "sequence_too_long")
        }
        try Task.checkCancellation()
        let outputs = try await batcher.run(
            model: model, inputs: encodings.map { EncoderInput(ids: $0.ids) }, options: ForwardOptions())
        let tokens = encodings.reduce(0) { $0 + $1.count }
        metrics.recordTokens(model: model.name, count: tokens)
        let pooling = model.defaultPooling == .none ? .mean : model.defaultPooling
        let w = JSONWriter(capacity: 256 + outputs.count * d * 13)
        w.raw("{\"object\":\"list\",\"data\":[")
        for (i, output) in outputs.enumerated() {
            if i > 0 { w.byte(UInt8(ascii: ",")) }
            let vector =
                Encoder.pool(output.lastHiddenState, pooling, normalize: model.defaultNormalize) ?? []
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
        w.raw("],\"model\":")
        w.string(model.name)
        w.raw(",\"usage\":{\"prompt_tokens\":")
        w.int(tokens)
        w.raw(",\"total_tokens\":")
        w.int(tokens)
        w.raw("}}")
        return Self.json(w, tokens: tokens)
    }

    /// The per-request caps of the configuration.
    var requestLimits: RequestLimits {
        RequestLimits(
            maxTokens: configuration.compute.maxRequestTokens, maxSequences: configuration.compute.maxRequestSequences)
    }

    static func openAIEncodings(
        _ input: JSONValue, model: ServedModel, limits: RequestLimits = RequestLimits()
    ) throws(ServiceError) -> [Encoding] {
        let vocabulary = model.configuration.vocabularySize
        func idsEncoding(_ ids: [Int32]) -> Encoding {
            Encoding(
                tokens: ids.map { _ in "" }, ids: ids, offsets: ids.map { _ in nil }, wordIDs: ids.map { _ in nil },
                specialTokensMask: ids.map { _ in false })
        }
        let shapeMessage =
            "\"input\" must be a string, an array of strings, an array of token ids, or an array of arrays"
        switch input {
        case .string(let s):
            let maxPositions = model.configuration.maxPositions
            let bounded = try SequenceInput.boundedText(s, index: 0, maxPositions: maxPositions, truncate: false)
            return try SequenceInput.encodeCapped([bounded], limits: limits, maximum: nil) {
                model.tokenizer.encode($0, addSpecialTokens: true)
            }
        case .array(let items):
            guard let first = items.first else { throw ServiceError.badRequest("\"input\" is an empty array") }
            switch first {
            case .string:
                let texts = try SequenceInput.strings(input, field: "input")
                try limits.check(sequences: texts.count)
                for (i, text) in texts.enumerated() {
                    _ = try SequenceInput.boundedText(
                        text, index: i, maxPositions: model.configuration.maxPositions, truncate: false)
                }
                return try SequenceInput.encodeCapped(texts, limits: limits, maximum: nil) {
                    model.tokenizer.encode($0, addSpecialTokens: true)
                }
            case .number, .array:
                let lists = try SequenceInput.idLists(input, vocabularySize: vocabulary)
                try limits.check(sequences: lists.count)
                try limits.check(tokens: lists.reduce(0) { $0 + $1.count })
                for (i, list) in lists.enumerated() where list.isEmpty {
                    throw ServiceError.badRequest("input \(i) is empty", code: "empty_sequence")
                }
                return lists.map(idsEncoding)
            default:
                throw ServiceError.badRequest(shapeMessage)
            }
        default:
            throw ServiceError.badRequest(shapeMessage)
        }
    }

    /// `GET /models`.
    @Sendable func listModels(_ request: Request, _ context: RequestContext) async throws -> Response {
        let w = JSONWriter()
        w.raw("{\"models\":[")
        for (i, name) in registry.names.enumerated() {
            if i > 0 { w.byte(UInt8(ascii: ",")) }
            writeModel(name, into: w)
        }
        w.raw("]}")
        return Self.json(w)
    }

    /// `GET /models/{name}`.
    @Sendable func describeModel(_ request: Request, _ context: RequestContext) async throws -> Response {
        let name = context.pathParameters["name"] ?? ""
        guard registry.names.contains(name) else {
            throw ServiceError(
                .notFound, code: "model_not_found",
                message: "no model named \"\(name)\"; GET /models lists \(registry.names.joined(separator: ", "))")
        }
        let w = JSONWriter()
        writeModel(name, into: w)
        return Self.json(w)
    }

    func writeModel(_ name: String, into w: JSONWriter) {
        w.raw("{\"name\":")
        w.string(name)
        guard let model = registry.model(named: name) else {
            w.raw(",\"ready\":false")
            if let error = registry.loadErrors[name] {
                w.raw(",\"error\":")
                w.string(error)
            }
            w.byte(UInt8(ascii: "}"))
            return
        }
        let c = model.configuration
        w.raw(",\"ready\":true,\"architecture\":{\"layers\":")
        w.int(c.layers)
        w.raw(",\"heads\":")
        w.int(c.heads)
        w.raw(",\"hidden_size\":")
        w.int(c.hiddenSize)
        w.raw(",\"intermediate_size\":")
        w.int(c.intermediateSize)
        w.raw(",\"max_positions\":")
        w.int(c.maxPositions)
        w.raw(",\"vocab_size\":")
        w.int(c.vocabularySize)
        w.raw(",\"type_vocab_size\":")
        w.int(c.typeVocabularySize)
        w.raw(",\"positional_encoding\":")
        w.string(c.positionalEncoding.rawValue)
        w.raw(",\"norm_placement\":")
        w.string(c.normPlacement.rawValue)
        w.raw(",\"activation\":")
        w.string(c.activation.rawValue)
        w.raw(",\"layer_norm_eps\":")
        w.float(c.layerNormEpsilon)
        w.raw(",\"seed\":")
        w.int(Int(truncatingIfNeeded: c.seed))
        w.raw("},\"max_length\":")
        w.int(c.maxPositions)
        w.raw(",\"vocabulary_size\":")
        w.int(model.tokenizer.vocabularySize)
        w.raw(",\"pooling\":")
        w.string(model.defaultPooling.rawValue)
        w.raw(",\"normalize\":")
        w.bool(model.defaultNormalize)
        switch model.source {
        case .seeded:
            w.raw(",\"source\":\"seeded\"")
        case .checkpoint(let directory):
            w.raw(",\"source\":\"checkpoint\",\"checkpoint\":")
            w.string(directory)
        }
        w.byte(UInt8(ascii: "}"))
    }

    /// `GET /healthz`: the process is up.
    @Sendable func healthz(_ request: Request, _ context: RequestContext) async throws -> Response {
        let w = JSONWriter()
        w.raw("{\"status\":\"ok\"}")
        return Self.json(w)
    }

    /// `GET /readyz`: 200 once every model is loaded, else 503 with Retry-After.
    @Sendable func readyz(_ request: Request, _ context: RequestContext) async throws -> Response {
        guard registry.isReady else {
            let failures = registry.loadErrors
            if !failures.isEmpty {
                throw ServiceError(
                    .serviceUnavailable, code: "model_failed",
                    message: failures.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(
                        separator: "; "))
            }
            throw ServiceError(.serviceUnavailable, code: "not_ready", message: "models are loading", retryAfter: 1)
        }
        let w = JSONWriter()
        w.raw("{\"status\":\"ready\",\"models\":")
        w.strings(registry.names)
        w.byte(UInt8(ascii: "}"))
        return Self.json(w)
    }

    /// `GET /metrics`: Prometheus text format.
    @Sendable func renderMetrics(_ request: Request, _ context: RequestContext) async throws -> Response {
        let ready = registry.names.filter { registry.model(named: $0) != nil }.count
        let text = metrics.render(queueDepth: batcher.depth, modelsReady: ready, modelsConfigured: registry.names.count)
        return Response(
            status: .ok, headers: ["Content-Type": "text/plain; version=0.0.4; charset=utf-8"], body: Array(text.utf8))
    }

    /// `GET /openapi.json`.
    @Sendable func openAPI(_ request: Request, _ context: RequestContext) async throws -> Response {
        Response(
            status: .ok, headers: ["Content-Type": "application/json"],
            body: openAPIBody)
    }
}
