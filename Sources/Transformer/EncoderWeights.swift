/// Every parameter of an encoder, as Tensors in **Hugging Face / PyTorch layout**.
///
/// Shape legend: V = vocabularySize, P = maxPositions, Y = typeVocabularySize, d = hiddenSize,
/// f = intermediateSize, L = layers.
///
/// Linear weights are PyTorch's `[out, in]` (row-major), used as `y = x·Wᵀ + b`, so a safetensors tensor is copied
/// in unchanged. Query, key and value stay separate here; `Encoder.init` packs them into one fused `[3d, d]`
/// product. The Hugging Face BERT name of each field (with or without the `bert.` prefix) is given below;
/// `{i}` is the layer index.
///
/// | field | shape | Hugging Face tensor |
/// |---|---|---|
/// | `wordEmbeddings` | [V, d] | `embeddings.word_embeddings.weight` |
/// | `positionEmbeddings` | [P, d] | `embeddings.position_embeddings.weight` (nil unless `learned`) |
/// | `typeEmbeddings` | [Y, d] | `embeddings.token_type_embeddings.weight` (nil when Y = 0) |
/// | `embeddingNormWeight` / `Bias` | [d] | `embeddings.LayerNorm.weight` / `.bias` |
/// | `layers[i].queryWeight` / `Bias` | [d, d] / [d] | `encoder.layer.{i}.attention.self.query.weight` / `.bias` |
/// | `layers[i].keyWeight` / `Bias` | [d, d] / [d] | `encoder.layer.{i}.attention.self.key.weight` / `.bias` |
/// | `layers[i].valueWeight` / `Bias` | [d, d] / [d] | `encoder.layer.{i}.attention.self.value.weight` / `.bias` |
/// | `layers[i].attentionOutputWeight` / `Bias` | [d, d] / [d] | `encoder.layer.{i}.attention.output.dense.*` |
/// | `layers[i].attentionNormWeight` / `Bias` | [d] | `encoder.layer.{i}.attention.output.LayerNorm.*` |
/// | `layers[i].intermediateWeight` / `Bias` | [f, d] / [f] | `encoder.layer.{i}.intermediate.dense.*` |
/// | `layers[i].outputWeight` / `Bias` | [d, f] / [d] | `encoder.layer.{i}.output.dense.*` |
/// | `layers[i].outputNormWeight` / `Bias` | [d] | `encoder.layer.{i}.output.LayerNorm.*` |
/// | `finalNormWeight` / `Bias` | [d] | (pre-LN only; nil for post-LN) |
///
/// Norm placement: with `post` (BERT), `attentionNorm` follows the attention residual and `outputNorm` the
/// feed-forward residual. With `pre`, `attentionNorm` is applied to the layer input before attention,
/// `outputNorm` before the feed-forward block, and `finalNorm` after the last layer.
public struct EncoderWeights: Sendable, Equatable {
    /// Token embeddings [V, d].
    public var wordEmbeddings: Tensor
    /// Learned position embeddings [P, d]; nil for sinusoidal or no positions.
    public var positionEmbeddings: Tensor?
    /// Token-type embeddings [Y, d]; nil when the type vocabulary is empty.
    public var typeEmbeddings: Tensor?
    /// Embedding LayerNorm γ [d].
    public var embeddingNormWeight: Tensor
    /// Embedding LayerNorm β [d].
    public var embeddingNormBias: Tensor
    /// One entry per encoder layer.
    public var layers: [Layer]
    /// Final LayerNorm γ [d] (pre-LN only).
    public var finalNormWeight: Tensor?
    /// Final LayerNorm β [d] (pre-LN only).
    public var finalNormBias: Tensor?

    /// The parameters of one encoder layer (see the table on ``EncoderWeights``).
    public struct Layer: Sendable, Equatable {
        /// [d, d]
        public var queryWeight: Tensor
        /// [d]
        public var queryBias: Tensor
        /// [d, d]
        public var keyWeight: Tensor
        /// [d]
        public var keyBias: Tensor
        /// [d, d]
        public var valueWeight: Tensor
        /// [d]
        public var valueBias: Tensor
        /// [d, d]
        public var attentionOutputWeight: Tensor
        /// [d]
        public var attentionOutputBias: Tensor
        /// [d]
        public var attentionNormWeight: Tensor
        /// [d]
        public var attentionNormBias: Tensor
        /// [f, d] ([2f, d] for a gated feed-forward: input rows, then gate rows)
        public var intermediateWeight: Tensor
        /// [f] ([2f] gated)
        public var intermediateBias: Tensor
        /// [d, f]
        public var outputWeight: Tensor
        /// [d]
        public var outputBias: Tensor
        /// [d]
        public var outputNormWeight: Tensor
        /// [d]
        public var outputNormBias: Tensor

        /// A layer from its parameters.
        public init(
            queryWeight: Tensor, queryBias: Tensor, keyWeight: Tensor, keyBias: Tensor, valueWeight: Tensor,
            valueBias: Tensor, attentionOutputWeight: Tensor, attentionOutputBias: Tensor,
            attentionNormWeight: Tensor, attentionNormBias: Tensor, intermediateWeight: Tensor,
            intermediateBias: Tensor, outputWeight: Tensor, outputBias: Tensor, outputNormWeight: Tensor,
            outputNormBias: Tensor
        ) {
            self.queryWeight = queryWeight
            self.queryBias = queryBias
            self.keyWeight = keyWeight
            self.keyBias = keyBias
            self.valueWeight = valueWeight
            self.valueBias = valueBias
            self.attentionOutputWeight = attentionOutputWeight
            self.attentionOutputBias = attentionOutputBias
            self.attentionNormWeight = attentionNormWeight
            self.attentionNormBias = attentionNormBias
            self.intermediateWeight = intermediateWeight
            self.intermediateBias = intermediateBias
            self.outputWeight = outputWeight
            self.outputBias = outputBias
            self.outputNormWeight = outputNormWeight
            self.outputNormBias = outputNormBias
        }
    }

    /// Weights from their parameters.
    public init(
        wordEmbeddings: Tensor, positionEmbeddings: Tensor?, typeEmbeddings: Tensor?, embeddingNormWeight: Tensor,
        embeddingNormBias: Tensor, layers: [Layer], finalNormWeight: Tensor? = nil, finalNormBias: Tensor? = nil
    ) {
        self.wordEmbeddings = wordEmbeddings
        self.positionEmbeddings = positionEmbeddings
        self.typeEmbeddings = typeEmbeddings
        self.embeddingNormWeight = embeddingNormWeight
        self.embeddingNormBias = embeddingNormBias
        self.layers = layers
        self.finalNormWeight = finalNormWeight
        self.finalNormBias = finalNormBias
    }
}
