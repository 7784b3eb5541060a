import Transformer

/// One probe's answer for one sequence (README "Probes"): the variant, what the pass kept for it (the job's
/// selection: maps of the selected layers and heads, hidden states), its pooled vector, and how far it moved
/// from the original (``ProbeComparison``).
public struct ProbeResult: Sendable {
    public var name: String?
    public var variant: ProbeVariant
    public var output: EncoderOutput
    public var pooled: [Float]?
    public var comparison: ProbeComparison

    public init(
        name: String?, variant: ProbeVariant, output: EncoderOutput, pooled: [Float]?, comparison: ProbeComparison
    ) {
        self.name = name
        self.variant = variant
        self.output = output
        self.pooled = pooled
        self.comparison = comparison
    }
}
