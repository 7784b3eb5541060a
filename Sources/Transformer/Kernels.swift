// Row kernels of the forward pass, on raw float pointers, vectorised 16 lanes at a time (scalar-free tails
// through partial vectors). Each is one or a few named passes over one row; callers parallelise over rows.

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

enum Kernels {
    /// Softmax of one attention row, in three named passes.
    ///
    /// `scores` holds `paddedCount` values (a multiple of 16); columns `count..<paddedCount` are pad keys and must
    /// hold −∞. Pass 1 (max): m = max_j s_j. Pass 2 (exp-sum): s_j ← e^(s_j − m), Σ. Pass 3 (normalise):
    /// out_j = s_j / Σ for j < count. Pad keys come out of pass 2 as exactly 0.
    @inline(__always)
    static func softmax(
        scores: UnsafeMutablePointer<Float>, count: Int, paddedCount: Int, into out: UnsafeMutablePointer<Float>
    ) {
        _ = softmax(scores: scores, count: count, paddedCount: paddedCount, into: out, entropy: false)
    }

    /// ``softmax(scores:count:paddedCount:into:)`` that also returns the row's entropy `−Σ p ln p` (nats) when
    /// `entropy` is true (0 otherwise), with one more multiply-add per element and one `log` per row:
    /// with t_j = s_j − m, e_j = e^(t_j), Z = Σ e_j and p_j = e_j / Z, ln p_j = t_j − ln Z, so
    /// `−Σ p ln p = ln Z − (Σ e_j t_j) / Z`. The probabilities are bit for bit those of the plain softmax
    /// (the extra sum is separate); pad keys (t = −∞, e = 0) add 0 (t is floored at −100 first).
    @inline(__always)
    static func softmax(
        scores: UnsafeMutablePointer<Float>, count: Int, paddedCount: Int, into out: UnsafeMutablePointer<Float>,
        entropy: Bool
    ) -> Float {
        // Pass 1: max.
        var maxV = Vec(repeating: -.infinity)
        var j = 0
        while j < paddedCount {
            maxV = maximum(scores.vec(j), maxV)
            j += 16
        }
        let m = Vec(repeating: maxV.max())
        // Pass 2: exp and sum (and Σ e·t for the entropy).
        var sumV = Vec.zero
        var weightedV = Vec.zero
        j = 0
        while j < paddedCount {
            let t = scores.vec(j) - m
            let e = VectorMath.exp(t)
            scores.setVec(j, e)
            sumV += e
            if entropy { weightedV = weightedV.addingProduct(e, maximum(t, Vec(repeating: -100))) }
            j += 16
        }
        // Pass 3: normalise.
        let total = sumV.sum()
        let inverse = Vec(repeating: 1 / total)
        j = 0
        while j + 16 <= count {
            out.setVec(j, scores.vec(j) * inverse)
            j += 16
        }
        if j < count {
            out.setPartialVec(j, count - j, scores.vec(j) * inverse)
        }
        return entropy ? logf(total) - weightedV.sum() / total : 0
    }

    /// `−Σ_j p_j ln p_j` over one row of `count` probabilities (nats; terms with p ≤ 0 count 0), 16 lanes at a time.
    @inline(__always)
    static func entropy(_ p: UnsafeMutablePointer<Float>, count: Int) -> Float {
        var sumV = Vec.zero
        var j = 0
        while j + 16 <= count {
            let v = p.vec(j)
            sumV = sumV.addingProduct(positive(v), VectorMath.log(v))
            j += 16
        }
        if j < count {
            let v = p.partialVec(j, count - j)
            sumV = sumV.addingProduct(positive(v), VectorMath.log(v))
        }
        return -sumV.sum()
    }

    /// `v` with lanes ≤ 0 (and −0) set to 0.
    @_transparent
    private static func positive(_ v: Vec) -> Vec { select(negativeMask(Vec.zero - v), v, .zero) }

