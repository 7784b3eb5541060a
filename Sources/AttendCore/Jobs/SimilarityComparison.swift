import Transformer

/// The answer for one `b`: the cosine with `a`, per layer when asked, and when explained the token matrix `S`
/// [n, m] (sums to the cosine) and `S_in = R_aᵀ S R_b` [n, m] over input tokens.
public struct SimilarityComparison: Sendable {
    public var cosine: Float
    public var layers: [Float]?
    public var matrix: Tensor?
    public var inputMatrix: Tensor?

    public init(cosine: Float, layers: [Float]?, matrix: Tensor?, inputMatrix: Tensor?) {
        self.cosine = cosine
        self.layers = layers
        self.matrix = matrix
        self.inputMatrix = inputMatrix
    }
}

extension SimilarityComparison {
    /// Compares `b` with `a`: the cosine of their pooled vectors, per layer when both sides hold their layers,
    /// and the token matrix and its carry-back when both hold their hidden states and rollouts.
    public init(a: SimilaritySide, b: SimilaritySide, pooling: Pooling) {
        var layers: [Float]?
        if let la = a.layers, let lb = b.layers {
            layers = zip(la, lb).map { SimilarityAnalysis.cosine($0, $1) }
        }
        var matrix: Tensor?
        var inputMatrix: Tensor?
        if let ha = a.hidden, let hb = b.hidden {
            matrix = SimilarityAnalysis.tokenMatrix(ha, hb, pooling: pooling)
            if let s = matrix, let ra = a.rollout, let rb = b.rollout {
                inputMatrix = SimilarityAnalysis.carryBack(s, rolloutA: ra, rolloutB: rb)
            }
        }
        self.init(
            cosine: SimilarityAnalysis.cosine(a.pooled, b.pooled), layers: layers, matrix: matrix,
            inputMatrix: inputMatrix)
    }
}
