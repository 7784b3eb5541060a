/// Fast decimal formatting of `Float` for JSON.
///
/// Shortest mode writes the fewest significant digits (1...9) that convert back to the same float, the closest
/// such decimal to the value, for every finite float: Schubfach for binary32 (table-driven, 64-bit products, no
/// loop over digits), then the digits written as whole words. Fixed mode rounds `v · 10^p` exactly (a float
/// times 10^p, p ≤ 9, fits a double's 53 bits) to nearest-even and prints at most `p` digits after the point.
public enum FloatFormatter {
    /// Bytes a single formatted value can take at most (`-1.23456789e-45` and the scratch bytes past it fit).
    public static let maximumLength = 32

    /// 10^i for i in 0...22, each exact in a `Double`.
    @inlinable @inline(__always)
    static func pow10(_ i: Int) -> Double {
        switch i {
        case 0: return 1e0
        case 1: return 1e1
        case 2: return 1e2
        case 3: return 1e3
        case 4: return 1e4
        case 5: return 1e5
        case 6: return 1e6
        case 7: return 1e7
        case 8: return 1e8
        case 9: return 1e9
        case 10: return 1e10
        case 11: return 1e11
        case 12: return 1e12
        case 13: return 1e13
        case 14: return 1e14
        case 15: return 1e15
        case 16: return 1e16
        case 17: return 1e17
        case 18: return 1e18
        case 19: return 1e19
        case 20: return 1e20
        case 21: return 1e21
        default: return 1e22
        }
    }

    /// "00" "01" ... "99": two ASCII digits per entry.
    @usableFromInline static let digitPairs: StaticString = """
        00010203040506070809101112131415161718192021222324252627282930313233343536373839\
        40414243444546474849505152535455565758596061626364656667686970717273747576777879\
        8081828384858687888990919293949596979899
        """

    /// Writes `value` in shortest round-trip form at `out` (which must have `maximumLength` bytes; the bytes
    /// after the returned length may be overwritten); returns the number of bytes written. NaN and infinities are
    /// written as `null`. Inlined into the writer's float loops: a call per float costs more than its body's
    /// branches.
    @inlinable @inline(__always)
    public static func writeShortest(_ value: Float, to out: UnsafeMutablePointer<UInt8>) -> Int {
        let bits = value.bitPattern
        let biasedExponent = (bits >> 23) & 0xFF
        guard biasedExponent != 0xFF else { return writeNull(to: out) }
        var p = out
        if bits >> 31 != 0 {
            p.pointee = UInt8(ascii: "-")
            p += 1
        }
        let fraction = bits & 0x7F_FFFF
        if biasedExponent == 0 && fraction == 0 {
            p[0] = UInt8(ascii: "0")
            p[1] = UInt8(ascii: ".")
            p[2] = UInt8(ascii: "0")
            return p - out + 3
        }
        let decimal = shortestDecimal(fraction: fraction, biasedExponent: biasedExponent)
        return p - out + writeDecimal(significand: decimal.significand, exponent: decimal.exponent, to: p)
    }

