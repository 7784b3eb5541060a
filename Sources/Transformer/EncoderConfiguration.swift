/// The architecture of an encoder: sizes, positional encoding, norm placement, activation and seed.
///
/// JSON keys are snake_case: `layers`, `heads`, `hidden_size`, `intermediate_size`, `max_positions`,
/// `vocab_size`, `type_vocab_size`, `positional_encoding`, `norm_placement`, `activation`, `layer_norm_eps`,
/// `seed`, `position_offset`, `embedding_norm`, `causal`, `rope_theta`, `local_rope_theta`, `local_attention`,
/// `global_attention_every`, `gated_feed_forward`, `first_attention_norm`. A missing key takes the value of ``EncoderConfiguration/init()`` (MiniLM-L6's shape, BERT's
/// defaults); an unknown key is an error. See `EncoderConfiguration+JSON.swift`.
public struct EncoderConfiguration: Sendable, Equatable, Codable {
    /// Number of encoder layers (≥ 1).
    public var layers: Int
    /// Attention heads per layer (≥ 1, divides `hiddenSize`).
    public var heads: Int
    /// Model width d.
    public var hiddenSize: Int
    /// Feed-forward inner width.
    public var intermediateSize: Int
    /// Longest accepted sequence, in tokens (positions 0..<maxPositions).
    public var maxPositions: Int
    /// Number of token ids.
    public var vocabularySize: Int
    /// Number of token-type (segment) ids; 0 means no type embeddings.
    public var typeVocabularySize: Int
    /// How positions enter the embeddings.
    public var positionalEncoding: PositionalEncoding
    /// Post-LN (BERT) or pre-LN.
    public var normPlacement: NormPlacement
    /// Feed-forward activation.
    public var activation: Activation
    /// LayerNorm epsilon, added to the variance.
    public var layerNormEpsilon: Float
    /// Seed of the deterministic initialisation (see ``EncoderWeights/seeded(_:)``).
    public var seed: UInt64
    /// Rows of the position table before position 0 (RoBERTa and XLM-R: `padding_idx + 1` = 2): token i of a
    /// sequence reads row `positionOffset + i`, so the table has `maxPositions + positionOffset` rows. 0 for BERT.
    public var positionOffset: Int
    /// Whether the embedding sum goes through a LayerNorm (BERT, RoBERTa, DistilBERT); false for GPT-2, whose
    /// embeddings enter the first pre-LN layer as they are.
    public var embeddingNorm: Bool
    /// Causal (decoder) self-attention: query i attends to keys j ≤ i only (scores above the diagonal are −∞
    /// before the softmax, so every map is lower-triangular with exact zeros above the diagonal). GPT-2.
    public var causal: Bool
    /// RoPE base θ of the global layers (``PositionalEncoding/rotary``; ModernBERT's `global_rope_theta`, 160 000).
    public var ropeTheta: Double
    /// RoPE base θ of the local (sliding-window) layers (ModernBERT's `local_rope_theta`, 10 000).
    public var localRopeTheta: Double
    /// Width of the local layers' attention window, in tokens (even; ModernBERT's `local_attention`): on a local
    /// layer query i sees keys j with |i − j| ≤ localAttention / 2 (the others are −∞ before the softmax, exact
    /// zeros in the maps). 0: every layer is global.
    public var localAttention: Int
    /// With a window, layer l is global when l % globalAttentionEvery == 0, local otherwise (ModernBERT's
    /// `global_attn_every_n_layers`); ≥ 1.
    public var globalAttentionEvery: Int
    /// Gated feed-forward (GeGLU, ModernBERT): W₁ is [2f, d]; its outputs split into input u (first f) and gate g,
    /// and the block computes W₂ · (act(u) ⊙ g).
    public var gatedFeedForward: Bool
    /// Whether layer 0's pre-LN attention input goes through its LayerNorm; false for ModernBERT, whose first
    /// attention norm is the identity (the embeddings were just normed).
    public var firstAttentionNorm: Bool

    /// MiniLM-L6's shape with BERT's conventions: 6 layers, 12 heads, d = 384, FFN 1536, 512 positions,
    /// 30522 ids, 2 type ids, learned positions, post-LN, exact GELU, ε = 1e-12, seed 0.
    public init() {
        self.init(
            layers: 6, heads: 12, hiddenSize: 384, intermediateSize: 1536, maxPositions: 512,
            vocabularySize: 30522, typeVocabularySize: 2)
    }

    /// A configuration from its fields.
    public init(
        layers: Int, heads: Int, hiddenSize: Int, intermediateSize: Int, maxPositions: Int,
        vocabularySize: Int, typeVocabularySize: Int, positionalEncoding: PositionalEncoding = .learned,
        normPlacement: NormPlacement = .post, activation: Activation = .gelu, layerNormEpsilon: Float = 1e-12,
        seed: UInt64 = 0, positionOffset: Int = 0, embeddingNorm: Bool = true, causal: Bool = false,
        ropeTheta: Double = 10_000, localRopeTheta: Double = 10_000, localAttention: Int = 0,
        globalAttentionEvery: Int = 1, gatedFeedForward: Bool = false, firstAttentionNorm: Bool = true
    ) {
        self.layers = layers
        self.heads = heads
        self.hiddenSize = hiddenSize
        self.intermediateSize = intermediateSize
        self.maxPositions = maxPositions
        self.vocabularySize = vocabularySize
        self.typeVocabularySize = typeVocabularySize
        self.positionalEncoding = positionalEncoding
        self.normPlacement = normPlacement
        self.activation = activation
        self.layerNormEpsilon = layerNormEpsilon
        self.seed = seed
        self.positionOffset = positionOffset
        self.embeddingNorm = embeddingNorm
        self.causal = causal
        self.ropeTheta = ropeTheta
        self.localRopeTheta = localRopeTheta
        self.localAttention = localAttention
        self.globalAttentionEvery = globalAttentionEvery
        self.gatedFeedForward = gatedFeedForward
        self.firstAttentionNorm = firstAttentionNorm
    }

