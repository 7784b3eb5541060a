/// How token positions enter the embeddings.
public enum PositionalEncoding: String, Sendable, Codable {
    /// Fixed sin/cos table of "Attention Is All You Need": PE[p, 2i] = sin(p / 10000^(2i/d)),
    /// PE[p, 2i+1] = cos(p / 10000^(2i/d)). Not a weight.
    case sinusoidal
    /// A learned table `positionEmbeddings` [maxPositions, d] (BERT).
    case learned
    /// No positional signal at all.
    case none
}
