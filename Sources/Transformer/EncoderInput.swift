/// One sequence to encode: token ids and optional token-type (segment) ids of the same length.
public struct EncoderInput: Sendable, Equatable {
    /// Token ids, including any special tokens ([CLS] … [SEP]).
    public var ids: [Int32]
    /// Token-type ids; nil means all 0.
    public var typeIds: [Int32]?

    /// An input from its ids.
    public init(ids: [Int32], typeIds: [Int32]? = nil) {
        self.ids = ids
        self.typeIds = typeIds
    }
}
