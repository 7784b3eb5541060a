#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Summaries of attention maps and contextual embeddings for the attention page: rollout across layers, the
/// entropy of each head, and the cosine similarity of token vectors. Pure math; accumulates in `Double`.
public enum AttentionAnalysis {
    /// Attention rollout (Abnar & Zuidema, 2020) across the given layers, in order.
    ///
    /// For each layer's `[H, n, n]` map: the mean over heads, plus the identity (the residual connection), each
    /// row renormalised to sum to 1; the layers are multiplied in order, `R = Â_L · … · Â_1`, so row `i` of the
    /// result says how much each input token flows into position `i` of the last layer.
    /// - Parameter maps: one `[H, n, n]` post-softmax map per layer (rows = queries), all with the same `n`.
    /// - Returns: `[n, n]`; `[0, 0]` when `maps` is empty or the maps are not `[H, n, n]` with one common `n`.
    public static func rollout(_ maps: [Tensor]) -> Tensor {
        guard let n = commonSize(maps) else { return Tensor(zeros: [0, 0]) }
        var result = [Double](repeating: 0, count: n * n)
        for i in 0..<n { result[i * n + i] = 1 }
        var layer = [Double](repeating: 0, count: n * n)
        var product = [Double](repeating: 0, count: n * n)
        for map in maps {
            let heads = map.shape[0]
            meanOverHeadsPlusIdentity(map.storage, heads: heads, n: n, into: &layer)
            multiply(layer, result, n: n, into: &product)
            swap(&result, &product)
        }
        return Tensor(shape: [n, n], storage: result.map { Float($0) })
    }

    /// The entropy of each head: the mean over query rows of `−Σ p ln p` (nats; `0 ln 0 = 0`).
    ///
    /// A head that attends to one token has entropy 0; one that spreads evenly over `n` tokens has `ln n`.
    /// - Parameter map: `[H, n, n]` post-softmax map (rows = queries).
    /// - Returns: `H` values; empty when `map` is not `[H, n, n]` or `n` is 0.
    public static func entropy(_ map: Tensor) -> [Float] {
        guard map.shape.count == 3, map.shape[1] == map.shape[2], map.shape[1] > 0,
            map.storage.count == map.shape[0] * map.shape[1] * map.shape[2]
        else { return [] }
        let heads = map.shape[0]
        let n = map.shape[1]
        return map.storage.withUnsafeBufferPointer { p in
            (0..<heads).map { h in
                var total = 0.0
                for i in 0..<(n * n) {
                    let value = Double(p[h * n * n + i])
                    if value > 0 { total -= value * log(value) }
                }
                return Float(total / Double(n))
            }
        }
    }

    /// The cosine similarity of every pair of rows of `hidden`.
    /// - Parameter hidden: `[n, d]` contextual embeddings.
    /// - Returns: `[n, n]`, symmetric, 1 on the diagonal; pairs involving an all-zero row are 0.
    ///   `[0, 0]` when `hidden` is not two-dimensional.
    public static func cosineSimilarity(_ hidden: Tensor) -> Tensor {
        guard hidden.shape.count == 2, hidden.storage.count == hidden.shape[0] * hidden.shape[1] else {
            return Tensor(zeros: [0, 0])
        }
        let n = hidden.shape[0]
        let d = hidden.shape[1]
        var out = [Float](repeating: 0, count: n * n)
        hidden.storage.withUnsafeBufferPointer { h in
            var norms = [Double](repeating: 0, count: n)
            for i in 0..<n {
                var sum = 0.0
                for k in 0..<d { sum += Double(h[i * d + k]) * Double(h[i * d + k]) }
                norms[i] = sum.squareRoot()
            }
            for i in 0..<n where norms[i] > 0 {
                for j in i..<n where norms[j] > 0 {
                    var dot = 0.0
                    for k in 0..<d { dot += Double(h[i * d + k]) * Double(h[j * d + k]) }
                    let similarity = Float(dot / (norms[i] * norms[j]))
                    out[i * n + j] = similarity
                    out[j * n + i] = similarity
                }
            }
        }
        return Tensor(shape: [n, n], storage: out)
    }

    /// The common query/key length `n` of `L × [H, n, n]` maps, or nil when they disagree or are empty.
    private static func commonSize(_ maps: [Tensor]) -> Int? {
        guard let first = maps.first, first.shape.count == 3 else { return nil }
        let n = first.shape[1]
        for map in maps {
            guard map.shape.count == 3, map.shape[0] > 0, map.shape[1] == n, map.shape[2] == n,
                map.storage.count == map.shape[0] * n * n
            else { return nil }
        }
        return n
    }

    /// Writes `rownormalise(mean_h(map[h]) + I)` into `out` (`[n, n]`).
    private static func meanOverHeadsPlusIdentity(_ map: [Float], heads: Int, n: Int, into out: inout [Double]) {
        let scale = 1 / Double(heads)
        map.withUnsafeBufferPointer { p in
            for i in 0..<n {
                var rowSum = 0.0
                for j in 0..<n {
                    var sum = 0.0
                    for h in 0..<heads { sum += Double(p[(h * n + i) * n + j]) }
                    let value = sum * scale + (i == j ? 1 : 0)
                    out[i * n + j] = value
                    rowSum += value
                }
                if rowSum > 0 {
                    for j in 0..<n { out[i * n + j] /= rowSum }
                }
            }
        }
    }

    /// `out = a · b` for `[n, n]` row-major matrices.
    private static func multiply(_ a: [Double], _ b: [Double], n: Int, into out: inout [Double]) {
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                out.withUnsafeMutableBufferPointer { out in
                    for i in 0..<n {
                        for j in 0..<n { out[i * n + j] = 0 }
                        for k in 0..<n {
                            let aik = a[i * n + k]
                            if aik == 0 { continue }
                            for j in 0..<n { out[i * n + j] += aik * b[k * n + j] }
                        }
                    }
                }
            }
        }
    }
}
