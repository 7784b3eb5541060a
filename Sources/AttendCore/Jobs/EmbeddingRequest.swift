import Transformer

/// An embeddings request (`/v1/embeddings`) as typed values: one pooled vector per input.
public struct EmbeddingRequest: Sendable, Equatable {
    public var model: String?
    public var source: SequenceSource
    /// `dimensions`: the length of the returned vectors; nil = the model's width.
    public var dimensions: Int?
    public var truncate = false

    public init(model: String? = nil, source: SequenceSource, dimensions: Int? = nil) {
        self.model = model
        self.source = source
        self.dimensions = dimensions
    }
}

/// The answer to an ``EmbeddingRequest``.
public struct Embeddings: Sendable {
    public var model: ServedModel
    /// One vector per input, in order.
    public var vectors: [[Float]]
    /// Tokens computed.
    public var tokens: Int
}
