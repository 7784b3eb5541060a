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
    /// ALTI rollout (Ferrando et al. 2022) over every layer (``ContributionAnalysis/rollout(_:measure:layers:)``):
    /// rows non-negative and summing to 1, no identity added. Post-LN models only.
    case alti
    /// GlobEnc rollout (Modarressi et al. 2022) over every layer, as ``alti``. Post-LN models only.
    case globenc

    /// The token contribution measure this rollout is made of (nil for attention rollout).
    public var contribution: ContributionMeasure? {
        switch self {
        case .attentionRollout: return nil
        case .alti: return .alti
        case .globenc: return .globenc
        }
    }

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
        case .alti, .globenc:
            let all = Array(0..<layers)
            let measure = contribution ?? .alti
            return Plan(
                keep: KeptOutputs(contributions: [measure], contributionLayers: Set(all)),
                rollout: { output in ContributionAnalysis.rollout(output, measure: measure, layers: all) },
                floats: { n in n * n })
        }
    }
}
