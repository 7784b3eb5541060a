import Transformer

/// A checked `/similarity` request: the model, `a` and every `b` tokenized (sequence 0 is `a`, sequence `1 + k`
/// is `b[k]`), the pooling both sides use, what to compute, and its size estimate.
public struct SimilarityJob: Sendable {
    public var model: ServedModel
    /// `[a] + b`, tokenized.
    public var input: SequenceInput
    /// The model's pooling (mean when it has none); the cosine does not depend on normalisation.
    public var pooling: Pooling
    public var explain: Bool
    public var perLayer: Bool
    public var measure: AttributionMeasure
    /// Sizes known before computing.
    public var estimate: JobEstimate

    public init(
        model: ServedModel, input: SequenceInput, pooling: Pooling, explain: Bool, perLayer: Bool,
        measure: AttributionMeasure, estimate: JobEstimate
    ) {
        self.model = model
        self.input = input
        self.pooling = pooling
        self.explain = explain
        self.perLayer = perLayer
        self.measure = measure
        self.estimate = estimate
    }

    /// The plan of ``measure`` for this model (used only when ``explain``).
    public var plan: AttributionMeasure.Plan { measure.plan(layers: model.configuration.layers) }

    /// What the pass keeps for every sequence: all hidden states for ``perLayer``, the measure's needs for
    /// ``explain``; the last hidden state always.
    public var keep: KeptOutputs {
        var keep = explain ? plan.keep : KeptOutputs()
        keep.hiddenStates = keep.hiddenStates || perLayer
        return keep
    }

    /// The encoder's inputs, each with ``keep``.
    public var encoderInputs: [EncoderInput] {
        let keep = self.keep
        return input.encodings.map { EncoderInput(ids: $0.ids, keep: keep) }
    }

    /// The number of `b` texts.
    public var comparisons: Int { input.encodings.count - 1 }
}
