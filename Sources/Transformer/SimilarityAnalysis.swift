import CBLAS

// Shape legend: a's sequence has n tokens, b's m, both of width d; L layers (L+1 hidden states).

/// Why two texts are similar: the cosine of their pooled vectors decomposed exactly over pairs of tokens, that
/// decomposition carried back to input tokens through each side's rollout, and the cosine at every layer.
///
/// With `h_i` (a's last hidden rows, i < n), `g_j` (b's, j < m) and `ā`, `b̄` the pooled (unnormalised) vectors,
/// `cos = ā·b̄ / (‖ā‖ ‖b̄‖)`. For pooling that is a weighted sum of rows, `ā = Σ_i w_i h_i` (mean: `w_i = 1/n`;
/// CLS: `w = e_0`), so `ā·b̄ = Σ_ij w_i w'_j h_i·g_j` and
///
///     S_ij = w_i w'_j h_i·g_j / (‖ā‖ ‖b̄‖)        (mean: h_i·g_j / (n·m·‖ā‖·‖b̄‖); CLS: only S_00 = cos)
///
/// sums to the cosine exactly. Max pooling takes each dimension k from one row, `ā_k = h_{i(k),k}`, so
/// `S_ij = Σ_{k : i(k) = i, j(k) = j} h_ik g_jk / (‖ā‖ ‖b̄‖)` sums to the cosine as well (first maximum wins ties,
/// as ``Encoder/pool(_:_:normalize:)`` picks it). The matrix is zero when either pooled vector is zero.
public enum SimilarityAnalysis {
    /// The cosine of `a` and `b` (accumulated in `Double`); 0 when either has zero norm or the lengths differ.
    public static func cosine(_ a: [Float], _ b: [Float]) -> Float {
        guard a.count == b.count, !a.isEmpty else { return 0 }
        var dot = 0.0
        var aa = 0.0
        var bb = 0.0
        for k in 0..<a.count {
            let x = Double(a[k])
            let y = Double(b[k])
            dot += x * y
            aa += x * x
            bb += y * y
        }
        guard aa > 0, bb > 0 else { return 0 }
        return Float(dot / (aa.squareRoot() * bb.squareRoot()))
    }

    /// The pooled, unnormalised vector of `hidden` [n, d] under `pooling` (`.none` pools as mean, as the
    /// embedding routes do); nil when `hidden` is not `[n, d]` with n > 0.
    public static func pooled(_ hidden: Tensor, _ pooling: Pooling) -> [Float]? {
        Encoder.pool(hidden, pooling == .none ? .mean : pooling, normalize: false)
    }

    /// The cosine of a's and b's pooled vectors at every layer: `hiddenA[l]` [n, d] against `hiddenB[l]` [m, d]
    /// (index 0 the embeddings' output, the last the final hidden state), each pooled with `pooling`.
    /// - Returns: one cosine per layer pair (the shorter list's count); 0 where a state cannot be pooled.
    public static func layerCosines(_ hiddenA: [Tensor], _ hiddenB: [Tensor], pooling: Pooling) -> [Float] {
        zip(hiddenA, hiddenB).map { a, b in
            guard let pa = pooled(a, pooling), let pb = pooled(b, pooling) else { return 0 }
            return cosine(pa, pb)
        }
    }

    /// The token-by-token matrix `S` [n, m] of the cosine of a's and b's pooled vectors (see the type's
    /// documentation): its entries sum to the cosine.
    /// - Parameters:
    ///   - a: `[n, d]` a's last hidden state (the rows pooling reads).
    ///   - b: `[m, d]` b's.
    ///   - pooling: how both are pooled (`.none` as mean).
    /// - Returns: `[n, m]`; nil when the shapes are not `[n, d]` and `[m, d]` with n, m, d > 0.
    public static func tokenMatrix(_ a: Tensor, _ b: Tensor, pooling: Pooling) -> Tensor? {
        guard a.shape.count == 2, b.shape.count == 2, a.shape[1] == b.shape[1], a.shape[0] > 0, b.shape[0] > 0,
            a.shape[1] > 0, let pa = pooled(a, pooling), let pb = pooled(b, pooling)
        else { return nil }
        let n = a.shape[0]
        let m = b.shape[0]
        let d = a.shape[1]
        let na = norm(pa)
        let nb = norm(pb)
        guard na > 0, nb > 0 else { return Tensor(zeros: [n, m]) }
        if pooling == .max { return maxTokenMatrix(a, b, scale: Float(1 / (na * nb))) }
        if pooling == .cls {
            // ā = h_0, b̄ = g_0: the whole cosine sits on S_00.
            var s = Tensor(zeros: [n, m])
            s.storage[0] = Float(dot(a.storage, b.storage, count: d) / (na * nb))
            return s
        }
        let scale = Float(1 / (Double(n) * Double(m) * na * nb))
        // S [n, m] = scale · H [n, d] · Gᵀ [d, m]
        let storage = [Float](unsafeUninitializedCapacity: n * m) { out, initialized in
            cblas_sgemm(
                CblasRowMajor, CblasNoTrans, CblasTrans, Int32(n), Int32(m), Int32(d), scale, a.storage, Int32(d),
                b.storage, Int32(d), 0, out.baseAddress, Int32(m))
            initialized = n * m
        }
        return Tensor(shape: [n, m], storage: storage)
    }

