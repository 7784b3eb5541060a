/// binary32 → binary16 (IEEE 754 half) and → bfloat16, by integer arithmetic on the bit patterns, so the result
/// is the same on every machine: round to nearest, ties to even; overflow to ±infinity; results below the
/// smallest normal rounded into the subnormals (and to ±0 below half the smallest subnormal); NaN stays NaN
/// (quiet, sign and top payload bits kept). Checked against numpy in `Float16ConversionTests`.
public enum Float16Conversion {
    /// The binary16 bits nearest `value`.
    @inline(__always)
    public static func half(_ value: Float) -> UInt16 {
        let x = value.bitPattern
        let sign = UInt16(truncatingIfNeeded: (x >> 16) & 0x8000)
        let exponent = Int((x >> 23) & 0xFF)
        let mantissa = x & 0x7F_FFFF
        if exponent == 0xFF {
            return mantissa == 0 ? sign | 0x7C00 : sign | 0x7E00 | UInt16(truncatingIfNeeded: mantissa >> 13)
        }
        let e = exponent - 127 + 15
        if e >= 0x1F { return sign | 0x7C00 }
        if e <= 0 {
            // A subnormal half (or zero): the value in units of 2^-24 is (1.mantissa) × 2^(e + 10), i.e. the
            // 24-bit significand shifted right by 14 - e bits, rounded to nearest even.
            guard e >= -10 else { return sign }
            let significand = mantissa | 0x80_0000
            let shift = UInt32(14 - e)
            let quotient = significand >> shift
            let remainder = significand & ((1 << shift) - 1)
            let halfway: UInt32 = 1 << (shift - 1)
            let up = remainder > halfway || (remainder == halfway && quotient & 1 == 1)
            return sign | UInt16(truncatingIfNeeded: quotient + (up ? 1 : 0))
        }
        // Normal: drop 13 mantissa bits, rounding to nearest even; a carry into the exponent is right, up to
        // infinity (0x7C00).
        let bits = UInt32(e) << 10 | mantissa >> 13
        let remainder = mantissa & 0x1FFF
        let up = remainder > 0x1000 || (remainder == 0x1000 && bits & 1 == 1)
        return sign | UInt16(truncatingIfNeeded: bits + (up ? 1 : 0))
    }

    /// The bfloat16 bits nearest `value` (the upper half of the float32, rounded to nearest even).
    @inline(__always)
    public static func bfloat(_ value: Float) -> UInt16 {
        let x = value.bitPattern
        if x & 0x7FFF_FFFF > 0x7F80_0000 { return UInt16(truncatingIfNeeded: x >> 16) | 0x0040 }
        let rounding: UInt32 = 0x7FFF + ((x >> 16) & 1)
        return UInt16(truncatingIfNeeded: (x &+ rounding) >> 16)
    }

    /// binary16 → binary32, exact (the safetensors reader's widening).
    public static func float(half bits: UInt16) -> Float { SafetensorsFile.halfToFloat(bits) }

    /// bfloat16 → binary32, exact.
    public static func float(bfloat bits: UInt16) -> Float { Float(bitPattern: UInt32(bits) << 16) }

    /// Writes `source` as little-endian binary16 at `destination` (2 bytes per value, no alignment needed): the
    /// same bits as ``half(_:)`` for every float (checked on all 2^32 patterns when this path was introduced, and on
    /// edge values and random patterns in `Float16ConversionTests`). On x86-64 and arm64 through the standard
    /// library's `Float16`, whose narrowing is the IEEE conversion (round to nearest even) and which the compiler
    /// vectorizes into `vcvtps2ph` (F16C, part of the Haswell target) or `fcvtn`: about 4× the integer path.
    public static func writeHalf(_ source: UnsafeBufferPointer<Float>, to destination: UnsafeMutableRawPointer) {
        #if (arch(x86_64) && !os(macOS)) || arch(arm64)
            for i in source.indices {
                destination.storeBytes(
                    of: Float16(source[i]).bitPattern.littleEndian, toByteOffset: i * 2, as: UInt16.self)
            }
        #else
            writeHalfPortably(source, to: destination)
        #endif
    }

    /// ``writeHalf(_:to:)`` through ``half(_:)`` (integer arithmetic only).
    public static func writeHalfPortably(
        _ source: UnsafeBufferPointer<Float>, to destination: UnsafeMutableRawPointer
    ) {
        for i in source.indices {
            destination.storeBytes(of: half(source[i]).littleEndian, toByteOffset: i * 2, as: UInt16.self)
        }
    }

    /// Writes `source` as little-endian bfloat16 at `destination` (2 bytes per value, no alignment needed).
    public static func writeBFloat(_ source: UnsafeBufferPointer<Float>, to destination: UnsafeMutableRawPointer) {
        for i in source.indices {
            destination.storeBytes(of: bfloat(source[i]).littleEndian, toByteOffset: i * 2, as: UInt16.self)
        }
    }
}
