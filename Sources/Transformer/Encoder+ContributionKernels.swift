// Vectorised row kernels of the token contributions (Encoder+Contributions.swift). Shape legend: see Encoder.swift
// (n, d, H); n̂ = n rounded up to 16 (the lanes of one key token's coefficient rows).

extension Encoder {
    /// G[p, q] = v_p · v_q for p, q < `count` (G at row stride `stride`, both halves written), the vectors v_p
    /// [count, width] at row stride `width`: two rows of G at a time, so each loaded lane of v_q serves two dots.
    @inline(__always)
    static func gram(
        _ v: UnsafePointer<Float>, count: Int, width: Int, into g: UnsafeMutablePointer<Float>, stride: Int
    ) {
        var p = 0
        while p + 1 < count {
            let u0 = UnsafeMutablePointer(mutating: v + p * width)
            let u1 = u0 + width
            for q in p..<count {
                let w = UnsafeMutablePointer(mutating: v + q * width)
                var s0 = Vec.zero
                var s1 = Vec.zero
                var k = 0
                while k + 16 <= width {
                    let e = w.vec(k)
                    s0 = s0.addingProduct(u0.vec(k), e)
                    s1 = s1.addingProduct(u1.vec(k), e)
                    k += 16
                }
                if k < width {
                    let e = w.partialVec(k, width - k)
                    s0 = s0.addingProduct(u0.partialVec(k, width - k), e)
                    s1 = s1.addingProduct(u1.partialVec(k, width - k), e)
                }
                let a = s0.sum()
                g[p * stride + q] = a
                g[q * stride + p] = a
                let b = s1.sum()
                g[(p + 1) * stride + q] = b
                g[q * stride + p + 1] = b
            }
            p += 2
        }
        if p < count {
            let a = dot(v + p * width, v + p * width, count: width)
            g[p * stride + p] = a
        }
    }

    /// out[i] = aᵢᵀ G aᵢ = Σ_p Σ_q G[p, q] a_p[i] a_q[i] for the `lanes` (a multiple of 16) positions i, with the
    /// coefficient rows a_p [count, lanes] at row stride `ld` and G symmetric (row stride `stride`): 16 positions
    /// per vector, the upper triangle once with its off-diagonal terms doubled.
    @inline(__always)
    static func quadraticForms(
        _ g: UnsafePointer<Float>, stride: Int, _ a: UnsafePointer<Float>, ld: Int, count: Int, lanes: Int,
        into out: UnsafeMutablePointer<Float>
    ) {
        let a = UnsafeMutablePointer(mutating: a)
        var i = 0
        while i < lanes {
            var total = Vec.zero
            for p in 0..<count {
                let ap = a.vec(p * ld + i)
                var row = Vec(repeating: g[p * stride + p]) * ap
                var q = p + 1
                while q < count {
                    row = row.addingProduct(Vec(repeating: 2 * g[p * stride + q]), a.vec(q * ld + i))
                    q += 1
                }
                total = total.addingProduct(ap, row)
            }
            out.setVec(i, total)
            i += 16
        }
    }

    /// out[k] = γ[k] · (v[k] − mean(v)) for k < `count`: a vector through the linear part of a LayerNorm (C
    /// centres; 1/σ is applied by the caller). `out` may be `v`.
    @inline(__always)
    static func centre(
        _ v: UnsafePointer<Float>, count: Int, gamma: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>
    ) {
        let v = UnsafeMutablePointer(mutating: v)
        let g = UnsafeMutablePointer(mutating: gamma)
        let mean = Vec(repeating: Kernels.sum(v, count: count) / Float(count))
        var k = 0
        while k + 16 <= count {
            out.setVec(k, g.vec(k) * (v.vec(k) - mean))
            k += 16
        }
        if k < count {
            let tail = count - k
            out.setPartialVec(k, tail, g.partialVec(k, tail) * (v.partialVec(k, tail) - mean))
        }
    }

