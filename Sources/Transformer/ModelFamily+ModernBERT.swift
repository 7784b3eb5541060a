// ModernBERT's tensor names (as `save_pretrained` writes them for `ModernBertModel`; `model.` before each for a
// task model such as `ModernBertForMaskedLM`).

extension ModelFamily {
    /// Which biases a checkpoint stores (ModernBERT's `norm_bias`, `attention_bias`, `mlp_bias`, false by default);
    /// the other families always have all of them. An absent bias is read as zeros.
    public struct Biases: Sendable, Equatable {
        /// LayerNorm β (`embeddings.norm`, `attn_norm`, `mlp_norm`, `final_norm`).
        public var norm: Bool
        /// `attn.Wqkv.bias` and `attn.Wo.bias`.
        public var attention: Bool
        /// `mlp.Wi.bias` and `mlp.Wo.bias`.
        public var mlp: Bool

        /// Every bias present (BERT and the other families).
        public init(norm: Bool = true, attention: Bool = true, mlp: Bool = true) {
            self.norm = norm
            self.attention = attention
            self.mlp = mlp
        }
    }

    /// The file's tensor, or zeros when `present` is false.
    private static func bias(_ name: String, _ present: Bool, part: Int = 0, parts: Int = 1) -> TensorLocation {
        present ? TensorLocation(name: name, part: part, parts: parts) : TensorLocation(name: name, constant: 0)
    }

    /// Word embeddings, the embedding norm and the final norm (no position or type tables: rotary, no types).
    static func modernBertEmbeddingTensors(_ biases: Biases) -> [(EncoderParameter, TensorLocation)] {
        [
            (.wordEmbeddings, TensorLocation(name: "embeddings.tok_embeddings.weight")),
            (.embeddingNormWeight, TensorLocation(name: "embeddings.norm.weight")),
            (.embeddingNormBias, bias("embeddings.norm.bias", biases.norm)),
            (.finalNormWeight, TensorLocation(name: "final_norm.weight")),
            (.finalNormBias, bias("final_norm.bias", biases.norm)),
        ]
    }

    /// Layer `index`'s tensors (after `layers.{index}.`): `attn.Wqkv` [3d, d] holds Q, K, V stacked (HF views its
    /// output as [3, H, dh]); `mlp.Wi` [2f, d] input then gate. Layer 0 has no `attn_norm` (the identity; the
    /// encoder skips it, ``EncoderConfiguration/firstAttentionNorm``), so its parameters are the constants 1 and 0.
    static func modernBertLayerTensors(_ index: Int, _ b: Biases) -> [(EncoderParameter.Layer, TensorLocation)] {
        func qkv(_ part: Int) -> TensorLocation { TensorLocation(name: "attn.Wqkv.weight", part: part, parts: 3) }
        let first = index == 0
        return [
            (.queryWeight, qkv(0)),
            (.queryBias, bias("attn.Wqkv.bias", b.attention, part: 0, parts: 3)),
            (.keyWeight, qkv(1)),
            (.keyBias, bias("attn.Wqkv.bias", b.attention, part: 1, parts: 3)),
            (.valueWeight, qkv(2)),
            (.valueBias, bias("attn.Wqkv.bias", b.attention, part: 2, parts: 3)),
            (.attentionOutputWeight, TensorLocation(name: "attn.Wo.weight")),
            (.attentionOutputBias, bias("attn.Wo.bias", b.attention)),
            (
                .attentionNormWeight,
                first
                    ? TensorLocation(name: "attn_norm.weight", constant: 1) : TensorLocation(name: "attn_norm.weight")
            ),
            (.attentionNormBias, bias("attn_norm.bias", b.norm && !first)),
            (.intermediateWeight, TensorLocation(name: "mlp.Wi.weight")),
            (.intermediateBias, bias("mlp.Wi.bias", b.mlp)),
            (.outputWeight, TensorLocation(name: "mlp.Wo.weight")),
            (.outputBias, bias("mlp.Wo.bias", b.mlp)),
            (.outputNormWeight, TensorLocation(name: "mlp_norm.weight")),
            (.outputNormBias, bias("mlp_norm.bias", b.norm)),
        ]
    }
}
