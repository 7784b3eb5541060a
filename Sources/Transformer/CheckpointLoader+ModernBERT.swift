import Foundation

// ModernBERT's config.json → EncoderConfiguration and the biases its checkpoint has.

extension CheckpointLoader {
    /// `model_type` `modernbert` (`ModernBertConfig`): `hidden_size`, `num_attention_heads`, `num_hidden_layers`,
    /// `intermediate_size` (f: `mlp.Wi` is [2f, d]), `vocab_size`, `max_position_embeddings`, `norm_eps`
    /// (default 1e-5), `hidden_activation` (default `gelu`, exact: `transformers`' `ACT2FN["gelu"]`),
    /// `local_attention` (default 128, even). Which layers are global: `layer_types` (what transformers 5 writes;
    /// it must be the periodic pattern "full at every n-th layer from 0") or `global_attn_every_n_layers`
    /// (default 3). RoPE θ: `rope_parameters` (`full_attention`/`sliding_attention`, `rope_type` `default` only)
    /// or `global_rope_theta` (default 160 000) and `local_rope_theta` (default 10 000). Pre-LN with the final
    /// norm, layer 0 without attention norm, rotary positions, GeGLU, no token types. `file` names the source in
    /// errors; every unsupported value is `.invalidConfiguration` naming its key.
    static func modernBertConfiguration(
        _ json: [String: Any], file: String
    ) throws(TransformerError) -> EncoderConfiguration {
        func integer(_ key: String, default value: Int? = nil) throws(TransformerError) -> Int {
            try CheckpointFiles.integer(key, in: json, default: value, file: file)
        }
        func number(_ raw: Any?, _ key: String, default value: Double) throws(TransformerError) -> Double {
            guard let raw, !(raw is NSNull) else { return value }
            guard let number = CheckpointFiles.double(raw), number.isFinite, number > 0 else {
                throw .invalidConfiguration(field: key, reason: "not a positive number in \(file)")
            }
            return number
        }
        let activation: Activation
        switch json["hidden_activation"] {
        case nil, is NSNull: activation = .gelu
        case let name as String where name == "gelu": activation = .gelu
        case let name as String where ["gelu_new", "gelu_pytorch_tanh", "gelu_fast"].contains(name):
            activation = .geluTanh
        case let name as String where name == "relu": activation = .relu
        case let other?:
            throw .invalidConfiguration(
                field: "hidden_activation",
                reason: "\(other) is not gelu, gelu_new, gelu_pytorch_tanh, gelu_fast or relu in \(file)")
        }
        let window = try integer("local_attention", default: 128)
        guard window > 0, window % 2 == 0 else {
            throw .invalidConfiguration(
                field: "local_attention",
                reason: "\(window) is not a positive even window (a token sees ±local_attention/2) in \(file)")
        }
        let layers = try integer("num_hidden_layers")
        let every = try globalEvery(json, layers: layers, file: file)
        var global = try number(json["global_rope_theta"], "global_rope_theta", default: 160_000)
        var local = try number(json["local_rope_theta"], "local_rope_theta", default: 10_000)
        if let scaling = json["rope_scaling"], !(scaling is NSNull) {
            throw .invalidConfiguration(field: "rope_scaling", reason: "\(scaling) is not supported in \(file)")
        }
        if let parameters = json["rope_parameters"], !(parameters is NSNull) {
            guard let parameters = parameters as? [String: Any] else {
                throw .invalidConfiguration(field: "rope_parameters", reason: "not an object in \(file)")
            }
            for (kind, key) in [("full_attention", "global_rope_theta"), ("sliding_attention", "local_rope_theta")] {
                guard let entry = parameters[kind] else { continue }
                guard let entry = entry as? [String: Any] else {
                    throw .invalidConfiguration(field: "rope_parameters", reason: "\(kind) is not an object in \(file)")
                }
                if let type = entry["rope_type"], type as? String != "default" {
                    throw .invalidConfiguration(
                        field: "rope_parameters",
                        reason: "\(kind) rope_type \(type) is not supported (only default) in \(file)")
                }
                let theta = try number(
                    entry["rope_theta"], "rope_parameters", default: key == "global_rope_theta" ? global : local)
                if kind == "full_attention" { global = theta } else { local = theta }
            }
        }
        return EncoderConfiguration(
            layers: layers, heads: try integer("num_attention_heads"), hiddenSize: try integer("hidden_size"),
            intermediateSize: try integer("intermediate_size"), maxPositions: try integer("max_position_embeddings"),
            vocabularySize: try integer("vocab_size"), typeVocabularySize: 0, positionalEncoding: .rotary,
            normPlacement: .pre, activation: activation,
            layerNormEpsilon: Float(try number(json["norm_eps"], "norm_eps", default: 1e-5)), seed: 0,
            ropeTheta: global, localRopeTheta: local, localAttention: window, globalAttentionEvery: every,
            gatedFeedForward: true, firstAttentionNorm: false)
    }

    /// Every how many layers a global one comes: from `layer_types` (periodic, layer 0 global) when present, else
    /// `global_attn_every_n_layers` (default 3).
    private static func globalEvery(
        _ json: [String: Any], layers: Int, file: String
    ) throws(TransformerError) -> Int {
        guard let raw = json["layer_types"], !(raw is NSNull) else {
            guard let raw = json["global_attn_every_n_layers"], !(raw is NSNull) else { return 3 }
            guard let every = CheckpointFiles.integer(raw), every >= 1 else {
                throw .invalidConfiguration(
                    field: "global_attn_every_n_layers", reason: "not a positive integer in \(file)")
            }
            return every
        }
        guard let types = raw as? [String], types.count == layers,
            types.allSatisfy({ $0 == "full_attention" || $0 == "sliding_attention" })
        else {
            throw .invalidConfiguration(
                field: "layer_types",
                reason: "must list full_attention or sliding_attention for each of the \(layers) layers in \(file)")
        }
        let every = types.indices.dropFirst().first { types[$0] == "full_attention" } ?? Swift.max(layers, 1)
        for (l, type) in types.enumerated() where (type == "full_attention") != (l % every == 0) {
            throw .invalidConfiguration(
                field: "layer_types",
                reason: "layer \(l) breaks the pattern \"full_attention every \(every) layers from layer 0\" in \(file)"
            )
        }
        return every
    }

    /// The biases a ModernBERT checkpoint stores: `norm_bias`, `attention_bias`, `mlp_bias` (each default false).
    static func modernBertBiases(_ json: [String: Any], file: String) throws(TransformerError) -> ModelFamily.Biases {
        func flag(_ key: String) throws(TransformerError) -> Bool {
            guard let raw = json[key], !(raw is NSNull) else { return false }
            guard let value = raw as? Bool else {
                throw .invalidConfiguration(field: key, reason: "not true or false in \(file)")
            }
            return value
        }
        return ModelFamily.Biases(
            norm: try flag("norm_bias"), attention: try flag("attention_bias"), mlp: try flag("mlp_bias"))
    }
}
