import Transformer

/// The `occlusion` member of one `/attend` result (request option `"occlusion": true`, README "Occlusion"): each
/// token's leave-one-out importance, every per-token attribution the request computed, and how far each agrees
/// with the importances (``OcclusionAnalysis``).
public struct OcclusionResult: Sendable, Equatable {
    /// One attribution of the pooled vector to the input tokens, and its agreement with occlusion.
    public struct Attribution: Sendable, Equatable {
        /// `attention_rollout` (the `analysis` rollout) or a contribution measure's name (its rollout).
        public var name: String
        /// `[n]`: `wᵀ R` for the rollout R and the pooling's weights w.
        public var values: [Float]
        /// Spearman's rank correlation with `importance` over the occluded tokens; nil when undefined (fewer than
        /// 2 occluded tokens, or either side constant).
        public var spearman: Float?

        public init(name: String, values: [Float], spearman: Float? = nil) {
            self.name = name
            self.values = values
            self.spearman = spearman
        }
    }

    /// The pooling compared (the request's, `.none` compared as mean).
    public var pooling: Pooling
    /// `[n]`: 1 − cos(pooled, pooled without the token); nil for a token not occluded (an added special token, or
    /// the only token of a sequence).
    public var importance: [Float?]
    /// In answer order: `attention_rollout` (with `"analysis"`), then each requested contribution measure but
    /// `norm_heads` (norm, norm_res_ln, alti, globenc, value_zeroing).
    public var attributions: [Attribution]
    /// The unnormalised pooled vector of the whole sequence, while the occluded ones are compared with it (empty
    /// once the result is complete).
    var reference: [Float] = []

    public init(pooling: Pooling, importance: [Float?], attributions: [Attribution]) {
        self.pooling = pooling
        self.importance = importance
        self.attributions = attributions
    }
}
