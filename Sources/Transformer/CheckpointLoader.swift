/// Loads Hugging Face BERT-family checkpoint folders into a ``Model``.
///
/// A folder holds `config.json` (BERT's keys), `model.safetensors` (F32, F16 or BF16; names with or without the
/// `bert.` prefix; unused tensors such as `cls.*`, `pooler.*` or `embeddings.position_ids` are ignored), a
/// vocabulary (`vocab.txt`, see ``WordPieceTokenizer/load(directory:)``) and optionally sentence-transformers'
/// `modules.json` with its Pooling folder (`1_Pooling/config.json`) and a Normalize module.
///
/// The tensor-name table is ``CheckpointLoader/embeddingTensors`` plus ``CheckpointLoader/layerTensors``, the same
/// mapping as the table on ``EncoderWeights``. Every problem is a ``TransformerError`` naming the file and the
/// tensor or field: a missing tensor, a wrong shape, an unsupported dtype, a truncated file, an offset past the
/// end, a NaN or infinite weight, a missing vocabulary, a malformed or unsupported `config.json`.
public enum CheckpointLoader {
    /// Shape of a parameter in terms of the configuration.
    enum Dimensions {
        case hidden, intermediate
        case vocabularyByHidden, positionsByHidden, typesByHidden
        case hiddenByHidden, intermediateByHidden, hiddenByIntermediate

        func shape(_ c: EncoderConfiguration) -> [Int] {
            let d = c.hiddenSize
            let f = c.intermediateSize
            switch self {
            case .hidden: return [d]
            case .intermediate: return [f]
            case .vocabularyByHidden: return [c.vocabularySize, d]
            case .positionsByHidden: return [c.maxPositions, d]
            case .typesByHidden: return [c.typeVocabularySize, d]
            case .hiddenByHidden: return [d, d]
            case .intermediateByHidden: return [f, d]
            case .hiddenByIntermediate: return [d, f]
            }
        }
    }

    /// One row of the table: a Hugging Face tensor name (without `bert.`), its shape, the field it fills.
    struct Binding<Target> {
        var name: String
        var dimensions: Dimensions
        var assign: (inout Target, Tensor) -> Void
    }

    /// Embedding tensors → ``EncoderWeights`` fields.
    static var embeddingTensors: [Binding<EncoderWeights>] {
        [
            Binding(name: "embeddings.word_embeddings.weight", dimensions: .vocabularyByHidden) {
                $0.wordEmbeddings = $1
            },
            Binding(name: "embeddings.position_embeddings.weight", dimensions: .positionsByHidden) {
                $0.positionEmbeddings = $1
            },
            Binding(name: "embeddings.token_type_embeddings.weight", dimensions: .typesByHidden) {
                $0.typeEmbeddings = $1
            },
            Binding(name: "embeddings.LayerNorm.weight", dimensions: .hidden) { $0.embeddingNormWeight = $1 },
            Binding(name: "embeddings.LayerNorm.bias", dimensions: .hidden) { $0.embeddingNormBias = $1 },
        ]
    }

    /// Per-layer tensors (after `encoder.layer.{i}.`) → ``EncoderWeights/Layer`` fields.
    static var layerTensors: [Binding<EncoderWeights.Layer>] {
        [
            Binding(name: "attention.self.query.weight", dimensions: .hiddenByHidden) { $0.queryWeight = $1 },
            Binding(name: "attention.self.query.bias", dimensions: .hidden) { $0.queryBias = $1 },
            Binding(name: "attention.self.key.weight", dimensions: .hiddenByHidden) { $0.keyWeight = $1 },
            Binding(name: "attention.self.key.bias", dimensions: .hidden) { $0.keyBias = $1 },
            Binding(name: "attention.self.value.weight", dimensions: .hiddenByHidden) { $0.valueWeight = $1 },
            Binding(name: "attention.self.value.bias", dimensions: .hidden) { $0.valueBias = $1 },
            Binding(name: "attention.output.dense.weight", dimensions: .hiddenByHidden) {
                $0.attentionOutputWeight = $1
            },
            Binding(name: "attention.output.dense.bias", dimensions: .hidden) { $0.attentionOutputBias = $1 },
            Binding(name: "attention.output.LayerNorm.weight", dimensions: .hidden) {
                $0.attentionNormWeight = $1
            },
            Binding(name: "attention.output.LayerNorm.bias", dimensions: .hidden) { $0.attentionNormBias = $1 },
            Binding(name: "intermediate.dense.weight", dimensions: .intermediateByHidden) {
                $0.intermediateWeight = $1
            },
            Binding(name: "intermediate.dense.bias", dimensions: .intermediate) { $0.intermediateBias = $1 },
            Binding(name: "output.dense.weight", dimensions: .hiddenByIntermediate) { $0.outputWeight = $1 },
            Binding(name: "output.dense.bias", dimensions: .hidden) { $0.outputBias = $1 },
            Binding(name: "output.LayerNorm.weight", dimensions: .hidden) { $0.outputNormWeight = $1 },
            Binding(name: "output.LayerNorm.bias", dimensions: .hidden) { $0.outputNormBias = $1 },
        ]
    }