    /// ⌊10^e · 2^-r⌋ + 1 for e in -31...45, with r chosen so that 2^63 ≤ 10^e · 2^-r < 2^64
    /// (r = ⌊e · log₂ 10⌋ − 63): each entry slightly overestimates 10^e, as Schubfach requires.
    @usableFromInline static let schubfachPowers: [UInt64] = [
        0x81CEB32C4B43FCF5, 0xA2425FF75E14FC32, 0xCAD2F7F5359A3B3F, 0xFD87B5F28300CA0E,
        0x9E74D1B791E07E49, 0xC612062576589DDB, 0xF79687AED3EEC552, 0x9ABE14CD44753B53,
        0xC16D9A0095928A28, 0xF1C90080BAF72CB2, 0x971DA05074DA7BEF, 0xBCE5086492111AEB,
        0xEC1E4A7DB69561A6, 0x9392EE8E921D5D08, 0xB877AA3236A4B44A, 0xE69594BEC44DE15C,
        0x901D7CF73AB0ACDA, 0xB424DC35095CD810, 0xE12E13424BB40E14, 0x8CBCCC096F5088CC,
        0xAFEBFF0BCB24AAFF, 0xDBE6FECEBDEDD5BF, 0x89705F4136B4A598, 0xABCC77118461CEFD,
        0xD6BF94D5E57A42BD, 0x8637BD05AF6C69B6, 0xA7C5AC471B478424, 0xD1B71758E219652C,
        0x83126E978D4FDF3C, 0xA3D70A3D70A3D70B, 0xCCCCCCCCCCCCCCCD, 0x8000000000000001,
        0xA000000000000001, 0xC800000000000001, 0xFA00000000000001, 0x9C40000000000001,
        0xC350000000000001, 0xF424000000000001, 0x9896800000000001, 0xBEBC200000000001,
        0xEE6B280000000001, 0x9502F90000000001, 0xBA43B74000000001, 0xE8D4A51000000001,
        0x9184E72A00000001, 0xB5E620F480000001, 0xE35FA931A0000001, 0x8E1BC9BF04000001,
        0xB1A2BC2EC5000001, 0xDE0B6B3A76400001, 0x8AC7230489E80001, 0xAD78EBC5AC620001,
        0xD8D726B7177A8001, 0x878678326EAC9001, 0xA968163F0A57B401, 0xD3C21BCECCEDA101,
        0x84595161401484A1, 0xA56FA5B99019A5C9, 0xCECB8F27F4200F3B, 0x813F3978F8940985,
        0xA18F07D736B90BE6, 0xC9F2C9CD04674EDF, 0xFC6F7C4045812297, 0x9DC5ADA82B70B59E,
        0xC5371912364CE306, 0xF684DF56C3E01BC7, 0x9A130B963A6C115D, 0xC097CE7BC90715B4,
        0xF0BDC21ABB48DB21, 0x96769950B50D88F5, 0xBC143FA4E250EB32, 0xEB194F8E1AE525FE,
        0x92EFD1B8D0CF37BF, 0xB7ABC627050305AE, 0xE596B7B0C643C71A, 0x8F7E32CE7BEA5C70,
        0xB35DBF821AE4F38C,
    ]

    /// 10^i for i in 0...9.
    @usableFromInline static let powers32: [UInt32] = [
        1, 10, 100, 1000, 10000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000,
    ]

    /// The shortest decimal `significand · 10^exponent` that reads back as the positive finite float with these
    /// fields, the closest to it among those (ties to an even significand): Raffaello Giulietti's Schubfach
    /// algorithm for binary32 ("The Schubfach way to render doubles", 2020). The float's rounding interval is
    /// scaled by one cached 64-bit power of ten with round-to-odd products; the interval then holds at most one
    /// candidate with one digit fewer than the 8 or 9 the scaling gives, and otherwise the nearest of the two
    /// bracketing integers. The significand may still end in zeros (removed when written).
    @inlinable @inline(__always)
    static func shortestDecimal(fraction: UInt32, biasedExponent: UInt32) -> (significand: UInt32, exponent: Int) {
        let c: UInt32
        let q: Int
        if biasedExponent != 0 {
            c = fraction | 0x80_0000
            q = Int(biasedExponent) &- 150
        } else {
            c = fraction
            q = -149
        }
        let outside: UInt32 = c & 1  // an odd significand excludes the interval's bounds (ties read to even)
        let lowerIsCloser: UInt32 = fraction == 0 && biasedExponent > 1 ? 1 : 0
        let cbl = 4 &* c &- 2 &+ lowerIsCloser
        let cb = 4 &* c
        let cbr = 4 &* c &+ 2
        // ⌊log₁₀ 2^q⌋, or ⌊log₁₀ (3/4 · 2^q)⌋ when the lower neighbour is closer.
        let k = (q &* 1_262_611 &- (lowerIsCloser != 0 ? 524_031 : 0)) >> 22
        let h = q &+ ((-k &* 1_741_647) >> 19) &+ 1
        let g = schubfachPowers.withUnsafeBufferPointer { $0[31 &- k] }
        let vbl = roundToOdd(g, cbl &<< h)
        let vb = roundToOdd(g, cb &<< h)
        let vbr = roundToOdd(g, cbr &<< h)
        let lower = vbl &+ outside
        let upper = vbr &- outside
        let s = vb >> 2
        if s >= 10 {
            let sp = s / 10
            let upInside = lower <= 40 &* sp
            let wpInside = 40 &* sp &+ 40 <= upper
            if upInside != wpInside { return (sp &+ (wpInside ? 1 : 0), k &+ 1) }
        }
        let uInside = lower <= 4 &* s
        let wInside = 4 &* s &+ 4 <= upper
        if uInside != wInside { return (s &+ (wInside ? 1 : 0), k) }
        let mid = 4 &* s &+ 2
        let roundUp = vb > mid || (vb == mid && s & 1 != 0)
        return (s &+ (roundUp ? 1 : 0), k)
    }

