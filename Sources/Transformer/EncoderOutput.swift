/// The result of one sequence's forward pass; only what ``ForwardOptions`` asked for is filled.
public struct EncoderOutput: Sendable, Equatable {
    /// [n, d] (n = this sequence's own length, no pad rows).
    public var lastHiddenState: Tensor
    /// L+1 × [n, d]; index 0 is the embeddings' output, index L equals `lastHiddenState` (after the final
    /// LayerNorm for pre-LN models). Nil unless asked for.
    public var hiddenStates: [Tensor]?
    /// Layer → [H, n, n] post-softmax probabilities, rows = queries, columns = keys; each row sums to 1.
    public var attentions: [Int: Tensor]
    /// [d] pooled (and optionally L2-normalised) vector; nil when pooling is `.none`.
    public var pooled: [Float]?

    /// An output from its parts.
    public init(
        lastHiddenState: Tensor, hiddenStates: [Tensor]? = nil, attentions: [Int: Tensor] = [:], pooled: [Float]? = nil
    ) {
        self.lastHiddenState = lastHiddenState
        self.hiddenStates = hiddenStates
        self.attentions = attentions
        self.pooled = pooled
    }
}
