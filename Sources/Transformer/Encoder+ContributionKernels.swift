// Vectorised row kernels of the token contributions (Encoder+Contributions.swift). Shape legend: see Encoder.swift
// (n, d, H); n̂ = n rounded up to 16 (the lanes of one key token's coefficient rows).

import CBLAS

extension Encoder {
    /// G[p, q] = v_p · v_q for p, q < `count` (G at row stride `stride`, both halves written), the vectors v_p
    /// [count, width] at row stride `width`: a 2 × 2 block of G at a time (rows p, p+1 against q, q+1), so each loaded
    /// lane serves two dots and the four sums are independent chains. Each entry is one 16-lane sum over k, the same
    /// whichever block computes it.
    @inline(__always)
    static func gram(
        _ v: UnsafePointer<Float>, count: Int, width: Int, into g: UnsafeMutablePointer<Float>, stride: Int
    ) {
        let v = UnsafeMutablePointer(mutating: v)
        @inline(__always)
        func put(_ p: Int, _ q: Int, _ value: Float) {
            g[p * stride + q] = value
            g[q * stride + p] = value
        }
        let tail = width & 15
        let body = width - tail
        var p = 0
        while p + 1 < count {
            let u0 = v + p * width
            let u1 = u0 + width
            var q = p
            while q + 1 < count {
                let w0 = v + q * width
                let w1 = w0 + width
                var s00 = Vec.zero
                var s01 = Vec.zero
                var s10 = Vec.zero
                var s11 = Vec.zero
                var k = 0
                while k < body {
                    let e0 = w0.vec(k)
                    let e1 = w1.vec(k)
                    let x0 = u0.vec(k)
                    let x1 = u1.vec(k)
                    s00 = s00.addingProduct(x0, e0)
                    s01 = s01.addingProduct(x0, e1)
                    s10 = s10.addingProduct(x1, e0)
                    s11 = s11.addingProduct(x1, e1)
                    k += 16
                }
                if tail > 0 {
                    let e0 = w0.partialVec(k, tail)
                    let e1 = w1.partialVec(k, tail)
                    let x0 = u0.partialVec(k, tail)
                    let x1 = u1.partialVec(k, tail)
                    s00 = s00.addingProduct(x0, e0)
                    s01 = s01.addingProduct(x0, e1)
                    s10 = s10.addingProduct(x1, e0)
                    s11 = s11.addingProduct(x1, e1)
                }
                put(p, q, s00.sum())
                put(p, q + 1, s01.sum())
                put(p + 1, q, s10.sum())
                put(p + 1, q + 1, s11.sum())
                q += 2
            }
            if q < count {
                let w0 = v + q * width
                var s0 = Vec.zero
                var s1 = Vec.zero
                var k = 0
                while k < body {
                    let e = w0.vec(k)
                    s0 = s0.addingProduct(u0.vec(k), e)
                    s1 = s1.addingProduct(u1.vec(k), e)
                    k += 16
                }
                if tail > 0 {
                    let e = w0.partialVec(k, tail)
                    s0 = s0.addingProduct(u0.partialVec(k, tail), e)
                    s1 = s1.addingProduct(u1.partialVec(k, tail), e)
                }
                put(p, q, s0.sum())
                put(p + 1, q, s1.sum())
            }
            p += 2
        }
        if p < count {
            let a = dot(v + p * width, v + p * width, count: width)
            g[p * stride + p] = a
        }
    }

    /// out[i] = aᵢᵀ G aᵢ = Σ_p Σ_q G[p, q] a_p[i] a_q[i] for the `lanes` (a multiple of 16) positions i, with the
    /// coefficient rows a_p [count, lanes] at row stride `ld` and G symmetric (row stride `stride`): 32 positions
    /// at a time in two 16-lane vectors (independent chains), the upper triangle once with its off-diagonal terms
    /// doubled.
    @inline(__always)
    static func quadraticForms(
        _ g: UnsafePointer<Float>, stride: Int, _ a: UnsafePointer<Float>, ld: Int, count: Int, lanes: Int,
        into out: UnsafeMutablePointer<Float>
    ) {
        let a = UnsafeMutablePointer(mutating: a)
        var i = 0
        while i + 32 <= lanes {
            var total0 = Vec.zero
            var total1 = Vec.zero
            for p in 0..<count {
                let ap0 = a.vec(p * ld + i)
                let ap1 = a.vec(p * ld + i + 16)
                let diagonal = Vec(repeating: g[p * stride + p])
                var row0 = diagonal * ap0
                var row1 = diagonal * ap1
                var q = p + 1
                while q < count {
                    let factor = Vec(repeating: 2 * g[p * stride + q])
                    row0 = row0.addingProduct(factor, a.vec(q * ld + i))
                    row1 = row1.addingProduct(factor, a.vec(q * ld + i + 16))
                    q += 1
                }
                total0 = total0.addingProduct(ap0, row0)
                total1 = total1.addingProduct(ap1, row1)
            }
            out.setVec(i, total0)
            out.setVec(i + 16, total1)
            i += 32
        }
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

    /// t[i] = √max(0, t[i]) / σ[i] for i < `count`, 16 at a time (each value as the scalar expression gives it).
    @inline(__always)
    static func rootsOver(_ t: UnsafeMutablePointer<Float>, _ sigma: UnsafePointer<Float>, count: Int) {
        let sigma = UnsafeMutablePointer(mutating: sigma)
        var i = 0
        while i + 16 <= count {
            let value = t.vec(i)
            t.setVec(i, value.replacing(with: 0, where: .!(value .>= 0)).squareRoot() / sigma.vec(i))
            i += 16
        }
        while i < count {
            t[i] = Swift.max(0, t[i]).squareRoot() / sigma[i]
            i += 1
        }
    }

    /// Asks for the cache lines of `count` floats from `p` on (a hint; nothing is read).
    @inline(__always)
    static func prefetch(_ p: UnsafePointer<Float>, count: Int) {
        var k = 0
        while k < count {
            attend_prefetch(p + k)
            k += 16
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
