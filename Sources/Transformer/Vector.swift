// Vectorised float32 math: SIMD16 exp, erf, tanh, GELU — polynomial approximations, no libm call per element.
//
// Accuracy (measured against Foundation's double-precision exp/erf in TransformerTests, see
// `KernelTests.swift`): exp ≤ 2 ulp relative, erf ≤ 2e-7 absolute over [-6, 6].

/// The vector type the kernels work in.
typealias Vec = SIMD16<Float>

/// Lane-wise helpers written with bit operations and LLVM vector comparisons only: the standard library's
/// generic `replacing(with:where:)`, `clamped` and `pointwiseMin` compile to per-lane scalar loops.
@inline(__always)
func select(_ mask: SIMDMask<SIMD16<Int32>>, _ a: Vec, _ b: Vec) -> Vec {
    let m = unsafeBitCast(mask, to: SIMD16<UInt32>.self)
    let ai = unsafeBitCast(a, to: SIMD16<UInt32>.self)
    let bi = unsafeBitCast(b, to: SIMD16<UInt32>.self)
    return unsafeBitCast((ai & m) | (bi & ~m), to: Vec.self)
}

/// Lane-wise minimum (b where a is NaN).
@inline(__always)
func minimum(_ a: Vec, _ b: Vec) -> Vec { select(a .< b, a, b) }

/// Lane-wise maximum (b where a is NaN).
@inline(__always)
func maximum(_ a: Vec, _ b: Vec) -> Vec { select(a .> b, a, b) }

/// |x| by clearing the sign bit.
@inline(__always)
func magnitude(_ x: Vec) -> Vec {
    unsafeBitCast(unsafeBitCast(x, to: SIMD16<UInt32>.self) & 0x7FFF_FFFF, to: Vec.self)
}

enum VectorMath {
    // MARK: exp (Cephes expf: range reduction x = n·ln2 + r, |r| ≤ ln2/2, degree-5 minimax for e^r)

    @inline(__always)
    static func exp(_ x: Vec) -> Vec {
        let xc = minimum(maximum(x, Vec(repeating: -87.33)), Vec(repeating: 88.37))
        // Round x·log2(e) to the nearest integer with the 1.5·2²³ trick; its low mantissa bits are then n.
        let magic = Vec(repeating: 12_582_912.0)
        let t = xc * 1.442_695_04 + magic
        let n = t - magic
        let r = xc - n * 0.693_359_375 - n * -2.121_944_4e-4
        var p = Vec(repeating: 1.987_569_15e-4)
        p = p * r + 1.398_199_95e-3
        p = p * r + 8.333_451_9e-3
        p = p * r + 4.166_579_59e-2
        p = p * r + 1.666_666_55e-1
        p = p * r + 5.000_000_12e-1
        p = p * (r * r) + r + 1
        let bits = unsafeBitCast(t, to: SIMD16<Int32>.self) &- 0x4B40_0000
        let scale = unsafeBitCast((bits &+ 127) &<< 23, to: Vec.self)
        // Below −87.33 the result is under FLT_MIN: flush to 0, so exp(−∞) is exactly 0.
        return select(x .< -87.33, .zero, p * scale)
    }

    // MARK: erf (two minimax fits in double, evaluated in float)
    // |x| < 1:      erf(x) = x · A(x²)                      (degree 6, relative fit error 1.6e-9)
    // 1 ≤ |x| < 4:  erf(x) = 1 − e^(−x²) · B(1/(1 + x/2))   (degree 7, relative fit error 6e-10)
    // |x| ≥ 4:      erf(x) = ±1 in float32.

    @inline(__always)
    static func erf(_ x: Vec) -> Vec {
        let bits = unsafeBitCast(x, to: SIMD16<UInt32>.self)
        let sign = bits & 0x8000_0000
        let a = minimum(unsafeBitCast(bits & 0x7FFF_FFFF, to: Vec.self), Vec(repeating: 4))
        let z = a * a
        var p = Vec(repeating: 7.933_422_388e-5)
        p = p * z - 8.034_827_975e-4
        p = p * z + 5.191_216_606e-3
        p = p * z - 2.685_539_872e-2
        p = p * z + 1.128_362_571e-1
        p = p * z - 3.761_262_988e-1
        p = p * z + 1.128_379_167
        let small = p * a
        let t = 1 / (a * 0.5 + 1)
        var q = Vec(repeating: 0.120_059_650_8)
        q = q * t - 0.473_749_351_4
        q = q * t + 0.567_138_070_8
        q = q * t - 0.106_831_869
        q = q * t + 0.349_389_103_7
        q = q * t + 0.259_225_275_4
        q = q * t + 0.284_986_360_3
        q = q * t - 0.000_159_166_046
        let large = 1 - exp(-z) * q
        let result = select(a .< 1, small, large)
        return unsafeBitCast(unsafeBitCast(result, to: SIMD16<UInt32>.self) | sign, to: Vec.self)
    }

    /// tanh(x) = sign(x)·(1 − 2/(e^(2|x|) + 1)); |x| clamped to 9, where tanh is 1 in float32.
    @inline(__always)
    static func tanh(_ x: Vec) -> Vec {
        let bits = unsafeBitCast(x, to: SIMD16<UInt32>.self)
        let sign = bits & 0x8000_0000
        let a = minimum(unsafeBitCast(bits & 0x7FFF_FFFF, to: Vec.self), Vec(repeating: 9))
        let result = 1 - 2 / (exp(a * 2) + 1)
        return unsafeBitCast(unsafeBitCast(result, to: SIMD16<UInt32>.self) | sign, to: Vec.self)
    }

    /// Exact GELU, 0.5·x·(1 + erf(x/√2)).
    @inline(__always)
    static func gelu(_ x: Vec) -> Vec {
        x * 0.5 * (1 + erf(x * 0.707_106_781_186_547_5))
    }

    /// GELU's tanh form, 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))).
    @inline(__always)
    static func geluTanh(_ x: Vec) -> Vec {
        let inner = (x + 0.044_715 * x * x * x) * 0.797_884_560_802_865_4
        return x * 0.5 * (1 + tanh(inner))
    }

    /// max(0, x).
    @inline(__always)
    static func relu(_ x: Vec) -> Vec {
        maximum(x, .zero)
    }
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
