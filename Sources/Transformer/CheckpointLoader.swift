import Foundation

/// Loads Hugging Face checkpoint folders of the encoder families (``ModelFamily``: BERT, RoBERTa, XLM-R,
/// DistilBERT, GPT-2, ModernBERT, chosen by `config.json`'s `model_type`) into a ``Model``.
///
/// A folder holds `config.json` (the family's keys, see ``configuration(huggingFace:file:)``), `model.safetensors`
/// (F32, F16 or BF16; names with or without the base prefix such as `bert.`; unused tensors such as `cls.*`,
/// `pooler.*` or `embeddings.position_ids` are ignored), a vocabulary (`vocab.txt`, see
/// ``WordPieceTokenizer/load(directory:)``) and optionally sentence-transformers' `modules.json` with its Pooling
/// folder (`1_Pooling/config.json`) and a Normalize module.
///
/// BERT's tensor-name table is ``CheckpointLoader/embeddingTensors`` plus ``CheckpointLoader/layerTensors``, the
/// same mapping as the table on ``EncoderWeights``; the other families' tables are on ``ModelFamily``. Every problem is a ``TransformerError`` naming the file and the
/// tensor or field: a missing tensor, a wrong shape, an unsupported dtype, a truncated file, an offset past the
/// end, a NaN or infinite weight, a missing vocabulary, a malformed or unsupported `config.json`.
///
/// Memory: each weight is held once. The encoder is packed straight from the mapped file
/// (``encoder(from:configuration:)``), tensor by tensor, the file's pages released behind it and the file unmapped
/// once packed; an F32 word-embedding table is read in place from a mapping of its own bytes (`MappedFloats`), so
/// the checkpoint must be replaced by renaming a new file over it, never rewritten in place, while it is served.
public enum CheckpointLoader {
    /// Embedding tensors (Hugging Face names without `bert.`) → parameters (the table on ``EncoderWeights``).
    static let embeddingTensors: [(name: String, parameter: EncoderParameter)] = [
        ("embeddings.word_embeddings.weight", .wordEmbeddings),
        ("embeddings.position_embeddings.weight", .positionEmbeddings),
        ("embeddings.token_type_embeddings.weight", .typeEmbeddings),
        ("embeddings.LayerNorm.weight", .embeddingNormWeight),
        ("embeddings.LayerNorm.bias", .embeddingNormBias),
    ]

    /// Per-layer tensors (after `encoder.layer.{i}.`) → ``EncoderWeights/Layer`` fields.
    static let layerTensors: [(name: String, field: EncoderParameter.Layer)] = [
        ("attention.self.query.weight", .queryWeight),
        ("attention.self.query.bias", .queryBias),
        ("attention.self.key.weight", .keyWeight),
        ("attention.self.key.bias", .keyBias),
        ("attention.self.value.weight", .valueWeight),
        ("attention.self.value.bias", .valueBias),
        ("attention.output.dense.weight", .attentionOutputWeight),
        ("attention.output.dense.bias", .attentionOutputBias),
        ("attention.output.LayerNorm.weight", .attentionNormWeight),
        ("attention.output.LayerNorm.bias", .attentionNormBias),
        ("intermediate.dense.weight", .intermediateWeight),
        ("intermediate.dense.bias", .intermediateBias),
        ("output.dense.weight", .outputWeight),
        ("output.dense.bias", .outputBias),
        ("output.LayerNorm.weight", .outputNormWeight),
        ("output.LayerNorm.bias", .outputNormBias),
    ]

