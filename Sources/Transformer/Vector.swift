// Vectorised float32 math: SIMD16 exp, log, erf, tanh, GELU — polynomial approximations, no libm call per element.
// Every Horner step is a fused multiply-add (`addingProduct`): Swift does not contract `p * r + c` by itself, and
// the separate multiply and add cost a third more time (`attend bench --kernels`: GELU 1.55 → 1.07 ns/element).
// Clamps stay on the sign-mask `select`: the standard library's `pointwiseMin`/`pointwiseMax` were faster in the
// kernels bench, but inside the forward pass LLVM left them as out-of-line generic calls (25 % of a 32×128 pass).
//
// Accuracy (measured against Foundation's double-precision exp/erf in TransformerTests, see
// `KernelTests.swift`): exp 1.1e-7 relative over [−87, 88]; erf 1.3e-7 absolute over [−6, 6]; exact GELU
// 9.8e-8 (absolute, relative above 1) over [−10, 10].

/// The vector type the kernels work in.
typealias Vec = SIMD16<Float>

/// Lane-wise helpers written with float arithmetic and integer bit operations only. Vector comparisons (`.<`)
/// produce `SIMDMask`s that LLVM turns into bit-packed masks and branchy, duplicated code; the sign bit of a
/// difference, smeared by an arithmetic shift, is a branch-free mask.
typealias Mask = SIMD16<UInt32>

/// All-ones lanes where `x` has its sign bit set (x < 0, −0, or a negative NaN).
@_transparent
func negativeMask(_ x: Vec) -> Mask {
    unsafeBitCast(unsafeBitCast(x, to: SIMD16<Int32>.self) &>> SIMD16<Int32>(repeating: 31), to: Mask.self)
}

/// `mask ? a : b` per lane.
@_transparent
func select(_ mask: Mask, _ a: Vec, _ b: Vec) -> Vec {
    let ai = unsafeBitCast(a, to: Mask.self)
    let bi = unsafeBitCast(b, to: Mask.self)
    return unsafeBitCast((ai & mask) | (bi & ~mask), to: Vec.self)
}

/// Lane-wise minimum.
@_transparent
func minimum(_ a: Vec, _ b: Vec) -> Vec { select(negativeMask(a - b), a, b) }

/// Lane-wise maximum.
@_transparent
func maximum(_ a: Vec, _ b: Vec) -> Vec { select(negativeMask(a - b), b, a) }

/// |x| by clearing the sign bit.
@_transparent
func magnitude(_ x: Vec) -> Vec {
    unsafeBitCast(unsafeBitCast(x, to: Mask.self) & Mask(repeating: 0x7FFF_FFFF), to: Vec.self)
}

enum VectorMath {
    // Every constant is spelled as a vector (`Vec(repeating:)`): the standard library's mixed scalar–vector operators
    // (`x * 0.5`) led LLVM to duplicate and reschedule these kernels into code 2× slower.

    // MARK: exp (Cephes expf: range reduction x = n·ln2 + r, |r| ≤ ln2/2, degree-5 minimax for e^r)

    /// e^x for x ≤ 88.37 (every caller's argument is at most 18: softmax's x − max ≤ 0, GELU's −y², erf's −x²,
    /// tanh's 2|x| ≤ 18). No clamps: below −87.33 the lanes compute garbage that the final select replaces by 0.
    @inline(__always)
    static func exp(_ x: Vec) -> Vec {
        let xc = x
        // Round x·log2(e) to the nearest integer with the 1.5·2²³ trick; its low mantissa bits are then n.
        let magic = Vec(repeating: 12_582_912.0)
        let t = magic.addingProduct(xc, Vec(repeating: 1.442_695_04))
        let n = t - magic
        let r = xc.addingProduct(n, Vec(repeating: -0.693_359_375)).addingProduct(n, Vec(repeating: 2.121_944_4e-4))
        var p = Vec(repeating: 1.987_569_15e-4)
        p = Vec(repeating: 1.398_199_95e-3).addingProduct(p, r)
        p = Vec(repeating: 8.333_451_9e-3).addingProduct(p, r)
        p = Vec(repeating: 4.166_579_59e-2).addingProduct(p, r)
        p = Vec(repeating: 1.666_666_55e-1).addingProduct(p, r)
        p = Vec(repeating: 5.000_000_12e-1).addingProduct(p, r)
        p = (r + Vec(repeating: 1)).addingProduct(p, r * r)
        let bits = unsafeBitCast(t, to: SIMD16<Int32>.self) &- SIMD16<Int32>(repeating: 0x4B40_0000)
        let scale = unsafeBitCast(
            (bits &+ SIMD16<Int32>(repeating: 127)) &<< SIMD16<Int32>(repeating: 23), to: Vec.self)
        // Below −87.33 the result is under FLT_MIN (and n's exponent bits wrap): flush to 0, so exp(−∞) is exactly 0.
        return select(negativeMask(x + Vec(repeating: 87.33)), .zero, p * scale)
    }

