/// How a sequence's token vectors become one sentence vector.
public enum Pooling: String, Sendable, Codable {
    /// Mean over the sequence's real tokens.
    case mean
    /// The first token's ([CLS]) vector.
    case cls
    /// Element-wise maximum over the real tokens.
    case max
    /// The last token's vector: the one that has seen the whole sequence under causal attention (the default of
    /// GPT-2-style checkpoints, as embedding servers pool decoder models).
    case last
    /// No pooled vector.
    case none
}