    /// Loads `directory` (see the type's documentation). The model's source is `.checkpoint(directory:)`.
    public static func load(directory: String) throws(TransformerError) -> Model {
        let configPath = CheckpointFiles.join(directory, "config.json")
        let json = try CheckpointFiles.jsonObject(configPath)
        let family = try family(huggingFace: json, file: configPath)
        let configuration = try configuration(huggingFace: json, file: configPath)
        let biases = family == .modernbert ? try modernBertBiases(json, file: configPath) : ModelFamily.Biases()
        // The file (its mapping and descriptor) goes away once the encoder is packed, before the vocabulary loads.
        let encoder = try encoder(
            from: SafetensorsFile(path: CheckpointFiles.join(directory, "model.safetensors")),
            configuration: configuration, family: family, biases: biases)
        let tokenizer = try TokenizerLoader.load(directory: directory)
        guard tokenizer.vocabularySize <= configuration.vocabularySize else {
            throw .invalidVocabulary(
                file: CheckpointFiles.join(directory, "vocab.txt"),
                detail: "\(tokenizer.vocabularySize) tokens but config.json's vocab_size is "
                    + "\(configuration.vocabularySize)")
        }
        let (pooling, normalize) = try sentencePooling(
            directory: directory, defaultPooling: family.isCausal ? .last : .mean)
        var model = Model(
            encoder: encoder, tokenizer: tokenizer, defaultPooling: pooling, defaultNormalize: normalize,
            source: .checkpoint(directory: directory))
        model.family = family
        model.maskedLMHead = try MaskedLMHead.load(
            directory: directory, configuration: configuration, tokenizer: tokenizer)
        return model
    }

    /// The architecture `config.json`'s `model_type` names (``ModelFamily``; BERT when the key is absent). An
    /// unknown one is `.invalidConfiguration` naming it and listing the supported.
    public static func family(huggingFace json: [String: Any], file: String) throws(TransformerError) -> ModelFamily {
        guard let type = json["model_type"] else { return .bert }
        guard let name = type as? String, let family = ModelFamily(rawValue: name) else {
            throw .invalidConfiguration(
                field: "model_type",
                reason: "\(type) is not supported in \(file); supported: \(ModelFamily.supportedNames)")
        }
        return family
    }

