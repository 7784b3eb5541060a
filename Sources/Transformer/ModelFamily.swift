/// The checkpoint architectures ``CheckpointLoader`` reads, named by `config.json`'s `model_type`.
///
/// Each maps its Hugging Face tensors onto the parameters of ``EncoderWeights`` (`{i}` is the layer index; a task
/// model's base prefix — `bert.`, `roberta.`, `distilbert.`, `transformer.`, `model.` — is accepted too):
///
/// | family | embeddings | layer `{i}` | architecture switches |
/// |---|---|---|---|
/// | `bert` | `embeddings.*` | `encoder.layer.{i}.*` (the table on ``EncoderWeights``) | post-LN |
/// | `roberta`, `xlm-roberta` | as BERT | as BERT | post-LN, `position_offset` = `pad_token_id + 1` |
/// | `distilbert` | `embeddings.*`, no token types | `transformer.layer.{i}.attention.{q,k,v,out}_lin`, `sa_layer_norm`, `ffn.lin1`/`lin2`, `output_layer_norm` | post-LN |
/// | `gpt2` | `wte`, `wpe`, no LayerNorm | `h.{i}.ln_1`, `attn.c_attn` (Q, K, V side by side), `attn.c_proj`, `ln_2`, `mlp.c_fc`/`c_proj`; `ln_f` | pre-LN, causal, `Conv1D` [in, out] weights transposed at load |
/// | `modernbert` | `embeddings.tok_embeddings`, `embeddings.norm` | `layers.{i}.attn_norm` (none in layer 0), `attn.Wqkv` (Q, K, V stacked), `attn.Wo`, `mlp_norm`, `mlp.Wi` (input and gate stacked), `mlp.Wo`; `final_norm` | pre-LN, rotary, local/global layers, GeGLU; biases only where `norm_bias`/`attention_bias`/`mlp_bias` say (absent ones are 0) |
public enum ModelFamily: String, Sendable, CaseIterable, Codable {
    /// BERT (`BertModel`).
    case bert
    /// RoBERTa (`RobertaModel`): BERT's layout, positions counted from `padding_idx + 1`.
    case roberta
    /// XLM-RoBERTa (`XLMRobertaModel`), RoBERTa's architecture.
    case xlmRoberta = "xlm-roberta"
    /// DistilBERT (`DistilBertModel`): other tensor names, no token types.
    case distilbert
    /// GPT-2 (`GPT2Model`): causal, pre-LN, `Conv1D` weights.
    case gpt2
    /// ModernBERT (`ModernBertModel`): pre-LN, rotary positions, alternating local and global attention, GeGLU,
    /// optional biases (`ModelFamily+ModernBERT.swift`).
    case modernbert

    /// Where one parameter lies in a checkpoint file.
    struct TensorLocation: Equatable, Sendable {
        /// The tensor's name (without the base prefix).
        var name: String
        /// `Conv1D` layout: the file holds the weight as [in, out], transposed to [out, in] on load.
        var transposed = false
        /// The file tensor's last dimension holds `parts` parameters side by side (GPT-2's fused `c_attn`); this
        /// one is slice `part`.
        var part = 0
        var parts = 1
        /// Not in the file: every value is this constant (a bias the checkpoint does not have, ModernBERT's
        /// identity first attention norm).
        var constant: Float?

        /// The file tensor's shape for a parameter of shape `shape` ([out, in] or [out]).
        func fileShape(_ shape: [Int]) -> [Int] {
            guard let out = shape.first else { return shape }
            if shape.count == 2 {
                return transposed ? [shape[1], out * parts] : [out * parts, shape[1]]
            }
            return [out * parts]
        }
    }

    /// The supported `model_type` values, for errors.
    public static var supportedNames: String { allCases.map(\.rawValue).joined(separator: ", ") }

    /// Base-model prefixes a task checkpoint (`…ForMaskedLM`, `…LMHeadModel`) puts before every name.
    var prefixes: [String] {
        switch self {
        case .bert: ["bert."]
        case .roberta, .xlmRoberta: ["roberta."]
        case .distilbert: ["distilbert."]
        case .gpt2: ["transformer."]
        case .modernbert: ["model."]
        }
    }

    /// Whether causal models pool their last token by default (see ``Pooling/last``).
    public var isCausal: Bool { self == .gpt2 }

