/// One sequence to encode: token ids, optional token-type (segment) ids of the same length, and optionally what
/// the pass keeps for this sequence.
public struct EncoderInput: Sendable, Equatable {
    /// Token ids, including any special tokens ([CLS] … [SEP]).
    public var ids: [Int32]
    /// Token-type ids; nil means all 0.
    public var typeIds: [Int32]?
    /// What to keep for this sequence besides its last hidden state; nil keeps what the pass's ``ForwardOptions``
    /// ask for (its attention layers with every head, its hidden states).
    public var keep: KeptOutputs?
    /// Heads whose context slice is zero at the input of the attention output projection for this sequence
    /// (Michel et al. 2019 head ablation; their maps are still computed and kept as computed). Empty: none.
    public var ablatedHeads: Set<AttentionHead> = []

    /// An input from its ids.
    public init(
        ids: [Int32], typeIds: [Int32]? = nil, keep: KeptOutputs? = nil, ablatedHeads: Set<AttentionHead> = []
    ) {
        self.ids = ids
        self.typeIds = typeIds
        self.keep = keep
        self.ablatedHeads = ablatedHeads
    }
}
