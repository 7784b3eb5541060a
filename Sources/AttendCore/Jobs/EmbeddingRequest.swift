import Transformer

/// An embeddings request (`/v1/embeddings`) as typed values: one pooled vector per input.
public struct EmbeddingRequest: Sendable, Equatable {
    public var model: String?
    public var source: SequenceSource
    /// `dimensions`: the length of the returned vectors; nil = the model's width.
    public var dimensions: Int?
    public var truncate = false
    /// Which end a too-long sequence loses when truncating.
    public var truncationDirection = TruncationDirection.right
    /// L2-normalise the (cut) vectors; nil = the model's default.
    public var normalize: Bool?

    public init(
        model: String? = nil, source: SequenceSource, dimensions: Int? = nil, truncate: Bool = false,
        truncationDirection: TruncationDirection = .right, normalize: Bool? = nil
    ) {
        self.model = model
        self.source = source
        self.dimensions = dimensions
        self.truncate = truncate
        self.truncationDirection = truncationDirection
        self.normalize = normalize
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

/// Which end of a too-long sequence truncation removes: `right` keeps the first tokens (and the final [SEP]),
/// `left` keeps the last tokens (and the leading [CLS]).
public enum TruncationDirection: String, Sendable, Equatable {
    case left, right
}

/// Token embeddings (the last hidden state, one row per token) for each input, as TEI's `/embed_all` returns.
public struct TokenEmbeddings: Sendable {
    public var model: ServedModel
    /// One [tokens × width] row-major matrix per input, in order, with its token count.
    public var sequences: [(rows: Int, values: [Float])]
    public var tokens: Int
}
