import Transformer

/// A `POST /attend` request as typed values, before it is checked against a model (the HTTP layer decodes it
/// from JSON; ``AttendEngine/prepare(_:)`` turns it into an ``AttendJob``).
public struct AttendRequest: Sendable, Equatable {
    /// The model's name; nil = the first configured model.
    public var model: String?
    public var source: SequenceSource
    public var addSpecialTokens = true
    public var truncate = false
    /// Layers and heads to return, negative counting from the end; nil = all.
    public var layers: [Int]?
    public var heads: [Int]?
    public var attentions = true
    public var hiddenStates = false
    /// Attention rollout and per-head entropy per result.
    public var analysis = false
    /// Head roles per result and their batch means (`"analysis"` naming `"heads"`).
    public var headRoles = false
    /// Masked-word predictions from the model's MLM head; nil = none.
    public var predictions: PredictionRequest?
    /// Token contribution measures per selected layer (README "Token contributions"); empty = none.
    public var contributions: [ContributionMeasure] = []
    /// Each requested measure's rollout over the selected layers (all but `norm_heads`).
    public var contributionRollout = false
    /// Leave-one-token-out importance per token, next to every attribution computed (README "Occlusion").
    public var occlusion = false
    /// Variants of every input sequence run in the same batch (README "Probes"); empty = none.
    public var probes: [ProbeRequest] = []
    /// Overrides of the model's pooling and normalisation.
    public var pooling: Pooling?
    public var normalize: Bool?
    /// Digits after the point in the JSON answer (nil = shortest round trip); sizes the estimate.
    public var precision: Int?
    /// The answer's format, binary float type, and the rows and keys of each map.
    public var form = ResponseForm()

    public init(model: String? = nil, source: SequenceSource) {
        self.model = model
        self.source = source
    }
}
