import Transformer

/// How `/similarity` carries its token matrix back to input tokens: a rollout `R` [n, n] per sequence (rows =
/// output positions, columns = input tokens, every row summing to 1), and what the forward pass must keep to
/// compute it.
///
/// Adding a measure is one case here and one in ``plan(layers:)`` (what to keep, how to roll it out); the request
/// member `"measure"` takes the raw value.
public enum AttributionMeasure: String, Sendable, CaseIterable {
    /// Attention rollout (Abnar & Zuidema 2020) over every layer: per layer the mean over all heads plus the
    /// identity, rows renormalised, multiplied in order (``AttentionAnalysis/rollout(_:)``).
    case attentionRollout = "attention_rollout"

    /// What a measure needs from the pass and how it turns that into the rollout.
    public struct Plan: Sendable {
        /// Kept per sequence, merged into the similarity job's own selection.
        public var keep: KeptOutputs
        /// The rollout of one sequence from its output (nil when the output lacks what `keep` asked for).
        public var rollout: @Sendable (EncoderOutput) -> Tensor?
        /// Floats the rollout occupies for a sequence of `n` tokens while the job runs, besides what is kept.
        public var floats: @Sendable (_ n: Int) -> Int
    }

    /// The plan of this measure for a model of `layers` layers.
    public func plan(layers: Int) -> Plan {
        switch self {
        case .attentionRollout:
            let all = Array(0..<layers)
            return Plan(
                keep: KeptOutputs(headMeanLayers: Set(all)),
                rollout: { output in
                    var means: [Tensor] = []
                    for layer in all {
                        guard let mean = output.attentionMeans[layer] else { return nil }
                        means.append(mean)
                    }
                    return AttentionAnalysis.rollout(means)
                },
                floats: { n in n * n })
        }
    }
}
