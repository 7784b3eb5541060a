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

    /// An input from its ids.
    public init(ids: [Int32], typeIds: [Int32]? = nil, keep: KeptOutputs? = nil) {
        self.ids = ids
        self.typeIds = typeIds
        self.keep = keep
    }
}
