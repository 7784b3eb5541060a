/// Where each block's LayerNorm sits relative to its residual connection.
public enum NormPlacement: String, Sendable, Codable {
    /// `x = LN(x + Sublayer(x))` — BERT and the 2017 paper.
    case post
    /// `x = x + Sublayer(LN(x))`, and one final LayerNorm after the last layer.
    case pre
}
