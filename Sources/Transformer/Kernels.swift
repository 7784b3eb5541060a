// Row kernels of the forward pass, on raw float pointers, vectorised 16 lanes at a time (scalar-free tails
// through partial vectors). Each is one or a few named passes over one row; callers parallelise over rows.

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
        // Pass 1: max.
        var maxV = Vec(repeating: -.infinity)
        var j = 0
        while j < paddedCount {
            maxV = maximum(scores.vec(j), maxV)
            j += 16
        }
        let m = Vec(repeating: maxV.max())
        // Pass 2: exp and sum.
        var sumV = Vec.zero
        j = 0
        while j < paddedCount {
            let e = VectorMath.exp(scores.vec(j) - m)
            scores.setVec(j, e)
            sumV += e
            j += 16
        }
        // Pass 3: normalise.
        let inverse = Vec(repeating: 1 / sumV.sum())
        j = 0
        while j + 16 <= count {
            out.setVec(j, scores.vec(j) * inverse)
            j += 16
        }
        if j < count {
            out.setPartialVec(j, count - j, scores.vec(j) * inverse)
        }
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
