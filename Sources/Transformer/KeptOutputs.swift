// Shape legend: see Encoder.swift (n = this sequence's length, d, H, L).

/// What a forward pass keeps for one sequence besides its last hidden state (``EncoderInput/keep``).
///
/// One batched pass keeps each sequence's own selection, so a sequence that asks for maps does not make its
/// batch neighbours keep them. ``Encoder/keptBytes(for:options:)`` gives the exact size of what is kept.
/// Layer indexes outside `0..<L` are ignored; head indexes outside `0..<H` and repeated heads are dropped (the
/// first occurrence stays), the same way for the pass and for ``Encoder/keptBytes(for:options:)``.
public struct KeptOutputs: Sendable, Hashable {
    /// Layers whose post-softmax maps to keep: ``EncoderOutput/attentions`` `[layer]` is `[heads.count, n, n]`
    /// (or `[H, n, n]` when `heads` is nil).
    public var attentionLayers: Set<Int>
    /// The heads whose maps (and entropies) to keep, in this order; nil keeps every head in index order, an empty
    /// list keeps no maps and no entropies (head means always average all H heads).
    public var heads: [Int]?
    /// Layers whose mean map over **all** H heads to keep (``EncoderOutput/attentionMeans``, `[n, n]`), computed
    /// in the pass from each head's probabilities: what attention rollout needs, without keeping the H maps.
    public var headMeanLayers: Set<Int>
    /// Layers whose per-head entropy to keep (``EncoderOutput/entropies``): for each head of `heads` (all when
    /// nil), the mean over query rows of `−Σ p ln p` (nats), computed in the pass (no map needs to be kept).
    public var entropyLayers: Set<Int>
    /// Keep all L+1 hidden states.
    public var hiddenStates: Bool
    /// Token contribution measures to compute in the pass for each layer of ``contributionLayers``
    /// (``EncoderOutput/contributions``); post-LN encoders only (ignored for pre-LN). ``ContributionMeasure/
    /// normHeads`` is per head of `heads`.
    public var contributions: Set<ContributionMeasure>
    /// Layers whose contribution matrices to keep.
    public var contributionLayers: Set<Int>

    /// A selection; the defaults keep only the last hidden state.
    public init(
        attentionLayers: Set<Int> = [], heads: [Int]? = nil, headMeanLayers: Set<Int> = [],
        entropyLayers: Set<Int> = [], hiddenStates: Bool = false, contributions: Set<ContributionMeasure> = [],
        contributionLayers: Set<Int> = []
    ) {
        self.attentionLayers = attentionLayers
        self.heads = heads
        self.headMeanLayers = headMeanLayers
        self.entropyLayers = entropyLayers
        self.hiddenStates = hiddenStates
        self.contributions = contributions
        self.contributionLayers = contributionLayers
    }

    /// What `options` keeps for every sequence of a pass: its attention layers (all heads) and hidden states.
    public init(_ options: ForwardOptions) {
        self.init(attentionLayers: options.attentionLayers, hiddenStates: options.hiddenStates)
    }

    /// Only the last hidden state.
    public static let lastHiddenState = KeptOutputs()
}
