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

    @usableFromInline static let powers: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18,
        1e19, 1e20, 1e21, 1e22,
    ]

    /// 10^k for k in -46...39 (nearest doubles), to find a float's decimal exponent.
    @usableFromInline static let boundaries: [Double] = (-46...39).map { Double("1e\($0)") ?? 0 }

    @usableFromInline static let digitPairs: [UInt8] = {
        var table = [UInt8](repeating: 0, count: 200)
        for i in 0..<100 {
            table[2 * i] = UInt8(ascii: "0") + UInt8(i / 10)
            table[2 * i + 1] = UInt8(ascii: "0") + UInt8(i % 10)
        }
        return table
    }()

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
        var k = Int((Double(Int(magnitude.exponent)) * 0.301_029_995_663_981_2).rounded(.down))
        if f >= boundaries[k + 1 + 46] { k += 1 }
        // Every digit count 1...9 needs its scale within the exact powers 10^0...10^22.
        guard k >= -14 && k <= 22 else { return p - out + fallback(magnitude, to: p) }
        // Find the fewest digits that round-trip: try 6, then down by binary search or up one by one.
        var best: (digits: UInt64, count: Int, exponent: Int)?
        if let r = attempt(f, magnitude, digits: 6, exponent: k) {
            best = r
            var lo = 1
            var hi = 5
            while lo <= hi {
                let mid = (lo + hi) >> 1
                if let r = attempt(f, magnitude, digits: mid, exponent: k) {
                    best = r
                    hi = mid - 1
                } else {
                    lo = mid + 1
                }
            }
        } else {
            for count in 7...9 {
                if let r = attempt(f, magnitude, digits: count, exponent: k) {
                    best = r
                    break
                }
            }
        }
        guard let found = best else { return p - out + fallback(magnitude, to: p) }
        return p - out + writeDecimal(digits: found.digits, count: found.count, exponent: found.exponent, to: p)
    }

    /// Writes `value` rounded to `precision` (0...9) digits after the point, trailing zeros dropped.
    @inlinable
    public static func writeFixed(_ value: Float, precision: Int, to out: UnsafeMutablePointer<UInt8>) -> Int {
        guard value.isFinite else { return writeNull(to: out) }
        let scaled = (Double(value) * powers[precision]).rounded(.toNearestOrEven)
        guard scaled.magnitude < 9.0e15 else { return writeShortest(value, to: out) }
        var p = out
        var n = Int64(scaled)
        if n < 0 {
            p.pointee = UInt8(ascii: "-")
            p += 1
            n = -n
        }
        let u = UInt64(n)
        var whole = u
        var fraction: UInt64 = 0
        var fractionDigits = precision
        if precision > 0 {
            let divisor = UInt64(powers[precision])
            whole = u / divisor
            fraction = u % divisor
            while fractionDigits > 0 && fraction % 10 == 0 {
                fraction /= 10
                fractionDigits -= 1
            }
        }
        p += writeInteger(whole, to: p)
        p.pointee = UInt8(ascii: ".")
        p += 1
        if fractionDigits == 0 {
            p.pointee = UInt8(ascii: "0")
            return p - out + 1
        }
        writeDigits(fraction, count: fractionDigits, to: p)
        return p - out + fractionDigits
    }

    @inlinable
    static func writeNull(to out: UnsafeMutablePointer<UInt8>) -> Int {
        out[0] = UInt8(ascii: "n")
        out[1] = UInt8(ascii: "u")
        out[2] = UInt8(ascii: "l")
        out[3] = UInt8(ascii: "l")
        return 4
    }

    /// The nearest `digits`-digit decimal to `f` (first digit at 10^exponent) if it converts back to `value`.
    @inlinable
    static func attempt(
        _ f: Double, _ value: Float, digits: Int, exponent: Int
    ) -> (digits: UInt64, count: Int, exponent: Int)? {
        let shift = digits - 1 - exponent
        var d: Double
        if shift >= 0 {
            guard shift <= 22 else { return nil }
            d = (f * powers[shift]).rounded(.toNearestOrEven)
        } else {
            guard shift >= -22 else { return nil }
            d = (f / powers[-shift]).rounded(.toNearestOrEven)
        }
        let back = shift >= 0 ? d / powers[shift] : d * powers[-shift]
        guard Float(back) == value else { return nil }
        var count = digits
        var e = exponent
        if d >= powers[digits] {  // rounded up to the next power of ten
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

    /// Writes the `count` digits of `n`, first digit at 10^exponent, as a JSON number.
    @inlinable
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

    /// Writes exactly `count` decimal digits of `n` (zero-padded on the left).
    @inlinable
    static func writeDigits(_ n: UInt64, count: Int, to out: UnsafeMutablePointer<UInt8>) {
        var n = n
        var i = count
        digitPairs.withUnsafeBufferPointer { table in
            while i >= 2 {
                let pair = Int(n % 100) * 2
                n /= 100
                out[i - 1] = table[pair + 1]
                out[i - 2] = table[pair]
                i -= 2
            }
            if i == 1 { out[0] = UInt8(ascii: "0") + UInt8(n % 10) }
        }
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
