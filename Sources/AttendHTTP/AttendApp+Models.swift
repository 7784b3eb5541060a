import AttendCore
import HTTP1
import HTTPServer
import JSON
import Transformer

extension AttendApp {
    /// `GET /models`.
    @Sendable func listModels(_ request: Request, _ context: RequestContext) async throws -> Response {
        modelList(open: "{\"models\":[", writeModel)
    }

    /// `GET /models/{name}`.
    @Sendable func describeModel(_ request: Request, _ context: RequestContext) async throws -> Response {
        try namedModel(context, writeModel)
    }

    /// Every configured model, each written by `write`, between `open` and `]}` (for both model lists).
    func modelList(open: StaticString, _ write: (String, JSONWriter) -> Void) -> Response {
        let w = JSONWriter()
        w.raw(open)
        for (i, name) in registry.names.enumerated() {
            if i > 0 { w.byte(UInt8(ascii: ",")) }
            write(name, w)
        }
        w.raw("]}")
        return Self.json(w.bytes)
    }

    /// The model the `{name}` path segment names, written by `write`; `modelNotFound` when no such model.
    func namedModel(_ context: RequestContext, _ write: (String, JSONWriter) -> Void) throws -> Response {
        let name = context.pathParameters["name"] ?? ""
        guard registry.names.contains(name) else {
            throw CoreError.modelNotFound(name: name, available: registry.names)
        }
        let w = JSONWriter()
        write(name, w)
        return Self.json(w.bytes)
    }

    /// One model's description; checkpoint folders only with `server.expose_paths`. `random_weights` is true for
    /// a seeded model: its maps show the architecture's structure, not language (the page says so). `family` is
    /// the checkpoint's ``ModelFamily`` (`config.json`'s `model_type`) or `seeded`; `causal` says the maps are
    /// lower-triangular (query i sees keys j ≤ i only); the architecture adds the family's switches
    /// (`position_offset`, `embedding_norm`, `causal`, next to `norm_placement`).
    func writeModel(_ name: String, into w: JSONWriter) {
        w.byte(UInt8(ascii: "{"))
        w.member("name", name, first: true)
        guard let model = registry.model(named: name) else {
            w.member("ready", false)
            if let error = registry.loadErrors[name] {
                w.member(
                    "error", configuration.server.exposePaths ? error : "the model failed to load (see the server log)")
            }
            w.byte(UInt8(ascii: "}"))
            return
        }
        let c = model.configuration
        w.member("ready", true)
        w.member("family", model.family?.rawValue ?? "seeded")
        w.member("causal", c.causal)
        w.raw(",\"architecture\":{")
        w.member("layers", c.layers, first: true)
        w.member("heads", c.heads)
        w.member("hidden_size", c.hiddenSize)
        w.member("intermediate_size", c.intermediateSize)
        w.member("max_positions", c.maxPositions)
        w.member("vocab_size", c.vocabularySize)
        w.member("type_vocab_size", c.typeVocabularySize)
        w.member("positional_encoding", c.positionalEncoding.rawValue)
        w.member("norm_placement", c.normPlacement.rawValue)
        w.member("activation", c.activation.rawValue)
        w.member("layer_norm_eps", c.layerNormEpsilon)
        w.member("seed", Int(truncatingIfNeeded: c.seed))
        w.member("position_offset", c.positionOffset)
        w.member("embedding_norm", c.embeddingNorm)
        w.member("causal", c.causal)
        w.byte(UInt8(ascii: "}"))
        w.member("max_length", c.maxPositions)
        w.member("vocabulary_size", model.tokenizer.vocabularySize)
        w.member("pooling", model.defaultPooling.rawValue)
        w.member("normalize", model.defaultNormalize)
        w.member("mlm_head", model.maskedLMHead != nil)
        switch model.source {
        case .seeded:
            w.member("source", "seeded")
            w.member("random_weights", true)
        case .checkpoint(let directory):
            w.member("source", "checkpoint")
            w.member("random_weights", false)
            if configuration.server.exposePaths { w.member("checkpoint", directory) }
        }
        w.byte(UInt8(ascii: "}"))
    }
}
