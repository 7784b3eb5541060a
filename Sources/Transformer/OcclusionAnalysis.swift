// Shape legend: one sequence of n tokens, hidden width d; a rollout R is [n, n] (rows = output positions,
// columns = input tokens).

/// Leave-one-token-out occlusion and how far an attribution agrees with it (README "Occlusion").
///
/// For a sequence with pooled vector p (unnormalised) and p^¬i the pooled vector of the same sequence with token i
/// removed (its id and token type dropped, the later positions shifted down by one):
///
///     importance_i = 1 − cos(p, p^¬i)                    (0 = removing i changes nothing; at most 2)
///
/// An attribution of the pooled vector comes from a rollout R through the pooling's weights w [n] (how much of p
/// each output position makes): `a = wᵀ R`, i.e. `a_j = Σ_i w_i R_ij`, with w_i = 1/n for mean pooling, `e_0` for
/// CLS, and for max pooling the share of the d dimensions whose maximum sits at position i (first maximum wins,
/// as ``Encoder/pool(_:_:normalize:)``). The agreement is Spearman's rank correlation of a and the importances over
/// the occluded positions, ties by average rank.
public enum OcclusionAnalysis {
    /// `input` with position `i` removed (and its token type, when it has them); what it keeps is unchanged.
    /// - Returns: nil when `i` is out of range or the input has a single token (nothing would be left).
    public static func dropping(_ input: EncoderInput, at i: Int) -> EncoderInput? {
        guard input.ids.count >= 2, i >= 0, i < input.ids.count else { return nil }
        var result = input
        result.ids.remove(at: i)
        if result.typeIds != nil, i < result.typeIds?.count ?? 0 { result.typeIds?.remove(at: i) }
        return result
    }

    /// The pooled vector occlusion compares: `hidden` [n, d] pooled with `pooling` (`.none` as mean, as the
    /// similarity routes do), unnormalised (the cosine ignores the norm).
    public static func pooled(_ hidden: Tensor, _ pooling: Pooling) -> [Float]? {
        Encoder.pool(hidden, pooling == .none ? .mean : pooling, normalize: false)
    }

    /// `1 − cos(pooled, without)`, accumulated in `Double`; a zero vector has cosine 0 (importance 1).
    public static func importance(_ pooled: [Float], _ without: [Float]) -> Float {
        1 - SimilarityAnalysis.cosine(pooled, without)
    }

    /// The pooling's weights w [n] over the rows of `hidden` [n, d] (see the type's documentation; `.none` as
    /// mean). Empty when `hidden` is not `[n, d]` with n, d > 0.
    public static func poolingWeights(_ hidden: Tensor, _ pooling: Pooling) -> [Float] {
        guard hidden.shape.count == 2, hidden.shape[0] > 0, hidden.shape[1] > 0 else { return [] }
        let n = hidden.shape[0]
        let d = hidden.shape[1]
        switch pooling {
        case .mean, .none:
            return [Float](repeating: 1 / Float(n), count: n)
        case .cls:
            var w = [Float](repeating: 0, count: n)
            w[0] = 1
            return w
        case .last:
            var w = [Float](repeating: 0, count: n)
            w[n - 1] = 1
            return w
        case .max:
            var counts = [Int](repeating: 0, count: n)
            hidden.storage.withUnsafeBufferPointer { h in
                for k in 0..<d {
                    var best = 0
                    for i in 1..<n where h[i * d + k] > h[best * d + k] { best = i }
                    counts[best] += 1
                }
            }
            return counts.map { Float($0) / Float(d) }
        }
    }

    /// `a = wᵀ R` [n]: the attribution of the pooled vector to each input token, accumulated in `Double`.
    /// - Returns: empty when `rollout` is not `[n, n]` with n = `weights.count`.
    public static func attribution(_ rollout: Tensor, weights: [Float]) -> [Float] {
        let n = weights.count
        guard n > 0, rollout.shape == [n, n], rollout.storage.count == n * n else { return [] }
        var sums = [Double](repeating: 0, count: n)
        rollout.storage.withUnsafeBufferPointer { r in
            for i in 0..<n where weights[i] != 0 {
                let w = Double(weights[i])
                for j in 0..<n { sums[j] += w * Double(r[i * n + j]) }
            }
        }
        return sums.map { Float($0) }
    }

    /// 1-based ranks of `values`, tied values sharing the mean of their ranks (SciPy's `rankdata`, "average").
    public static func averageRanks(_ values: [Float]) -> [Double] {
        let order = values.indices.sorted { values[$0] < values[$1] || (values[$0] == values[$1] && $0 < $1) }
        var ranks = [Double](repeating: 0, count: values.count)
        var start = 0
        while start < order.count {
            var end = start
            while end + 1 < order.count, values[order[end + 1]] == values[order[start]] { end += 1 }
            let rank = Double(start + end) / 2 + 1
            for k in start...end { ranks[order[k]] = rank }
            start = end + 1
        }
        return ranks
    }

    /// Spearman's rank correlation of `x` and `y`: the Pearson correlation of their average ranks.
    /// - Returns: nil when the lengths differ, there are fewer than 2 values, or either side is constant (the
    ///   correlation is undefined).
    public static func spearman(_ x: [Float], _ y: [Float]) -> Float? {
        guard x.count == y.count, x.count >= 2 else { return nil }
        let rx = averageRanks(x)
        let ry = averageRanks(y)
        let mean = Double(x.count + 1) / 2
        var xy = 0.0
        var xx = 0.0
        var yy = 0.0
        for k in 0..<x.count {
            let a = rx[k] - mean
            let b = ry[k] - mean
            xy += a * b
            xx += a * a
            yy += b * b
        }
        guard xx > 0, yy > 0 else { return nil }
        return Float(max(-1, min(1, xy / (xx * yy).squareRoot())))
    }
}