    /// One row of a running head sum: `out[j] = (first ? p[j] : out[j] + p[j]) · scale` for j < count (scale 1 but
    /// for the last head, 1/H, which turns the sum into the mean).
    @inline(__always)
    static func accumulate(
        _ p: UnsafeMutablePointer<Float>, into out: UnsafeMutablePointer<Float>, count: Int, first: Bool,
        scale: Float
    ) {
        let s = Vec(repeating: scale)
        var j = 0
        while j + 16 <= count {
            out.setVec(j, (first ? p.vec(j) : out.vec(j) + p.vec(j)) * s)
            j += 16
        }
        if j < count {
            let tail = count - j
            out.setPartialVec(
                j, tail, (first ? p.partialVec(j, tail) : out.partialVec(j, tail) + p.partialVec(j, tail)) * s)
        }
    }

    /// Σ_j row[j] over `count` values, 16 lanes at a time.
    @inline(__always)
    static func sum(_ row: UnsafeMutablePointer<Float>, count: Int) -> Float {
        var sumV = Vec.zero
        var j = 0
        while j + 16 <= count {
            sumV += row.vec(j)
            j += 16
        }
        if j < count { sumV += row.partialVec(j, count - j) }
        return sumV.sum()
    }

    /// `row[j] *= factor` over `count` values.
    @inline(__always)
    static func scale(_ row: UnsafeMutablePointer<Float>, count: Int, by factor: Float) {
        let f = Vec(repeating: factor)
        apply(row, count: count) { $0 * f }
    }

    /// `row[j] = LayerNorm(row)[j]·γ_j + β_j` in place: mean pass, variance pass (two-pass, as PyTorch), scale pass.
    @inline(__always)
    static func layerNorm(
        _ row: UnsafeMutablePointer<Float>, count d: Int, gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>,
        epsilon: Float
    ) {
        let full = d & ~15
        let tail = d - full
        var sumV = Vec.zero
        var j = 0
        while j < full {
            sumV += row.vec(j)
            j += 16
        }
        if tail > 0 { sumV += row.partialVec(full, tail) }
        let mean = sumV.sum() / Float(d)
        let meanV = Vec(repeating: mean)
        var squares = Vec.zero
        j = 0
        while j < full {
            let c = row.vec(j) - meanV
            squares += c * c
            j += 16
        }
        if tail > 0 {
            let c = row.partialVec(full, tail, fill: mean) - meanV
            squares += c * c
        }
        let variance = squares.sum() / Float(d)
        let scale = Vec(repeating: 1 / (variance + epsilon).squareRoot())
        let g = UnsafeMutablePointer(mutating: gamma)
        let b = UnsafeMutablePointer(mutating: beta)
        j = 0
        while j < full {
            row.setVec(j, (row.vec(j) - meanV) * scale * g.vec(j) + b.vec(j))
            j += 16
        }
        if tail > 0 {
            let v = (row.partialVec(full, tail) - meanV) * scale * g.partialVec(full, tail) + b.partialVec(full, tail)
            row.setPartialVec(full, tail, v)
        }
    }

    /// `row[j] = f(row[j])` over `count` values.
    @inline(__always)
    static func apply(_ row: UnsafeMutablePointer<Float>, count: Int, _ f: (Vec) -> Vec) {
        var j = 0
        while j + 16 <= count {
            row.setVec(j, f(row.vec(j)))
            j += 16
        }
        if j < count {
            row.setPartialVec(j, count - j, f(row.partialVec(j, count - j)))
        }
    }

    /// Applies `activation` to `row` in place.
    @inline(__always)
    static func activate(_ row: UnsafeMutablePointer<Float>, count: Int, activation: Activation) {
        switch activation {
        case .gelu: apply(row, count: count, VectorMath.gelu)
        case .geluTanh: apply(row, count: count, VectorMath.geluTanh)
        case .relu: apply(row, count: count, VectorMath.relu)
        }
    }

}