    // MARK: log (Cephes logf: x = m·2^e with √½ ≤ m < √2, degree-8 minimax for log(1 + (m − 1)))

    /// ln x for positive normal x. The sign bit is ignored (ln |x|), and 0, subnormals, ∞ and NaN give finite
    /// values (0 gives about −87.7) instead of −∞ or NaN, so callers that weight by x (−Σ p ln p) need no mask.
    @inline(__always)
    static func log(_ x: Vec) -> Vec {
        let bits = unsafeBitCast(x, to: SIMD16<Int32>.self)
        // x = m · 2^e with m in [0.5, 1): e is the exponent field minus 126 (the field converted to float by
        // placing it in the mantissa of 2²³), m the mantissa under the exponent of 0.5.
        let field = (bits &>> SIMD16<Int32>(repeating: 23)) & SIMD16<Int32>(repeating: 0xFF)
        let fieldValue = unsafeBitCast(field | SIMD16<Int32>(repeating: 0x4B00_0000), to: Vec.self)
        var e = fieldValue - Vec(repeating: 8_388_608 + 126)
        var m = unsafeBitCast(
            (bits & SIMD16<Int32>(repeating: 0x007F_FFFF)) | SIMD16<Int32>(repeating: 0x3F00_0000), to: Vec.self)
        // m < √½: use 2m and e − 1, so the argument of the polynomial, m − 1, lies in [√½ − 1, √2 − 1).
        let small = negativeMask(m - Vec(repeating: 0.707_106_781_186_547_524))
        e = e - select(small, Vec(repeating: 1), .zero)
        m = m + select(small, m, .zero) - Vec(repeating: 1)
        let z = m * m
        var y = Vec(repeating: 7.037_683_629_2e-2)
        y = Vec(repeating: -1.151_461_031_0e-1).addingProduct(y, m)
        y = Vec(repeating: 1.167_699_874_0e-1).addingProduct(y, m)
        y = Vec(repeating: -1.242_014_084_6e-1).addingProduct(y, m)
        y = Vec(repeating: 1.424_932_278_7e-1).addingProduct(y, m)
        y = Vec(repeating: -1.666_805_766_5e-1).addingProduct(y, m)
        y = Vec(repeating: 2.000_071_476_5e-1).addingProduct(y, m)
        y = Vec(repeating: -2.499_999_399_3e-1).addingProduct(y, m)
        y = Vec(repeating: 3.333_333_117_4e-1).addingProduct(y, m)
        y = y * m * z
        y = y.addingProduct(e, Vec(repeating: -2.121_944_40e-4))
        y = y.addingProduct(z, Vec(repeating: -0.5))
        return (m + y).addingProduct(e, Vec(repeating: 0.693_359_375))
    }

    // MARK: erf (two minimax fits in double, evaluated in float)
    // |x| < 1:      erf(x) = x · A(x²)                      (degree 6, relative fit error 1.6e-9)
    // 1 ≤ |x| < 4:  erf(x) = 1 − e^(−x²) · B(1/(1 + x/2))   (degree 7, relative fit error 6e-10)
    // |x| ≥ 4:      erf(x) = ±1 in float32.

    @inline(__always)
    static func erf(_ x: Vec) -> Vec {
        let a = minimum(magnitude(x), Vec(repeating: 4))
        let z = a * a
        var p = Vec(repeating: 7.933_422_388e-5)
        p = Vec(repeating: -8.034_827_975e-4).addingProduct(p, z)
        p = Vec(repeating: 5.191_216_606e-3).addingProduct(p, z)
        p = Vec(repeating: -2.685_539_872e-2).addingProduct(p, z)
        p = Vec(repeating: 1.128_362_571e-1).addingProduct(p, z)
        p = Vec(repeating: -3.761_262_988e-1).addingProduct(p, z)
        p = Vec(repeating: 1.128_379_167).addingProduct(p, z)
        let small = p * a
        let t = Vec(repeating: 1) / Vec(repeating: 1).addingProduct(a, Vec(repeating: 0.5))
        var q = Vec(repeating: 0.120_059_650_8)
        q = Vec(repeating: -0.473_749_351_4).addingProduct(q, t)
        q = Vec(repeating: 0.567_138_070_8).addingProduct(q, t)
        q = Vec(repeating: -0.106_831_869).addingProduct(q, t)
        q = Vec(repeating: 0.349_389_103_7).addingProduct(q, t)
        q = Vec(repeating: 0.259_225_275_4).addingProduct(q, t)
        q = Vec(repeating: 0.284_986_360_3).addingProduct(q, t)
        q = Vec(repeating: -0.000_159_166_046).addingProduct(q, t)
        let large = Vec(repeating: 1).addingProduct(exp(Vec.zero - z), Vec.zero - q)
        return withSign(of: x, select(negativeMask(a - Vec(repeating: 1)), small, large))
    }

