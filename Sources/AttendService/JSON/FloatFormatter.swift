/// Fast decimal formatting of `Float` for JSON.
///
/// Shortest mode finds the fewest significant digits (1...9) whose nearest decimal converts back to the same
/// float, using `Double` arithmetic: the float is exact in a `Double`, scaling by an exact power of ten (≤ 10²²)
/// and the conversion back are each one correctly rounded operation, and every candidate is verified by
/// converting back before it is written. Values whose scaling would need a power beyond 10²² (magnitudes below
/// about 1e-14 or from 1e23) fall back to `Float.description`. Fixed mode rounds `v · 10^p` exactly (a float
/// times 10^p, p ≤ 9, fits a double's 53 bits) to nearest-even and prints at most `p` digits after the point.
public enum FloatFormatter {
    /// Bytes a single formatted value can take at most (`-1.23456789e-45` and fallbacks fit).
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

    /// Writes `value` in shortest round-trip form at `out` (which must have `maximumLength` bytes);
    /// returns the number of bytes written. NaN and infinities are written as `null`.
    @inlinable
    public static func writeShortest(_ value: Float, to out: UnsafeMutablePointer<UInt8>) -> Int {
        guard value.isFinite else { return writeNull(to: out) }
        var p = out
        if value.sign == .minus {
            p.pointee = UInt8(ascii: "-")
            p += 1
        }
        let magnitude = value.magnitude
        if magnitude == 0 {
            p[0] = UInt8(ascii: "0")
            p[1] = UInt8(ascii: ".")
            p[2] = UInt8(ascii: "0")
            return p - out + 3
        }
        let f = Double(magnitude)
        // floor(e · log10 2) for the binary exponent e (normal numbers; subnormals fall back below).
        let e2 = Int((magnitude.bitPattern >> 23) & 0xFF) - 127
        var k = (e2 &* 78913) >> 18
        // Every digit count 1...9 needs its scale within the exact powers 10^0...10^22.
        guard e2 > -127 && k >= -15 && k <= 22 else { return p - out + fallback(magnitude, to: p) }
        // Half the gap to the neighbouring floats (2^(e2-24)); 0 at a power of two, whose lower gap is smaller,
        // which sends every candidate to the exact check.
        let halfULP =
            magnitude.bitPattern & 0x7F_FFFF == 0 ? 0 : Double(bitPattern: UInt64(e2 - 24 + 1023) << 52)
        let next = k + 1 >= 0 ? pow10(k + 1) : negativePow10(-(k + 1))
        if f >= next { k += 1 }
        guard k >= -14 && k <= 22 else { return p - out + fallback(magnitude, to: p) }
        // Scale once to 9 digits; fewer digits rescale by an inexact 10^-j, covered by the margin below.
        let shift9 = 8 - k
        let scale9 = pow10(shift9 >= 0 ? shift9 : -shift9)
        let scaled9 = shift9 >= 0 ? f * scale9 : f / scale9
        let halfWidth9 = shift9 >= 0 ? halfULP * scale9 : halfULP / scale9
        let candidates = Candidates(f: f, value: magnitude, scaled9: scaled9, halfWidth9: halfWidth9, exponent: k)
        // Find the fewest digits that round-trip. Most float32 values need 8 or 9: try 8, then 9 or fewer.
        var best: (digits: UInt64, count: Int, exponent: Int)?
        if let r8 = candidates.attempt(8) {
            best = r8
            if let r7 = candidates.attempt(7) {
                best = r7
                var lo = 1
                var hi = 6
                while lo <= hi {
                    let mid = (lo + hi) >> 1
                    if let r = candidates.attempt(mid) {
                        best = r
                        hi = mid - 1
                    } else {
                        lo = mid + 1
                    }
                }
            }
        } else {
            best = candidates.attempt(9)
        }
        guard let found = best else { return p - out + fallback(magnitude, to: p) }
        return p - out + writeDecimal(digits: found.digits, count: found.count, exponent: found.exponent, to: p)
    }

