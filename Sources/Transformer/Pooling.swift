/// How a sequence's token vectors become one sentence vector.
public enum Pooling: String, Sendable, Codable {
    /// Mean over the sequence's real tokens.
    case mean
    /// The first token's ([CLS]) vector.
    case cls
    /// Element-wise maximum over the real tokens.
    case max
    /// No pooled vector.
    case none
}