    /// tanh(x) = sign(x)·(1 − 2/(e^(2|x|) + 1)); |x| clamped to 9, where tanh is 1 in float32.
    @inline(__always)
    static func tanh(_ x: Vec) -> Vec {
        let a = minimum(magnitude(x), Vec(repeating: 9))
        return withSign(of: x, Vec(repeating: 1) - Vec(repeating: 2) / (exp(a + a) + Vec(repeating: 1)))
    }

    /// Exact GELU, x·Φ(x) with Φ(x) = 0.5·(1 + erf(x/√2)), through erfc so no branch and no cancellation:
    /// with y = |x|/√2, E = erfc(y) = e^(−y²)·C(1/(1 + y/2)) (degree-8 fit on y ∈ [0, 9], absolute error 1.2e-9),
    /// Φ = 1 − E/2 for x ≥ 0 and E/2 for x < 0.
    @inline(__always)
    static func gelu(_ x: Vec) -> Vec {
        let y = magnitude(x) * Vec(repeating: 0.707_106_781_186_547_5)
        let t = Vec(repeating: 1) / Vec(repeating: 1).addingProduct(y, Vec(repeating: 0.5))
        var c = Vec(repeating: -0.052_203_387_002)
        c = Vec(repeating: 0.349_370_451_82).addingProduct(c, t)
        c = Vec(repeating: -0.908_452_042_12).addingProduct(c, t)
        c = Vec(repeating: 1.030_370_228_9).addingProduct(c, t)
        c = Vec(repeating: -0.409_258_027_49).addingProduct(c, t)
        c = Vec(repeating: 0.472_668_294_37).addingProduct(c, t)
        c = Vec(repeating: 0.228_786_635_18).addingProduct(c, t)
        c = Vec(repeating: 0.289_107_563_15).addingProduct(c, t)
        c = Vec(repeating: -0.000_389_715_733_31).addingProduct(c, t)
        let half = exp(Vec.zero - y * y) * c * Vec(repeating: 0.5)
        return x * select(negativeMask(x), half, Vec(repeating: 1) - half)
    }

    /// GELU's tanh form, 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))).
    @inline(__always)
    static func geluTanh(_ x: Vec) -> Vec {
        let inner = (x + Vec(repeating: 0.044_715) * x * x * x) * Vec(repeating: 0.797_884_560_802_865_4)
        return x * Vec(repeating: 0.5) * (Vec(repeating: 1) + tanh(inner))
    }

    /// max(0, x).
    @inline(__always)
    static func relu(_ x: Vec) -> Vec {
        maximum(x, .zero)
    }
}

/// `value` with the sign bit of `sign`.
@_transparent
func withSign(of sign: Vec, _ value: Vec) -> Vec {
    let s = unsafeBitCast(sign, to: SIMD16<UInt32>.self) & SIMD16<UInt32>(repeating: 0x8000_0000)
    return unsafeBitCast(unsafeBitCast(value, to: SIMD16<UInt32>.self) | s, to: Vec.self)
}

// MARK: Loads and stores

extension UnsafeMutablePointer where Pointee == Float {
    /// Loads 16 floats at `offset` (no alignment needed).
    @inline(__always)
    func vec(_ offset: Int) -> Vec {
        UnsafeRawPointer(self + offset).loadUnaligned(as: Vec.self)
    }

    /// Stores 16 floats at `offset` (no alignment needed).
    @inline(__always)
    func setVec(_ offset: Int, _ value: Vec) {
        UnsafeMutableRawPointer(self + offset).storeBytes(of: value, as: Vec.self)
    }

    /// Loads the `count` (< 16) floats at `offset`, the other lanes set to `fill`.
    @inline(__always)
    func partialVec(_ offset: Int, _ count: Int, fill: Float = 0) -> Vec {
        var v = Vec(repeating: fill)
        for i in 0..<count { v[i] = self[offset + i] }
        return v
    }

    /// Stores the first `count` (< 16) lanes of `value` at `offset`.
    @inline(__always)
    func setPartialVec(_ offset: Int, _ count: Int, _ value: Vec) {
        for i in 0..<count { self[offset + i] = value[i] }
    }
}
