import CBLAS

// Shape legend: see Encoder.swift (L layers, H heads, n tokens, d width).

/// Summaries of attention maps and contextual embeddings for the attention page: rollout across layers, the
/// entropy of each head, and the cosine similarity of token vectors. Float32 throughout: the O(n³) products run in
/// `cblas_sgemm`, the element loops 16 lanes at a time (only sums of one value per row are carried in `Double`).
public enum AttentionAnalysis {
    /// Attention rollout (Abnar & Zuidema, 2020) across the given layers, in order.
    ///
    /// For each layer: the mean over heads Ā [n, n], plus the identity (the residual connection), each row
    /// renormalised to sum to 1, Â = rownorm(Ā + I); the layers are multiplied in order, `R = Â_L · … · Â_1`
    /// (one `[n, n] · [n, n]` sgemm per layer after the first), so row `i` of the result says how much each input
    /// token flows into position `i` of the last layer.
    /// - Parameter maps: per layer either its `[H, n, n]` post-softmax map (rows = queries; averaged over its H heads
    ///   here) or its `[n, n]` head mean (``EncoderOutput/attentionMeans``, ``KeptOutputs/headMeanLayers``), all
    ///   with the same `n`; the two forms may be mixed.
    /// - Returns: `[n, n]`; `[0, 0]` when `maps` is empty or a map is neither `[H, n, n]` nor `[n, n]` with one
    ///   common `n`.
    public static func rollout(_ maps: [Tensor]) -> Tensor {
        guard let n = commonSize(maps) else { return Tensor(zeros: [0, 0]) }
        var result = [Float](repeating: 0, count: n * n)  // R [n, n]
        var layer = [Float](repeating: 0, count: n * n)  // Â_l [n, n]
        for (index, map) in maps.enumerated() {
            if index == 0 {
                // R = Â_1 · I = Â_1
                meanPlusIdentity(map, n: n, into: &result)
                continue
            }
            meanPlusIdentity(map, n: n, into: &layer)
            // R [n, n] = Â_l [n, n] · R [n, n]
            let product = [Float](unsafeUninitializedCapacity: n * n) { out, initialized in
                cblas_sgemm(
                    CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(n), Int32(n), Int32(n), 1, layer, Int32(n),
                    result, Int32(n), 0, out.baseAddress, Int32(n))
                initialized = n * n
            }
            result = product
        }
        return Tensor(shape: [n, n], storage: result)
    }

    /// The entropy of each head: the mean over query rows of `−Σ p ln p` (nats; `0 ln 0 = 0`).
    ///
    /// A head that attends to one token has entropy 0; one that spreads evenly over `n` tokens has `ln n`. The
    /// encoder computes the same in the pass, without keeping the map: ``KeptOutputs/entropyLayers``.
    /// - Parameter map: `[H, n, n]` post-softmax map (rows = queries).
    /// - Returns: `H` values; empty when `map` is not `[H, n, n]` or `n` is 0.
    public static func entropy(_ map: Tensor) -> [Float] {
        guard map.shape.count == 3, map.shape[1] == map.shape[2], map.shape[1] > 0,
            map.storage.count == map.shape[0] * map.shape[1] * map.shape[2]
        else { return [] }
        let heads = map.shape[0]
        let n = map.shape[1]
        return map.storage.withUnsafeBufferPointer { p in
            let base = UnsafeMutablePointer(mutating: p.baseAddress!)  // read only
            return (0..<heads).map { h in
                var total = 0.0
                for i in 0..<n { total += Double(Kernels.entropy(base + (h * n + i) * n, count: n)) }
                return Float(total / Double(n))
            }
        }
    }

    /// The cosine similarity of every pair of rows of `hidden`.
    ///
    /// `G [n, n] = X · Xᵀ` in one sgemm, then `G_ij / √(G_ii · G_jj)`.
    /// - Parameter hidden: `[n, d]` contextual embeddings.
    /// - Returns: `[n, n]`, symmetric, exactly 1 on the diagonal of nonzero rows, clamped to [−1, 1]; pairs
    ///   involving an all-zero row are 0. `[0, 0]` when `hidden` is not two-dimensional.
    public static func cosineSimilarity(_ hidden: Tensor) -> Tensor {
        guard hidden.shape.count == 2, hidden.storage.count == hidden.shape[0] * hidden.shape[1] else {
            return Tensor(zeros: [0, 0])
        }
        let n = hidden.shape[0]
        let d = hidden.shape[1]
        guard n > 0, d > 0 else { return Tensor(zeros: [n, n]) }
        // G [n, n] = X [n, d] · Xᵀ [d, n]
        var gram = [Float](unsafeUninitializedCapacity: n * n) { out, initialized in
            cblas_sgemm(
                CblasRowMajor, CblasNoTrans, CblasTrans, Int32(n), Int32(n), Int32(d), 1, hidden.storage, Int32(d),
                hidden.storage, Int32(d), 0, out.baseAddress, Int32(n))
            initialized = n * n
        }
        let inverseNorms = (0..<n).map { i in gram[i * n + i] > 0 ? 1 / gram[i * n + i].squareRoot() : 0 }
        gram.withUnsafeMutableBufferPointer { g in
            for i in 0..<n {
                let a = inverseNorms[i]
                g[i * n + i] = a > 0 ? 1 : 0
                for j in (i + 1)..<n {
                    // The upper triangle, mirrored: sgemm need not give G_ij and G_ji the same rounding.
                    let similarity = Swift.min(1, Swift.max(-1, g[i * n + j] * a * inverseNorms[j]))
                    g[i * n + j] = similarity
                    g[j * n + i] = similarity
                }
            }
        }
        return Tensor(shape: [n, n], storage: gram)
    }

    /// The common query/key length `n` of maps that are each `[H, n, n]` (H > 0) or `[n, n]`, or nil when they
    /// disagree or are empty.
    private static func commonSize(_ maps: [Tensor]) -> Int? {
        guard let first = maps.first, first.shape.count >= 2 else { return nil }
        let n = first.shape[first.shape.count - 1]
        guard n > 0 else { return nil }
        for map in maps {
            switch map.shape.count {
            case 3: guard map.shape[0] > 0, map.shape[1] == n, map.shape[2] == n else { return nil }
            case 2: guard map.shape[0] == n, map.shape[1] == n else { return nil }
            default: return nil
            }
            guard map.storage.count == map.shape.reduce(1, *) else { return nil }
        }
        return n
    }

    /// Writes `rownorm(mean_h(map) + I)` into `out` [n, n]: for `[H, n, n]` the sum of the H heads (contiguous
    /// [n, n] blocks, added 16 lanes at a time) times 1/H; for `[n, n]` the map itself.
    private static func meanPlusIdentity(_ map: Tensor, n: Int, into out: inout [Float]) {
        let heads = map.shape.count == 3 ? map.shape[0] : 1
        map.storage.withUnsafeBufferPointer { p in
            out.withUnsafeMutableBufferPointer { o in
                let source = UnsafeMutablePointer(mutating: p.baseAddress!)  // read only
                let target = o.baseAddress!
                for i in 0..<n {
                    let row = target + i * n
                    for h in 0..<heads {
                        Kernels.accumulate(
                            source + (h * n + i) * n, into: row, count: n, first: h == 0,
                            scale: h == heads - 1 ? 1 / Float(heads) : 1)
                    }
                    row[i] += 1
                    let sum = Kernels.sum(row, count: n)
                    if sum > 0 { Kernels.scale(row, count: n, by: 1 / sum) }
                }
            }
        }
    }
}
