import Transformer

/// A checked `/attend` request for one model: tokenized input, resolved layer and head indexes, and what it
/// will cost (``estimate``) — everything the batcher and the response writer need, nothing HTTP.
public struct AttendJob: Sendable {
    public var model: ServedModel
    public var input: SequenceInput
    /// Selected layers, non-negative, in request order (duplicates dropped).
    public var layers: [Int]
    /// Selected heads, non-negative, in request order (duplicates dropped).
    public var heads: [Int]
    public var attentions: Bool
    public var hiddenStates: Bool
    public var analysis: Bool
    public var pooling: Pooling
    public var normalize: Bool
    public var precision: Int?
    /// JSON or safetensors, the binary float type, the rows and keys of each map returned.
    public var form = ResponseForm()
    /// Contribution measures per selected layer, in answer order (``ContributionMeasure``), and whether each one's
    /// rollout over the selected layers is returned.
    public var contributions: [ContributionMeasure] = []
    public var contributionRollout = false
    /// Leave-one-token-out occlusion (``occlusionInputs``, README "Occlusion").
    public var occlusion = false
    /// Head roles (``HeadRoles``) per sequence and over the batch; masked-word predictions when asked.
    public var headRoles = false
    public var predictions: PredictionRequest?
    /// The checked probes (``checkProbes(_:limits:)``), each with one variant per input sequence.
    public var probes: [JobProbe] = []
    /// Sizes known before computing.
    public var estimate: JobEstimate

    public init(
        model: ServedModel, input: SequenceInput, layers: [Int], heads: [Int], attentions: Bool, hiddenStates: Bool,
        analysis: Bool, pooling: Pooling, normalize: Bool, precision: Int?, estimate: JobEstimate
    ) {
        self.model = model
        self.input = input
        self.layers = layers
        self.heads = heads
        self.attentions = attentions
        self.hiddenStates = hiddenStates
        self.analysis = analysis
        self.pooling = pooling
        self.normalize = normalize
        self.precision = precision
        self.estimate = estimate
    }

    /// What the pass keeps for each of this job's sequences, and nothing more: the selected heads' maps of the
    /// selected layers when they are returned; for the analysis, each selected layer's mean over all heads (for the
    /// rollout) and the selected heads' entropies, computed in the pass; hidden states when asked.
    public var keep: KeptOutputs {
        KeptOutputs(
            attentionLayers: attentions || headRoles ? Set(layers) : [], heads: heads,
            headMeanLayers: analysis ? Set(layers) : [], entropyLayers: analysis ? Set(layers) : [],
            hiddenStates: hiddenStates || predictions?.logitLens == true, contributions: Set(contributions),
            contributionLayers: contributions.isEmpty ? [] : Set(layers))
    }

    /// The encoder's inputs, each with ``keep``.
    public var encoderInputs: [EncoderInput] {
        let keep = self.keep
        return input.encodings.map { EncoderInput(ids: $0.ids, typeIds: input.typeIDs($0), keep: keep) }
    }
}

/// Sizes of a job, from the shapes alone, before anything is computed.
public struct JobEstimate: Sendable, Equatable {
    /// Upper estimate of the serialized response in the job's format (JSON, or the safetensors file: its data
    /// section exactly, its header from above).
    public var responseBytes: Int
    /// Bytes the job occupies while it runs and is written: what the encoder keeps for its sequences (exactly,
    /// `Encoder.keptBytes`), the analysis results, plus the response body.
    public var memoryBytes: Int
    /// Whether the JSON answer is streamed (large enough, see ``streamMinimumBytes``): then `memoryBytes` counts
    /// the few pieces held at once (``streamedBytes(response:largestPiece:)``) instead of the whole body.
    public var streamed: Bool

    public init(responseBytes: Int, memoryBytes: Int, streamed: Bool = false) {
        self.responseBytes = responseBytes
        self.memoryBytes = memoryBytes
        self.streamed = streamed
    }
}

/// One sequence's answer: the encoder's output trimmed to what the job asked for, its pooled vector (computed
/// once, on the compute thread) and its attention analysis when asked.
public struct SequenceResult: Sendable {
    public var output: EncoderOutput
    public var pooled: [Float]?
    public var summary: AttentionSummary?
    /// Measure → its rollout over the job's layers (`"contribution_rollout": true`); the per-layer matrices are in
    /// `output.contributions`.
    public var contributionRollouts: [ContributionMeasure: Tensor]
    /// Importance per token and the attributions' agreement with it (`"occlusion": true`).
    public var occlusion: OcclusionResult?
    /// Head roles (`"analysis"` with `"heads"`) and masked-word predictions (`"predictions"`).
    public var headRoles: HeadRoles?
    public var predictions: [PositionPrediction] = []
    /// The job's probes of this sequence, in request order (README "Probes").
    public var probes: [ProbeResult] = []

    public init(
        output: EncoderOutput, pooled: [Float]?, summary: AttentionSummary?,
        contributionRollouts: [ContributionMeasure: Tensor] = [:]
    ) {
        self.output = output
        self.pooled = pooled
        self.summary = summary
        self.contributionRollouts = contributionRollouts
    }
}