    /// Writes `value` rounded to `precision` (0...9) digits after the point, trailing zeros dropped.
    @inlinable
    public static func writeFixed(_ value: Float, precision: Int, to out: UnsafeMutablePointer<UInt8>) -> Int {
        guard value.isFinite else { return writeNull(to: out) }
        let scaled = roundEven(Double(value) * pow10(precision))
        guard scaled.magnitude < 9.0e15 else { return writeShortest(value, to: out) }
        var p = out
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

    /// 10^-j for j in 1...14 (nearest doubles, the same values as 1 / 10^j), without a division.
    @inlinable @inline(__always)
    static func negativePow10(_ j: Int) -> Double {
        switch j {
        case 1: return 1e-1
        case 2: return 1e-2
        case 3: return 1e-3
        case 4: return 1e-4
        case 5: return 1e-5
        case 6: return 1e-6
        case 7: return 1e-7
        case 8: return 1e-8
        case 9: return 1e-9
        case 10: return 1e-10
        case 11: return 1e-11
        case 12: return 1e-12
        case 13: return 1e-13
        default: return 1e-14
        }
    }

    /// 10^-j for j in 0...8 (nearest doubles).
    @inlinable @inline(__always)
    static func inversePow10(_ j: Int) -> Double {
        switch j {
        case 0: return 1
        case 1: return 1e-1
        case 2: return 1e-2
        case 3: return 1e-3
        case 4: return 1e-4
        case 5: return 1e-5
        case 6: return 1e-6
        case 7: return 1e-7
        default: return 1e-8
        }
    }

    /// The decimal candidates of one value, from its 9-digit scaling.
    @usableFromInline
    struct Candidates {
        @usableFromInline let f: Double
        @usableFromInline let value: Float
        @usableFromInline let scaled9: Double
        @usableFromInline let halfWidth9: Double
        @usableFromInline let exponent: Int

        @inlinable @inline(__always)
        init(f: Double, value: Float, scaled9: Double, halfWidth9: Double, exponent: Int) {
            self.f = f
            self.value = value
            self.scaled9 = scaled9
            self.halfWidth9 = halfWidth9
            self.exponent = exponent
        }

        /// The nearest `digits`-digit decimal to the value (first digit at 10^exponent) if it converts back to
        /// the same float.
        ///
        /// Fast test first: the candidate round-trips when it lies strictly inside the float's rounding interval,
        /// |v·10^s − d| < halfULP·10^s. Both sides carry a few units of 2^-53 relative error (the 9-digit scaling
        /// and the inexact 10^-j), so only a candidate within that margin of the interval's edge (or any candidate
        /// of a power of two, whose `halfULP` is 0) takes the exact check: convert the decimal back with one
        /// correctly rounded operation, as a JSON reader does, and compare.
        @inlinable @inline(__always)
        func attempt(_ digits: Int) -> (digits: UInt64, count: Int, exponent: Int)? {
            let j = 9 - digits
            let down = inversePow10(j)
            let scaled = scaled9 * down
            var d = roundEven(scaled)
            let halfWidth = halfWidth9 * down
            let distance = (scaled - d).magnitude
            let margin = scaled * 8e-15
            if distance >= halfWidth + margin { return nil }
            if distance > halfWidth - margin {
                let shift = digits - 1 - exponent
                guard shift >= -22 && shift <= 22 else { return nil }
                let scale = pow10(shift >= 0 ? shift : -shift)
                d = roundEven(shift >= 0 ? f * scale : f / scale)
                let back = shift >= 0 ? d / scale : d * scale
                guard Float(back) == value else { return nil }
            }
            var count = digits
            var e = exponent
            if d >= pow10(digits) {  // rounded up to the next power of ten
                d /= 10
                e += 1
            }
            var n = UInt64(d)
            while count > 1 && n % 10 == 0 {
                n /= 10
                count -= 1
            }
            return (n, count, e)
        }
    }

    /// Writes the `count` digits of `n`, first digit at 10^exponent, as a JSON number.
    @inlinable @inline(__always)
    static func writeDecimal(digits n: UInt64, count: Int, exponent: Int, to out: UnsafeMutablePointer<UInt8>) -> Int {
        if exponent >= 0 && exponent < 9 {
            let wholeCount = exponent + 1
            if count <= wholeCount {
                writeDigits(n, count: count, to: out)
                var i = count
                while i < wholeCount {
                    out[i] = UInt8(ascii: "0")
                    i += 1
                }
                out[i] = UInt8(ascii: ".")
                out[i + 1] = UInt8(ascii: "0")
                return i + 2
            }
            // Digits then insert the point after wholeCount.
            writeDigits(n, count: count, to: out + 1)
            var i = 0
            while i < wholeCount {
                out[i] = out[i + 1]
                i += 1
            }
            out[wholeCount] = UInt8(ascii: ".")
            return count + 1
        }
        if exponent < 0 && exponent >= -5 {
            let zeros = -exponent - 1
            out[0] = UInt8(ascii: "0")
            out[1] = UInt8(ascii: ".")
            var i = 2
            while i < 2 + zeros {
                out[i] = UInt8(ascii: "0")
                i += 1
            }
            writeDigits(n, count: count, to: out + i)
            return i + count
        }
        // Scientific: d.ddde±x
        writeDigits(n, count: count, to: out + 1)
        out[0] = out[1]
        var i: Int
        if count > 1 {
            out[1] = UInt8(ascii: ".")
            i = count + 1
        } else {
            i = 1
        }
        out[i] = UInt8(ascii: "e")
        i += 1
        var e = exponent
        if e < 0 {
            out[i] = UInt8(ascii: "-")
            i += 1
            e = -e
        }
        return i + writeInteger(UInt64(e), to: out + i)
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

    @usableFromInline
    static func fallback(_ value: Float, to out: UnsafeMutablePointer<UInt8>) -> Int {
        var count = 0
        for byte in value.description.utf8 where count < maximumLength - 1 {
            out[count] = byte
            count += 1
        }
        return count
    }
}
