import AttendCore
import HTTP1
import HTTPServer
import JSON
import Transformer

extension AttendApp {
    /// `GET /models`.
    @Sendable func listModels(_ request: Request, _ context: RequestContext) async throws -> Response {
        let w = JSONWriter()
        w.raw("{\"models\":[")
        for (i, name) in registry.names.enumerated() {
            if i > 0 { w.byte(UInt8(ascii: ",")) }
            writeModel(name, into: w)
        }
        w.raw("]}")
        return Self.json(w.bytes)
    }

    /// `GET /models/{name}`.
    @Sendable func describeModel(_ request: Request, _ context: RequestContext) async throws -> Response {
        let name = context.pathParameters["name"] ?? ""
        guard registry.names.contains(name) else {
            throw CoreError.modelNotFound(name: name, available: registry.names)
        }
        let w = JSONWriter()
        writeModel(name, into: w)
        return Self.json(w.bytes)
    }

    /// One model's description; checkpoint folders only with `server.expose_paths`.
    func writeModel(_ name: String, into w: JSONWriter) {
        w.raw("{\"name\":")
        w.string(name)
        guard let model = registry.model(named: name) else {
            w.raw(",\"ready\":false")
            if let error = registry.loadErrors[name] {
                w.raw(",\"error\":")
                w.string(configuration.server.exposePaths ? error : "the model failed to load (see the server log)")
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
            w.raw(",\"source\":\"checkpoint\"")
            if configuration.server.exposePaths {
                w.raw(",\"checkpoint\":")
                w.string(directory)
            }
        }
        w.byte(UInt8(ascii: "}"))
    }
}
