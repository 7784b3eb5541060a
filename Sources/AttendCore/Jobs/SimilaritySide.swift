import Transformer

/// What the compute thread keeps of one sequence of a ``SimilarityJob``: its pooled vector, its pooled vector at
/// every layer (``SimilarityJob/perLayer``), and for ``SimilarityJob/explain`` its last hidden state and rollout.
public struct SimilaritySide: Sendable {
    /// `[d]`, unnormalised.
    public var pooled: [Float]
    /// L+1 × `[d]` when asked.
    public var layers: [[Float]]?
    /// `[n, d]` when explaining.
    public var hidden: Tensor?
    /// `[n, n]` when explaining.
    public var rollout: Tensor?

    public init(pooled: [Float], layers: [[Float]]?, hidden: Tensor?, rollout: Tensor?) {
        self.pooled = pooled
        self.layers = layers
        self.hidden = hidden
        self.rollout = rollout
    }
}

extension SimilaritySide {
    /// Keeps of `output` what `job` needs (on the compute thread, as the sequence's pass ends): the pooled
    /// vector of the last hidden state, each hidden state pooled the same way, the measure's rollout.
    public init(output: EncoderOutput, job: SimilarityJob) {
        let hidden = output.lastHiddenState
        let pooled = SimilarityAnalysis.pooled(hidden, job.pooling) ?? []
        let layers = job.perLayer ? output.hiddenStates?.map { SimilarityAnalysis.pooled($0, job.pooling) ?? [] } : nil
        self.init(
            pooled: pooled, layers: layers, hidden: job.explain ? hidden : nil,
            rollout: job.explain ? job.plan.rollout(output) : nil)
    }
}