    /// Every parameter this family stores, with its place in the file, for `layers` layers (the loader takes the
    /// ones the configuration needs); `biases` says which biases a ModernBERT checkpoint has.
    func tensors(
        layers: Int, biases: Biases = Biases()
    ) -> [(parameter: EncoderParameter, location: TensorLocation)] {
        var table: [(EncoderParameter, TensorLocation)] = []
        switch self {
        case .bert, .roberta, .xlmRoberta, .distilbert:
            for (name, parameter) in CheckpointLoader.embeddingTensors {
                table.append((parameter, TensorLocation(name: name)))
            }
        case .gpt2:
            table += [
                (.wordEmbeddings, TensorLocation(name: "wte.weight")),
                (.positionEmbeddings, TensorLocation(name: "wpe.weight")),
                (.finalNormWeight, TensorLocation(name: "ln_f.weight")),
                (.finalNormBias, TensorLocation(name: "ln_f.bias")),
            ]
        case .modernbert:
            table += Self.modernBertEmbeddingTensors(biases)
        }
        for index in 0..<layers {
            let fields = self == .modernbert ? Self.modernBertLayerTensors(index, biases) : layerTensors
            for (field, location) in fields {
                var placed = location
                placed.name = layerPrefix(index) + location.name
                table.append((.layer(index, field), placed))
            }
        }
        return table
    }

    private func layerPrefix(_ index: Int) -> String {
        switch self {
        case .bert, .roberta, .xlmRoberta: "encoder.layer.\(index)."
        case .distilbert: "transformer.layer.\(index)."
        case .gpt2: "h.\(index)."
        case .modernbert: "layers.\(index)."
        }
    }

    /// Per-layer tensors (after the layer prefix) → ``EncoderWeights/Layer`` fields.
    private var layerTensors: [(EncoderParameter.Layer, TensorLocation)] {
        switch self {
        case .bert, .roberta, .xlmRoberta, .modernbert:
            return CheckpointLoader.layerTensors.map { ($0.field, TensorLocation(name: $0.name)) }
        case .distilbert:
            let names: [(String, EncoderParameter.Layer)] = [
                ("attention.q_lin.weight", .queryWeight), ("attention.q_lin.bias", .queryBias),
                ("attention.k_lin.weight", .keyWeight), ("attention.k_lin.bias", .keyBias),
                ("attention.v_lin.weight", .valueWeight), ("attention.v_lin.bias", .valueBias),
                ("attention.out_lin.weight", .attentionOutputWeight), ("attention.out_lin.bias", .attentionOutputBias),
                ("sa_layer_norm.weight", .attentionNormWeight), ("sa_layer_norm.bias", .attentionNormBias),
                ("ffn.lin1.weight", .intermediateWeight), ("ffn.lin1.bias", .intermediateBias),
                ("ffn.lin2.weight", .outputWeight), ("ffn.lin2.bias", .outputBias),
                ("output_layer_norm.weight", .outputNormWeight), ("output_layer_norm.bias", .outputNormBias),
            ]
            return names.map { ($0.1, TensorLocation(name: $0.0)) }
        case .gpt2:
            func conv(_ name: String, part: Int = 0, parts: Int = 1) -> TensorLocation {
                TensorLocation(name: name, transposed: true, part: part, parts: parts)
            }
            func slice(_ name: String, _ part: Int) -> TensorLocation {
                TensorLocation(name: name, part: part, parts: 3)
            }
            return [
                (.queryWeight, conv("attn.c_attn.weight", part: 0, parts: 3)),
                (.queryBias, slice("attn.c_attn.bias", 0)),
                (.keyWeight, conv("attn.c_attn.weight", part: 1, parts: 3)),
                (.keyBias, slice("attn.c_attn.bias", 1)),
                (.valueWeight, conv("attn.c_attn.weight", part: 2, parts: 3)),
                (.valueBias, slice("attn.c_attn.bias", 2)),
                (.attentionOutputWeight, conv("attn.c_proj.weight")),
                (.attentionOutputBias, TensorLocation(name: "attn.c_proj.bias")),
                (.attentionNormWeight, TensorLocation(name: "ln_1.weight")),
                (.attentionNormBias, TensorLocation(name: "ln_1.bias")),
                (.intermediateWeight, conv("mlp.c_fc.weight")),
                (.intermediateBias, TensorLocation(name: "mlp.c_fc.bias")),
                (.outputWeight, conv("mlp.c_proj.weight")),
                (.outputBias, TensorLocation(name: "mlp.c_proj.bias")),
                (.outputNormWeight, TensorLocation(name: "ln_2.weight")),
                (.outputNormBias, TensorLocation(name: "ln_2.bias")),
            ]
        }
    }
}
