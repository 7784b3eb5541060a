/// The feed-forward block's non-linearity.
public enum Activation: String, Sendable, Codable {
    /// Exact GELU: `0.5·x·(1 + erf(x/√2))` (BERT's `gelu`).
    case gelu
    /// Tanh approximation: `0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))`.
    case geluTanh = "gelu_tanh"
    /// `max(0, x)`.
    case relu
}