    /// `S_in = R_aᵀ · S · R_b` [n, m]: the token matrix carried back to input tokens through each side's rollout
    /// (rows = output positions, columns = input tokens). When every row of `R_a` and `R_b` sums to 1, the
    /// two sums agree: `Σ S_in = 1ᵀ R_aᵀ S R_b 1 = Σ S`.
    /// - Parameters:
    ///   - s: `[n, m]` token matrix.
    ///   - rolloutA: `[n, n]`.
    ///   - rolloutB: `[m, m]`.
    /// - Returns: `[n, m]`; nil when the shapes disagree.
    public static func carryBack(_ s: Tensor, rolloutA: Tensor, rolloutB: Tensor) -> Tensor? {
        guard s.shape.count == 2, rolloutA.shape.count == 2, rolloutB.shape.count == 2 else { return nil }
        let n = s.shape[0]
        let m = s.shape[1]
        guard n > 0, m > 0, rolloutA.shape == [n, n], rolloutB.shape == [m, m] else { return nil }
        // T [n, m] = S [n, m] · R_b [m, m]
        let t = [Float](unsafeUninitializedCapacity: n * m) { out, initialized in
            cblas_sgemm(
                CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(n), Int32(m), Int32(m), 1, s.storage, Int32(m),
                rolloutB.storage, Int32(m), 0, out.baseAddress, Int32(m))
            initialized = n * m
        }
        // S_in [n, m] = R_aᵀ [n, n] · T [n, m]
        let storage = [Float](unsafeUninitializedCapacity: n * m) { out, initialized in
            cblas_sgemm(
                CblasRowMajor, CblasTrans, CblasNoTrans, Int32(n), Int32(m), Int32(n), 1, rolloutA.storage, Int32(n),
                t, Int32(m), 0, out.baseAddress, Int32(m))
            initialized = n * m
        }
        return Tensor(shape: [n, m], storage: storage)
    }

    /// Max pooling's matrix: each dimension k adds `h_{i(k),k} g_{j(k),k} · scale` at `(i(k), j(k))`.
    private static func maxTokenMatrix(_ a: Tensor, _ b: Tensor, scale: Float) -> Tensor {
        let n = a.shape[0]
        let m = b.shape[0]
        let d = a.shape[1]
        let ia = argmaxRows(a)
        let jb = argmaxRows(b)
        var sums = [Double](repeating: 0, count: n * m)
        for k in 0..<d {
            let i = ia[k]
            let j = jb[k]
            sums[i * m + j] += Double(a.storage[i * d + k]) * Double(b.storage[j * d + k])
        }
        return Tensor(shape: [n, m], storage: sums.map { Float($0 * Double(scale)) })
    }

    /// For each column k of `x` [n, d], the first row holding its maximum.
    private static func argmaxRows(_ x: Tensor) -> [Int] {
        let n = x.shape[0]
        let d = x.shape[1]
        var best = [Int](repeating: 0, count: d)
        for i in 1..<max(n, 1) {
            for k in 0..<d where x.storage[i * d + k] > x.storage[best[k] * d + k] { best[k] = i }
        }
        return best
    }

    private static func norm(_ v: [Float]) -> Double {
        v.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
    }

    /// The dot product of the first `count` values of `x` and `y`, in `Double`.
    private static func dot(_ x: [Float], _ y: [Float], count: Int) -> Double {
        var total = 0.0
        for k in 0..<count { total += Double(x[k]) * Double(y[k]) }
        return total
    }
}
