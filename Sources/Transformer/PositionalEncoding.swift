/// How token positions enter the embeddings.
public enum PositionalEncoding: String, Sendable, Codable {
    /// Fixed sin/cos table of "Attention Is All You Need": PE[p, 2i] = sin(p / 10000^(2i/d)),
    /// PE[p, 2i+1] = cos(p / 10000^(2i/d)). Not a weight.
    case sinusoidal
    /// A learned table `positionEmbeddings` [maxPositions, d] (BERT).
    case learned
    /// Rotary position embeddings (RoPE, ModernBERT) on each head's queries and keys, nothing added to the
    /// embeddings. With h = dh/2, θ the layer's base (``EncoderConfiguration/ropeTheta`` global,
    /// ``EncoderConfiguration/localRopeTheta`` local) and a_k = p · θ^(−2k/dh) in float32 as `transformers`
    /// computes it: x'[k] = x[k]·cos a_k − x[k+h]·sin a_k, x'[k+h] = x[k+h]·cos a_k + x[k]·sin a_k (rotate-half).
    case rotary
    /// No positional signal at all.
    case none
}