    /// The high 32 bits of the 96-bit product `g · cp`, with the lowest bit set when the bits below are not
    /// (nearly) zero: a round-to-odd approximation of the exact scaled value.
    @inlinable @inline(__always)
    static func roundToOdd(_ g: UInt64, _ cp: UInt32) -> UInt32 {
        let product = g.multipliedFullWidth(by: UInt64(cp))
        let high = UInt32(truncatingIfNeeded: product.high)
        let middle = UInt32(truncatingIfNeeded: product.low >> 32)
        return high | (middle > 1 ? 1 : 0)
    }

    /// The eight decimal digits of `n` < 10^8 as byte values 0...9, the most significant in the lowest byte,
    /// computed in parallel lanes (SWAR): 4 + 4 digits, then 2 + 2 per half, then 1 + 1.
    @inlinable @inline(__always)
    static func eightDigits(_ n: UInt32) -> UInt64 {
        let wide = UInt64(n)
        let high = wide / 10_000
        var merged = high | ((wide &- high &* 10_000) << 32)
        let hundreds = ((merged &* 10_486) >> 20) & 0x0000_007F_0000_007F
        merged = hundreds | ((merged &- hundreds &* 100) << 16)
        let tens = ((merged &* 103) >> 10) & 0x000F_000F_000F_000F
        return tens | ((merged &- tens &* 10) << 8)
    }

    @inlinable @inline(__always)
    static func store(_ word: UInt64, at p: UnsafeMutablePointer<UInt8>) {
        UnsafeMutableRawPointer(p).storeBytes(of: word.littleEndian, as: UInt64.self)
    }

    /// Writes `significand · 10^exponent` (significand in 1..<10^9) as a JSON number: plain from 1e-5 up to
    /// 1e9, scientific (`1.5e-7`) otherwise, trailing zeros dropped, `.0` after integers. The significand is
    /// padded to exactly nine digits and written with whole-word stores; bytes past the returned length (up to
    /// 18 from `out`) are scratch.
    @inlinable @inline(__always)
    static func writeDecimal(significand m: UInt32, exponent k: Int, to out: UnsafeMutablePointer<UInt8>) -> Int {
        let estimate = ((32 &- m.leadingZeroBitCount) &* 1233) >> 12
        let length = estimate &+ 1 &- (m < powers32.withUnsafeBufferPointer { $0[estimate] } ? 1 : 0)
        let m9 = m &* powers32.withUnsafeBufferPointer { $0[9 &- length] }
        let e = k &+ length &- 1  // exponent of the first digit
        let first = m9 / 100_000_000
        let rest = eightDigits(m9 &- first &* 100_000_000)
        return writeNumber(
            lead: UInt8(truncatingIfNeeded: first) &+ UInt8(ascii: "0"), digits: rest | 0x3030_3030_3030_3030,
            exponent: e, to: out)
    }

    /// Writes the nine-digit decimal `lead.digits · 10^exponent` (`lead` the first digit's ASCII, `digits` the
    /// other eight in ASCII, the most significant in the lowest byte) as ``writeDecimal(significand:exponent:to:)``
    /// describes; returns the length. Bytes past it (up to 18 from `out`) are scratch.
    @inlinable @inline(__always)
    static func writeNumber(
        lead: UInt8, digits ascii: UInt64, exponent e: Int, to out: UnsafeMutablePointer<UInt8>
    ) -> Int {
        // Trailing zero digits are the high bytes that are "0".
        let significant = 9 &- ((ascii ^ 0x3030_3030_3030_3030).leadingZeroBitCount >> 3)
        if e < 0 && e >= -5 {
            store(0x3030_3030_3030_2E30, at: out)  // "0.000000"
            let start = 1 &- e
            out[start] = lead
            store(ascii, at: out + start + 1)
            return start &+ significant
        }
        if e >= 0 && e <= 8 {
            out[0] = lead
            store(ascii, at: out + 1)
            if significant <= e &+ 1 {
                out[e &+ 1] = UInt8(ascii: ".")
                out[e &+ 2] = UInt8(ascii: "0")
                return e &+ 3
            }
            out[e &+ 1] = UInt8(ascii: ".")
            store(ascii >> (UInt64(e) &* 8), at: out + e + 2)
            return significant &+ 1
        }
        out[0] = lead
        out[1] = UInt8(ascii: ".")
        store(ascii, at: out + 2)
        var i = significant == 1 ? 1 : significant &+ 1
        out[i] = UInt8(ascii: "e")
        i &+= 1
        var magnitude = e
        if e < 0 {
            out[i] = UInt8(ascii: "-")
            i &+= 1
            magnitude = -e
        }
        if magnitude < 10 {
            out[i] = UInt8(truncatingIfNeeded: magnitude) &+ UInt8(ascii: "0")
            return i &+ 1
        }
        let table = digitPairs.utf8Start
        out[i] = table[magnitude &* 2]
        out[i &+ 1] = table[magnitude &* 2 &+ 1]
        return i &+ 2
    }