    /// Loads `directory` (see the type's documentation). The model's source is `.checkpoint(directory:)`.
    public static func load(directory: String) throws(TransformerError) -> Model {
        let configPath = CheckpointFiles.join(directory, "config.json")
        let configuration = try configuration(huggingFace: CheckpointFiles.jsonObject(configPath), file: configPath)
        let weightsPath = CheckpointFiles.join(directory, "model.safetensors")
        let file = try SafetensorsFile(path: weightsPath)
        let weights = try weights(from: file, configuration: configuration)
        let tokenizer = try WordPieceTokenizer.load(directory: directory)
        guard tokenizer.vocabularySize <= configuration.vocabularySize else {
            throw .invalidVocabulary(
                file: CheckpointFiles.join(directory, "vocab.txt"),
                detail: "\(tokenizer.vocabularySize) tokens but config.json's vocab_size is "
                    + "\(configuration.vocabularySize)")
        }
        let (pooling, normalize) = try sentencePooling(directory: directory)
        let encoder = try Encoder(configuration: configuration, weights: weights)
        return Model(
            encoder: encoder, tokenizer: tokenizer, defaultPooling: pooling, defaultNormalize: normalize,
            source: .checkpoint(directory: directory))
    }

    /// Maps a Hugging Face BERT `config.json` object to an ``EncoderConfiguration``: post-LN, learned absolute
    /// positions, `hidden_act` `gelu` → `.gelu`, `gelu_new`/`gelu_pytorch_tanh`/`gelu_fast` → `.geluTanh`,
    /// `relu` → `.relu`; `type_vocab_size` defaults to 2 and `layer_norm_eps` to 1e-12; seed 0.
    /// `file` names the source in errors.
    public static func configuration(
        huggingFace json: [String: Any], file: String
    ) throws(TransformerError) -> EncoderConfiguration {
        func integer(_ key: String, default value: Int? = nil) throws(TransformerError) -> Int {
            guard let raw = json[key] else {
                guard let value else { throw .invalidConfiguration(field: key, reason: "missing in \(file)") }
                return value
            }
            guard let number = CheckpointFiles.integer(raw) else {
                throw .invalidConfiguration(field: key, reason: "not an integer in \(file)")
            }
            return number
        }
        if let type = json["model_type"] {
            guard let name = type as? String, name == "bert" else {
                throw .invalidConfiguration(
                    field: "model_type", reason: "only BERT checkpoints are supported, got \(type) in \(file)")
            }
        }
        if let kind = json["position_embedding_type"] {
            guard kind as? String == "absolute" else {
                throw .invalidConfiguration(
                    field: "position_embedding_type", reason: "only \"absolute\" is supported, got \(kind) in \(file)")
            }
        }
        let activation: Activation
        switch json["hidden_act"] as? String {
        case "gelu": activation = .gelu
        case "gelu_new", "gelu_pytorch_tanh", "gelu_fast": activation = .geluTanh
        case "relu": activation = .relu
        default:
            throw .invalidConfiguration(
                field: "hidden_act",
                reason: "\(json["hidden_act"] ?? "nothing") is not gelu, gelu_new, gelu_pytorch_tanh or relu in \(file)"
            )
        }
        var epsilon: Float = 1e-12
        if let raw = json["layer_norm_eps"] {
            guard let value = CheckpointFiles.double(raw), value.isFinite, value >= 0 else {
                throw .invalidConfiguration(field: "layer_norm_eps", reason: "not a non-negative number in \(file)")
            }
            epsilon = Float(value)
        }
        let configuration = EncoderConfiguration(
            layers: try integer("num_hidden_layers"), heads: try integer("num_attention_heads"),
            hiddenSize: try integer("hidden_size"), intermediateSize: try integer("intermediate_size"),
            maxPositions: try integer("max_position_embeddings"), vocabularySize: try integer("vocab_size"),
            typeVocabularySize: try integer("type_vocab_size", default: 2), positionalEncoding: .learned,
            normPlacement: .post, activation: activation, layerNormEpsilon: epsilon, seed: 0)
        try configuration.validate()
        return configuration
    }

