/// The result of one sequence's forward pass; only what its ``KeptOutputs`` (``EncoderInput/keep``, or the pass's
/// ``ForwardOptions``) asked for is filled.
public struct EncoderOutput: Sendable, Equatable {
    /// [n, d] (n = this sequence's own length, no pad rows).
    public var lastHiddenState: Tensor
    /// L+1 × [n, d]; index 0 is the embeddings' output, index L equals `lastHiddenState` (after the final
    /// LayerNorm for pre-LN models). Nil unless asked for.
    public var hiddenStates: [Tensor]?
    /// Layer → [h, n, n] post-softmax probabilities of the kept heads (h = H, or the count of
    /// ``KeptOutputs/heads``, in that order), rows = queries, columns = keys; each row sums to 1.
    public var attentions: [Int: Tensor]
    /// [d] pooled (and optionally L2-normalised) vector; nil when pooling is `.none`.
    public var pooled: [Float]?
    /// Layer → [n, n] mean of the layer's post-softmax maps over all H heads (``KeptOutputs/headMeanLayers``).
    public var attentionMeans: [Int: Tensor]
    /// Layer → one entropy per kept head (H, or ``KeptOutputs/heads`` in that order): the mean over query rows of
    /// `−Σ p ln p`, in nats (``KeptOutputs/entropyLayers``).
    public var entropies: [Int: [Float]]
    /// Measure → layer → its token-to-token matrix ([n, n]; [heads, n, n] for ``ContributionMeasure/normHeads``),
    /// rows = the layer's output positions, columns = its input tokens (``KeptOutputs/contributions``).
    public var contributions: [ContributionMeasure: [Int: Tensor]]

    /// An output from its parts.
    public init(
        lastHiddenState: Tensor, hiddenStates: [Tensor]? = nil, attentions: [Int: Tensor] = [:], pooled: [Float]? = nil,
        attentionMeans: [Int: Tensor] = [:], entropies: [Int: [Float]] = [:],
        contributions: [ContributionMeasure: [Int: Tensor]] = [:]
    ) {
        self.contributions = contributions
        self.lastHiddenState = lastHiddenState
        self.hiddenStates = hiddenStates
        self.attentions = attentions
        self.pooled = pooled
        self.attentionMeans = attentionMeans
        self.entropies = entropies
    }
}