    /// Writes `value` rounded to `precision` (0...9) digits after the point, trailing zeros dropped.
    @inlinable
    public static func writeFixed(_ value: Float, precision: Int, to out: UnsafeMutablePointer<UInt8>) -> Int {
        guard value.isFinite else { return writeNull(to: out) }
        let scaled = roundEven(Double(value) * pow10(precision))
        guard scaled.magnitude < 9.0e15 else { return writeShortest(value, to: out) }
        var p = out
        if scaled.magnitude < 1e9 {
            // n · 10^-precision goes through the shortest path's digit writer, which prints it the same way
            // (plain, trailing zeros dropped, `.0` after integers) from 1e-5 up.
            let n = UInt32(scaled.magnitude)
            if n == 0 {
                p[0] = UInt8(ascii: "0")
                p[1] = UInt8(ascii: ".")
                p[2] = UInt8(ascii: "0")
                return 3
            }
            if precision <= 5 || n >= powers32[precision &- 5] {
                if scaled < 0 {
                    p.pointee = UInt8(ascii: "-")
                    p += 1
                }
                return p - out + writeDecimal(significand: n, exponent: -precision, to: p)
            }
        }
        var n = Int64(scaled)
        if n < 0 {
            p.pointee = UInt8(ascii: "-")
            p += 1
            n = -n
        }
        // All digits of n, at least precision + 1 of them (zero-padded), then the point moved in by copying.
        let u = UInt64(n)
        var count = 1
        var t = u
        while t >= 10 {
            t /= 10
            count += 1
        }
        if count < precision + 1 { count = precision + 1 }
        writeDigits(u, count: count, to: p + 1)
        let whole = count - precision
        var i = 0
        while i < whole {
            p[i] = p[i + 1]
            i += 1
        }
        p[whole] = UInt8(ascii: ".")
        var end = count + 1
        while end > whole + 2 && p[end - 1] == UInt8(ascii: "0") { end -= 1 }
        if end == whole + 1 {
            p[end] = UInt8(ascii: "0")
            end += 1
        }
        return p - out + end
    }

    @inlinable
    static func writeNull(to out: UnsafeMutablePointer<UInt8>) -> Int {
        out[0] = UInt8(ascii: "n")
        out[1] = UInt8(ascii: "u")
        out[2] = UInt8(ascii: "l")
        out[3] = UInt8(ascii: "l")
        return 4
    }

    /// Rounds to the nearest integer, ties to even, without a libm call: adding and subtracting 2^52 leaves the
    /// integer part under the default rounding mode. Values of magnitude ≥ 2^52 are integers already.
    @inlinable @inline(__always)
    static func roundEven(_ x: Double) -> Double {
        let magic = 4_503_599_627_370_496.0
        let m = x.magnitude
        guard m < magic else { return x }
        let r = (m + magic) - magic
        return x < 0 ? -r : r
    }

    /// Writes exactly `count` decimal digits of `n` (zero-padded on the left). The last four digits are split
    /// off first, so the two halves' divide-by-100 chains run side by side.
    @inlinable @inline(__always)
    static func writeDigits(_ n: UInt64, count: Int, to out: UnsafeMutablePointer<UInt8>) {
        let table = digitPairs.utf8Start
        var n = n
        var i = count
        if i > 4 {
            let low = Int(n % 10000)
            n /= 10000
            let a = (low / 100) &* 2
            let b = (low % 100) &* 2
            out[i - 1] = table[b + 1]
            out[i - 2] = table[b]
            out[i - 3] = table[a + 1]
            out[i - 4] = table[a]
            i -= 4
        }
        while i >= 2 {
            let pair = Int(n % 100) &* 2
            n /= 100
            out[i - 1] = table[pair + 1]
            out[i - 2] = table[pair]
            i -= 2
        }
        if i == 1 { out[0] = UInt8(ascii: "0") + UInt8(n % 10) }
    }

    /// Writes an unsigned integer; returns the number of bytes.
    @inlinable
    static func writeInteger(_ n: UInt64, to out: UnsafeMutablePointer<UInt8>) -> Int {
        var count = 1
        var t = n
        while t >= 10 {
            t /= 10
            count += 1
        }
        writeDigits(n, count: count, to: out)
        return count
    }
}