    /// Whether layer l attends through the local window (``localAttention``) rather than to every key.
    public func isLocal(layer l: Int) -> Bool {
        localAttention > 0 && globalAttentionEvery > 0 && l % globalAttentionEvery != 0
    }

    /// Rows of W₁ (the feed-forward's first linear): f, or 2f for a gated feed-forward.
    public var intermediateRows: Int { gatedFeedForward ? 2 * intermediateSize : intermediateSize }

    /// Whether token contributions (``ContributionMeasure``) decompose this architecture's layers: post-LN with an
    /// ungated feed-forward (BERT-style) only.
    public var supportsContributions: Bool { normPlacement == .post && !gatedFeedForward }

    /// Width of one attention head, `hiddenSize / heads`.
    public var headSize: Int { heads > 0 ? hiddenSize / heads : 0 }

    /// Checks every field; the error names the first bad one by its JSON key.
    public func validate() throws(TransformerError) {
        func positive(_ value: Int, _ field: String) throws(TransformerError) {
            guard value > 0 else {
                throw .invalidConfiguration(field: field, reason: "must be positive, got \(value)")
            }
        }
        try positive(layers, "layers")
        try positive(heads, "heads")
        try positive(hiddenSize, "hidden_size")
        guard hiddenSize % heads == 0 else {
            throw .invalidConfiguration(
                field: "hidden_size", reason: "\(hiddenSize) is not divisible by heads (\(heads))")
        }
        try positive(intermediateSize, "intermediate_size")
        try positive(maxPositions, "max_positions")
        try positive(vocabularySize, "vocab_size")
        guard positionOffset >= 0, positionOffset <= 1 << 16 else {
            throw .invalidConfiguration(
                field: "position_offset", reason: "must be between 0 and 65536, got \(positionOffset)")
        }
        guard typeVocabularySize >= 0 else {
            throw .invalidConfiguration(
                field: "type_vocab_size", reason: "must not be negative, got \(typeVocabularySize)")
        }
        guard layerNormEpsilon.isFinite, layerNormEpsilon > 0 else {
            throw .invalidConfiguration(field: "layer_norm_eps", reason: "must be a positive finite number")
        }
        if positionalEncoding == .rotary && headSize % 2 != 0 {
            throw .invalidConfiguration(
                field: "hidden_size", reason: "rotary positions need an even head width, got \(headSize)")
        }
        for (theta, field) in [(ropeTheta, "rope_theta"), (localRopeTheta, "local_rope_theta")]
        where !(theta.isFinite && theta > 1) {
            throw .invalidConfiguration(field: field, reason: "must be a finite number above 1, got \(theta)")
        }
        guard localAttention >= 0, localAttention % 2 == 0, localAttention <= 1 << 20 else {
            throw .invalidConfiguration(
                field: "local_attention",
                reason: "must be an even window width between 0 and 2^20 (0: no local layers), got \(localAttention)")
        }
        guard globalAttentionEvery >= 1, globalAttentionEvery <= 1 << 20 else {
            throw .invalidConfiguration(
                field: "global_attention_every", reason: "must be between 1 and 2^20, got \(globalAttentionEvery)")
        }
        if positionalEncoding == .sinusoidal && hiddenSize % 2 != 0 {
            throw .invalidConfiguration(
                field: "hidden_size", reason: "sinusoidal positions need an even width, got \(hiddenSize)")
        }
        // Guard the sizes that multiply into allocations (a typo like 1e9 should fail here, not in malloc).
        let limit = 1 << 20
        for (value, field) in [
            (layers, "layers"), (heads, "heads"), (hiddenSize, "hidden_size"),
            (intermediateSize, "intermediate_size"), (maxPositions, "max_positions"),
            (vocabularySize, "vocab_size"), (typeVocabularySize, "type_vocab_size"),
        ] where value > limit {
            throw .invalidConfiguration(field: field, reason: "\(value) exceeds the limit \(limit)")
        }
        // Each size may be fine alone yet their products need terabytes: bound the parameter count.
        let (count, field) = parameterEstimate
        if count > Double(Self.maxParameters) {
            let gib = (count * 4 / Double(1 << 30)).rounded(.up)
            throw .invalidConfiguration(
                field: field,
                reason:
                    "the model would need about \(Int(gib)) GiB of weights (\(Int(count)) parameters); the limit is "
                    + "\(Self.maxParameters) parameters (\(Self.maxParameters * 4 >> 30) GiB)")
        }
    }

    /// Most parameters (floats) a model may have: 2^31, 8 GiB of weights.
    public static let maxParameters = 1 << 31

    /// The parameter count (in Double, so absurd sizes cannot overflow) and the field of its largest term.
    var parameterEstimate: (count: Double, field: String) {
        let d = Double(hiddenSize)
        let f = Double(intermediateSize)
        let l = Double(layers)
        let terms: [(Double, String)] = [
            (Double(vocabularySize) * d, "vocab_size"),
            (Double(maxPositions + positionOffset) * d + Double(typeVocabularySize) * d + 2 * d, "max_positions"),
            (l * (4 * d * d + 4 * d + 4 * d), "hidden_size"),
            (l * ((gatedFeedForward ? 3 : 2) * d * f + f + d), "intermediate_size"),
        ]
        let total = terms.reduce(0) { $0 + $1.0 }
        return (total, terms.max { $0.0 < $1.0 }!.1)
    }
}