    /// Maps a Hugging Face `config.json` object to an ``EncoderConfiguration``, by its ``ModelFamily``; seed 0.
    ///
    /// - `bert`, `roberta`, `xlm-roberta`: BERT's keys; post-LN, learned absolute positions, `hidden_act` `gelu` →
    ///   `.gelu`, `gelu_new`/`gelu_pytorch_tanh`/`gelu_fast` → `.geluTanh`, `relu` → `.relu`; `type_vocab_size`
    ///   defaults to 2 and `layer_norm_eps` to 1e-12. RoBERTa and XLM-R count positions from
    ///   `pad_token_id + 1` (HF `create_position_ids_from_input_ids` on unpadded sequences):
    ///   `position_offset` = `pad_token_id + 1` (default 2) and `max_positions` = `max_position_embeddings` − offset.
    /// - `distilbert`: `dim`, `n_heads`, `n_layers`, `hidden_dim`, `max_position_embeddings`, `vocab_size`,
    ///   `activation`; no token types; ε = 1e-12; a `sinusoidal_pos_embds` table is read from the file like a
    ///   learned one (transformers stores the table it computed).
    /// - `gpt2`: `n_embd`, `n_head`, `n_layer`, `n_positions`, `n_inner` (null → 4·`n_embd`), `vocab_size`,
    ///   `activation_function`, `layer_norm_epsilon` (default 1e-5); pre-LN with the final `ln_f`, causal, no
    ///   embedding LayerNorm, no token types.
    /// - `modernbert`: see `CheckpointLoader+ModernBERT.swift` (pre-LN, rotary, local/global layers, GeGLU).
    ///
    /// `file` names the source in errors.
    public static func configuration(
        huggingFace json: [String: Any], file: String
    ) throws(TransformerError) -> EncoderConfiguration {
        func integer(_ key: String, default value: Int? = nil) throws(TransformerError) -> Int {
            try CheckpointFiles.integer(key, in: json, default: value, file: file)
        }
        func activation(_ key: String) throws(TransformerError) -> Activation {
            switch json[key] as? String {
            case "gelu": return .gelu
            case "gelu_new", "gelu_pytorch_tanh", "gelu_fast": return .geluTanh
            case "relu": return .relu
            default:
                throw .invalidConfiguration(
                    field: key,
                    reason: "\(json[key] ?? "nothing") is not gelu, gelu_new, gelu_pytorch_tanh or relu in \(file)")
            }
        }
        func epsilon(_ key: String, default value: Float) throws(TransformerError) -> Float {
            guard let raw = json[key] else { return value }
            guard let number = CheckpointFiles.double(raw), number.isFinite, number >= 0 else {
                throw .invalidConfiguration(field: key, reason: "not a non-negative number in \(file)")
            }
            return Float(number)
        }
        let family = try family(huggingFace: json, file: file)
        let configuration: EncoderConfiguration
        switch family {
        case .bert, .roberta, .xlmRoberta:
            if let kind = json["position_embedding_type"] {
                guard kind as? String == "absolute" else {
                    throw .invalidConfiguration(
                        field: "position_embedding_type",
                        reason: "only \"absolute\" is supported, got \(kind) in \(file)")
                }
            }
            let offset = family == .bert ? 0 : try integer("pad_token_id", default: 1) + 1
            let table = try integer("max_position_embeddings")
            guard table > offset else {
                throw .invalidConfiguration(
                    field: "max_position_embeddings",
                    reason: "\(table) leaves no position after the offset \(offset) (pad_token_id + 1) in \(file)")
            }
            configuration = EncoderConfiguration(
                layers: try integer("num_hidden_layers"), heads: try integer("num_attention_heads"),
                hiddenSize: try integer("hidden_size"), intermediateSize: try integer("intermediate_size"),
                maxPositions: table - offset, vocabularySize: try integer("vocab_size"),
                typeVocabularySize: try integer("type_vocab_size", default: 2), positionalEncoding: .learned,
                normPlacement: .post, activation: try activation("hidden_act"),
                layerNormEpsilon: try epsilon("layer_norm_eps", default: 1e-12), seed: 0, positionOffset: offset)
        case .distilbert:
            configuration = EncoderConfiguration(
                layers: try integer("n_layers"), heads: try integer("n_heads"), hiddenSize: try integer("dim"),
                intermediateSize: try integer("hidden_dim"), maxPositions: try integer("max_position_embeddings"),
                vocabularySize: try integer("vocab_size"), typeVocabularySize: 0, positionalEncoding: .learned,
                normPlacement: .post, activation: try activation("activation"), layerNormEpsilon: 1e-12, seed: 0)
        case .gpt2:
            for key in ["scale_attn_by_inverse_layer_idx", "add_cross_attention"]
            where CheckpointFiles.bool(json[key]) == true {
                throw .invalidConfiguration(field: key, reason: "true is not supported in \(file)")
            }
            if CheckpointFiles.bool(json["scale_attn_weights"]) == false {
                throw .invalidConfiguration(field: "scale_attn_weights", reason: "false is not supported in \(file)")
            }
            let width = try integer("n_embd")
            configuration = EncoderConfiguration(
                layers: try integer("n_layer"), heads: try integer("n_head"), hiddenSize: width,
                intermediateSize: try integer("n_inner", default: 4 * width), maxPositions: try integer("n_positions"),
                vocabularySize: try integer("vocab_size"), typeVocabularySize: 0, positionalEncoding: .learned,
                normPlacement: .pre, activation: try activation("activation_function"),
                layerNormEpsilon: try epsilon("layer_norm_epsilon", default: 1e-5), seed: 0, embeddingNorm: false,
                causal: true)
        case .modernbert:
            configuration = try modernBertConfiguration(json, file: file)
        }
        try configuration.validate()
        return configuration
    }

    /// An encoder packed straight from `file`: every tensor the configuration needs is first checked for presence,
    /// shape and dtype, then read once, run by run (converted to float32 if it is F16 or BF16, checked finite, packed
    /// into the encoder's layout, its pages of the file released behind it). An F32 word-embedding table is not
    /// copied: the encoder reads it in place from a mapping of its own bytes (`MappedFloats`), which outlives
    /// `file`, so only the rows requests touch become resident. The errors are those of
    /// ``weights(from:configuration:)``, and the encoder computes bit for bit what
    /// `Encoder(configuration:weights: weights(from: file, configuration:))` computes, without the copies.
    public static func encoder(
        from file: SafetensorsFile, configuration: EncoderConfiguration, family: ModelFamily = .bert,
        biases: ModelFamily.Biases = ModelFamily.Biases()
    ) throws(TransformerError) -> Encoder {
        try configuration.validate()
        return try Encoder(
            configuration: configuration,
            source: CheckpointTensors(file: file, configuration: configuration, family: family, biases: biases))
    }