    /// Σ_k |a[k] − b[k]| over `count` floats.
    @inline(__always)
    static func distance(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Float {
        let a = UnsafeMutablePointer(mutating: a)
        let b = UnsafeMutablePointer(mutating: b)
        var total = Vec.zero
        var k = 0
        while k + 16 <= count {
            total += magnitude(a.vec(k) - b.vec(k))
            k += 16
        }
        if k < count { total += magnitude(a.partialVec(k, count - k) - b.partialVec(k, count - k)) }
        return total.sum()
    }

    /// Σ_k |v[k]| over `count` floats.
    @inline(__always)
    static func absoluteSum(_ v: UnsafePointer<Float>, count: Int) -> Float {
        let v = UnsafeMutablePointer(mutating: v)
        var total = Vec.zero
        var k = 0
        while k + 16 <= count {
            total += magnitude(v.vec(k))
            k += 16
        }
        if k < count { total += magnitude(v.partialVec(k, count - k)) }
        return total.sum()
    }

    /// √(var(v) + ε) of `count` floats (two passes, as ``Kernels/layerNorm(_:count:gamma:beta:epsilon:)``).
    @inline(__always)
    static func deviation(_ v: UnsafePointer<Float>, count: Int, epsilon: Float) -> Float {
        let v = UnsafeMutablePointer(mutating: v)
        let mean = Kernels.sum(v, count: count) / Float(count)
        let meanV = Vec(repeating: mean)
        var squares = Vec.zero
        var k = 0
        while k + 16 <= count {
            let e = v.vec(k) - meanV
            squares = squares.addingProduct(e, e)
            k += 16
        }
        if k < count {
            let e = v.partialVec(k, count - k, fill: mean) - meanV
            squares = squares.addingProduct(e, e)
        }
        return (squares.sum() / Float(count) + epsilon).squareRoot()
    }

    /// out[c · ldo + r] = a[r · lda + c] · scale[r] (scale 1 without `scale`) for r < `rows`, c < `columns`: a
    /// [rows, columns] block transposed, eight rows at a time into one 32-byte store per column (each of the eight
    /// source rows read in order).
    @inline(__always)
    static func transpose(
        _ a: UnsafePointer<Float>, ld lda: Int, rows: Int, columns: Int, into out: UnsafeMutablePointer<Float>,
        ld ldo: Int, scale: UnsafePointer<Float>? = nil
    ) {
        var r = 0
        while r + 8 <= rows {
            let s = a + r &* lda
            let factors =
                scale.map { UnsafeRawPointer($0 + r).loadUnaligned(as: SIMD8<Float>.self) } ?? SIMD8(repeating: 1)
            for c in 0..<columns {
                let v = SIMD8(
                    s[c], s[lda &+ c], s[2 &* lda &+ c], s[3 &* lda &+ c], s[4 &* lda &+ c], s[5 &* lda &+ c],
                    s[6 &* lda &+ c], s[7 &* lda &+ c])
                UnsafeMutableRawPointer(out + (c &* ldo &+ r)).storeBytes(of: v * factors, as: SIMD8<Float>.self)
            }
            r += 8
        }
        while r < rows {
            let f = scale?[r] ?? 1
            for c in 0..<columns { out[c &* ldo &+ r] = a[r &* lda &+ c] * f }
            r += 1
        }
    }

    /// out[k] = a[k] · b[k] over `count` floats.
    @inline(__always)
    static func multiply(
        _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int, into out: UnsafeMutablePointer<Float>
    ) {
        let a = UnsafeMutablePointer(mutating: a)
        let b = UnsafeMutablePointer(mutating: b)
        var k = 0
        while k + 16 <= count {
            out.setVec(k, a.vec(k) * b.vec(k))
            k += 16
        }
        if k < count { out.setPartialVec(k, count - k, a.partialVec(k, count - k) * b.partialVec(k, count - k)) }
    }
}
