/// Steele, Lea & Flood's SplitMix64: a 64-bit counter-based generator, identical on every platform.
struct SplitMix64 {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE5_E9B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1) from the top 53 bits.
    mutating func nextUnit() -> Double {
        Double(next() >> 11) * 0x1p-53
    }
}

/// Standard normal deviates: Box–Muller in Marsaglia's polar form (no sin/cos), with ln computed by a fixed series
/// of IEEE-754 basic operations only (no libm), so every machine produces the same bits.
struct NormalGenerator {
    private var uniform: SplitMix64
    private var spare: Double?

    init(seed: UInt64) { uniform = SplitMix64(seed: seed) }

    mutating func next() -> Double {
        if let s = spare {
            spare = nil
            return s
        }
        while true {
            let u = 2 * uniform.nextUnit() - 1
            let v = 2 * uniform.nextUnit() - 1
            let s = u * u + v * v
            guard s > 0, s < 1 else { continue }
            let factor = (-2 * Self.log(s) / s).squareRoot()
            spare = v * factor
            return u * factor
        }
    }

    /// ln(x) for finite x > 0: x = m·2^e with m in [1, 2), ln m = 2·atanh((m−1)/(m+1)) summed to 24 odd terms
    /// (t ≤ 1/3, so the remainder is below 1e-24).
    static func log(_ x: Double) -> Double {
        let e = Double(x.exponent)
        let m = x.significand
        let t = (m - 1) / (m + 1)
        let t2 = t * t
        var power = t
        var sum = 0.0
        for k in 0..<24 {
            sum += power / Double(2 * k + 1)
            power *= t2
        }
        return e * 0.693_147_180_559_945_3 + 2 * sum
    }
}