    /// Reads every parameter named in the table from `file` into ``EncoderWeights``, checking shapes against
    /// `configuration` (for tools and tests: ``encoder(from:configuration:)`` packs an encoder without this copy).
    /// Throws `.missingTensor`, `.shapeMismatch`, `.unsupportedDType` or `.nonFiniteWeight`, naming the file and the
    /// tensor.
    public static func weights(
        from file: SafetensorsFile, configuration: EncoderConfiguration, family: ModelFamily = .bert,
        biases: ModelFamily.Biases = ModelFamily.Biases()
    ) throws(TransformerError) -> EncoderWeights {
        let source = try CheckpointTensors(file: file, configuration: configuration, family: family, biases: biases)
        var weights = EncoderWeights.empty(layers: configuration.layers)
        for (parameter, _) in source.tensors {
            let shape = parameter.shape(configuration)
            let count = shape.reduce(1, *)
            let width = Swift.max(1, shape.last ?? 1)
            let storage = try [Float](unsafeUninitializedCapacity: count) {
                (out, initialized) throws(TransformerError) in
                try source.read(parameter, width: width) { firstRow, values in
                    guard let start = values.baseAddress, let destination = out.baseAddress else { return }
                    (destination + firstRow * width).initialize(from: start, count: values.count)
                }
                initialized = count
            }
            weights[parameter] = Tensor(shape: shape, storage: storage)
        }
        return weights
    }

    /// Default pooling and normalisation from sentence-transformers' `modules.json`: the Pooling module's
    /// `config.json` (`pooling_mode_mean_tokens` → `.mean`, `pooling_mode_cls_token` → `.cls`,
    /// `pooling_mode_max_tokens` → `.max`; exactly one must be set) and whether a Normalize module follows.
    ///
    /// A folder without `modules.json` gets `defaultPooling` without normalisation: mean pooling — what
    /// sentence-transformers itself builds for a plain Hugging Face model (BertModel's own `pooler_output`, a
    /// trained tanh layer over `[CLS]`, is not part of the encoder) — or, for a causal family (GPT-2), the last
    /// token, the only one that has seen the whole text (what embedding servers use for decoder models).
    /// `pooling_mode_lasttoken` (or `pooling_mode` `lasttoken`) selects ``Pooling/last``.
    public static func sentencePooling(
        directory: String, defaultPooling: Pooling = .mean
    ) throws(TransformerError) -> (Pooling, Bool) {
        let modulesPath = CheckpointFiles.join(directory, "modules.json")
        guard CheckpointFiles.isFile(modulesPath) else { return (defaultPooling, false) }
        var pooling: Pooling = defaultPooling
        var normalize = false
        for case let module as [String: Any] in try CheckpointFiles.jsonArray(modulesPath) {
            let type = module["type"] as? String ?? ""
            if type.hasSuffix(".Normalize") || type == "Normalize" {
                normalize = true
            } else if type.hasSuffix(".Pooling") || type == "Pooling" {
                let folder = module["path"] as? String ?? ""
                let configPath = CheckpointFiles.join(CheckpointFiles.join(directory, folder), "config.json")
                pooling = try poolingMode(CheckpointFiles.jsonObject(configPath), file: configPath)
            }
        }
        return (pooling, normalize)
    }

    private static func poolingMode(_ json: [String: Any], file: String) throws(TransformerError) -> Pooling {
        if let mode = json["pooling_mode"] as? String {
            switch mode {
            case "mean": return .mean
            case "cls": return .cls
            case "max": return .max
            case "lasttoken", "last": return .last
            default:
                throw .invalidConfiguration(field: "pooling_mode", reason: "\(mode) is not supported in \(file)")
            }
        }
        let modes: [(String, Pooling?)] = [
            ("pooling_mode_mean_tokens", .mean), ("pooling_mode_cls_token", .cls), ("pooling_mode_max_tokens", .max),
            ("pooling_mode_mean_sqrt_len_tokens", nil), ("pooling_mode_weightedmean_tokens", nil),
            ("pooling_mode_lasttoken", .last),
        ]
        let chosen = modes.filter { CheckpointFiles.bool(json[$0.0]) == true }
        guard chosen.count == 1, let pooling = chosen[0].1 else {
            let names = chosen.map(\.0).joined(separator: ", ")
            throw .invalidConfiguration(
                field: "pooling_mode",
                reason: "exactly one of mean, cls, max or last-token pooling must be set, got [\(names)] in \(file)")
        }
        return pooling
    }
}
