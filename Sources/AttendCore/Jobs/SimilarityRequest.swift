import Transformer

/// A `POST /similarity` request in Attend's form (`{"model", "a", "b", "explain", "per_layer", "measure"}`) as
/// typed values, before it is checked against a model (``AttendEngine/prepare(_:)-(SimilarityRequest)``).
public struct SimilarityRequest: Sendable, Equatable {
    /// The most texts `b` may hold: each is compared with `a` in the same batch, and each answer carries two
    /// `[n, m]` matrices when explained.
    public static let maxComparisons = 64

    /// The model's name; nil = the first configured model.
    public var model: String?
    /// The text every `b` is compared with.
    public var a: String
    /// The texts compared with `a`, in order (1...``maxComparisons``).
    public var b: [String]
    /// Return the token matrix `S` and its carry-back to input tokens.
    public var explain = false
    /// Return the cosine at every layer (L+1 values, index 0 the embeddings' output).
    public var perLayer = false
    /// The rollout that carries `S` back to input tokens.
    public var measure = AttributionMeasure.attentionRollout
    /// Cut sequences longer than the model's positions instead of refusing them.
    public var truncate = false

    public init(model: String? = nil, a: String, b: [String]) {
        self.model = model
        self.a = a
        self.b = b
    }
}