    /// Reads every parameter named in the table from `file`, checking shapes against `configuration`.
    public static func weights(
        from file: SafetensorsFile, configuration: EncoderConfiguration
    ) throws(TransformerError) -> EncoderWeights {
        let prefix = file.entries["bert.embeddings.word_embeddings.weight"] != nil ? "bert." : ""
        func load(_ name: String, _ dimensions: Dimensions) throws(TransformerError) -> Tensor {
            let shape = dimensions.shape(configuration)
            for candidate in candidates(prefix + name) where file.entries[candidate] != nil {
                let tensor = try file.tensor(candidate, shape: shape)
                // A NaN or infinity would silently turn every output into NaN (rendered as null): refuse it here.
                if let index = tensor.storage.firstIndex(where: { !$0.isFinite }) {
                    throw .nonFiniteWeight(file: file.path, tensor: candidate, index: index)
                }
                return tensor
            }
            throw .missingTensor(file: file.path, tensor: prefix + name)
        }
        let empty = Tensor(zeros: [0])
        var weights = EncoderWeights(
            wordEmbeddings: empty, positionEmbeddings: nil, typeEmbeddings: nil, embeddingNormWeight: empty,
            embeddingNormBias: empty, layers: [], finalNormWeight: nil, finalNormBias: nil)
        for binding in embeddingTensors {
            if binding.dimensions == .typesByHidden && configuration.typeVocabularySize == 0 { continue }
            binding.assign(&weights, try load(binding.name, binding.dimensions))
        }
        for index in 0..<configuration.layers {
            var layer = EncoderWeights.Layer(
                queryWeight: empty, queryBias: empty, keyWeight: empty, keyBias: empty, valueWeight: empty,
                valueBias: empty, attentionOutputWeight: empty, attentionOutputBias: empty,
                attentionNormWeight: empty, attentionNormBias: empty, intermediateWeight: empty,
                intermediateBias: empty, outputWeight: empty, outputBias: empty, outputNormWeight: empty,
                outputNormBias: empty)
            for binding in layerTensors {
                binding.assign(&layer, try load("encoder.layer.\(index).\(binding.name)", binding.dimensions))
            }
            weights.layers.append(layer)
        }
        return weights
    }

    /// The name itself, then TensorFlow-era LayerNorm names (`gamma`/`beta`).
    private static func candidates(_ name: String) -> [String] {
        if name.hasSuffix("LayerNorm.weight") { return [name, String(name.dropLast(6)) + "gamma"] }
        if name.hasSuffix("LayerNorm.bias") { return [name, String(name.dropLast(4)) + "beta"] }
        return [name]
    }

    /// Default pooling and normalisation from sentence-transformers' `modules.json`: the Pooling module's
    /// `config.json` (`pooling_mode_mean_tokens` → `.mean`, `pooling_mode_cls_token` → `.cls`,
    /// `pooling_mode_max_tokens` → `.max`; exactly one must be set) and whether a Normalize module follows.
    ///
    /// A folder without `modules.json` gets mean pooling without normalisation — what sentence-transformers itself
    /// builds for a plain Hugging Face model (BertModel's own `pooler_output`, a trained tanh layer over `[CLS]`,
    /// is not part of the encoder).
    public static func sentencePooling(directory: String) throws(TransformerError) -> (Pooling, Bool) {
        let modulesPath = CheckpointFiles.join(directory, "modules.json")
        guard CheckpointFiles.isFile(modulesPath) else { return (.mean, false) }
        var pooling: Pooling = .mean
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
            default:
                throw .invalidConfiguration(field: "pooling_mode", reason: "\(mode) is not supported in \(file)")
            }
        }
        let modes: [(String, Pooling?)] = [
            ("pooling_mode_mean_tokens", .mean), ("pooling_mode_cls_token", .cls), ("pooling_mode_max_tokens", .max),
            ("pooling_mode_mean_sqrt_len_tokens", nil), ("pooling_mode_weightedmean_tokens", nil),
            ("pooling_mode_lasttoken", nil),
        ]
        let chosen = modes.filter { CheckpointFiles.bool(json[$0.0]) == true }
        guard chosen.count == 1, let pooling = chosen[0].1 else {
            let names = chosen.map(\.0).joined(separator: ", ")
            throw .invalidConfiguration(
                field: "pooling_mode",
                reason: "exactly one of mean, cls or max pooling must be set, got [\(names)] in \(file)")
        }
        return pooling
    }
}
