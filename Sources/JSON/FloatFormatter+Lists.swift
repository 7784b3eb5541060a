extension FloatFormatter {
    /// Floats per block of ``writeShortestList(_:count:to:)``'s fast path (its scratch is four words a float).
    @usableFromInline static let listBlock = 32

    /// Writes each of the `count` floats at `values` in shortest form followed by a comma, from `out` (which has
    /// room for `count · (maximumLength + 1)` bytes); returns the end. The same bytes as ``writeShortest(_:to:)``
    /// per float. Runs of normal finite floats (an attention map's rows, an embedding's: almost every float) go
    /// through ``writeNormals(_:count:to:)``; zeros, subnormals, NaN and infinities between them one by one.
    @inline(__always)
    static func writeShortestList(
        _ values: UnsafePointer<Float>, count: Int, to out: UnsafeMutablePointer<UInt8>
    ) -> UnsafeMutablePointer<UInt8> {
        let bits = UnsafeRawPointer(values).assumingMemoryBound(to: UInt32.self)
        // The common case first, with a vectorized test: every float normal and finite.
        var low = UInt32.max
        var high = UInt32.min
        for i in 0..<count {
            let magnitude = bits[i] & 0x7FFF_FFFF
            low = min(low, magnitude)
            high = max(high, magnitude)
        }
        if low >= 0x0080_0000 && high < 0x7F80_0000 { return writeNormals(bits, count: count, to: out) }
        var p = out
        var i = 0
        while i < count {
            var end = i
            // Normal and finite: the biased exponent is neither 0 nor 255.
            while end < count, (bits[end] & 0x7F80_0000) &- 0x0080_0000 < 0x7F00_0000 { end &+= 1 }
            if end > i { p = writeNormals(bits + i, count: end &- i, to: p) }
            if end < count {
                p += writeShortest(values[end], to: p)
                p.pointee = UInt8(ascii: ",")
                p += 1
                end &+= 1
            }
            i = end
        }
        return p
    }

    /// ``writeShortestList(_:count:to:)`` for `count` normal finite floats (bit patterns), in blocks through three
    /// loops: Schubfach without branches (``shortestNormals``) and the digits without branches (``nineDigits``),
    /// both vectorized by the compiler, then a scalar loop that only places and stores them.
    @inline(__always)
    static func writeNormals(
        _ bits: UnsafePointer<UInt32>, count: Int, to out: UnsafeMutablePointer<UInt8>
    ) -> UnsafeMutablePointer<UInt8> {
        withUnsafeTemporaryAllocation(of: UInt64.self, capacity: 2 &* listBlock) { scratch in
            // Per float: its nine-digit significand (then its first digit), its exponent, its last eight digits.
            let base = scratch.baseAddress.unsafelyUnwrapped
            let words = base + listBlock
            let scaled = UnsafeMutableRawPointer(base).assumingMemoryBound(to: UInt32.self)
            let exponents = scaled + listBlock
            var p = out
            var i = 0
            while i < count {
                let block = min(listBlock, count &- i)
                shortestNormals(bits + i, count: block, significands: scaled, exponents: exponents)
                for j in 0..<block {
                    let m = scaled[j]
                    let estimate = ((32 &- m.leadingZeroBitCount) &* 1233) >> 12
                    let length = estimate &+ 1 &- (m < powers32.withUnsafeBufferPointer { $0[estimate] } ? 1 : 0)
                    scaled[j] = m &* powers32.withUnsafeBufferPointer { $0[9 &- length] }
                    exponents[j] = exponents[j] &+ UInt32(truncatingIfNeeded: length &- 1)
                }
                nineDigits(scaled, count: block, to: words)
                for j in 0..<block {
                    let negative = Int(truncatingIfNeeded: bits[i &+ j] >> 31)
                    p.pointee = UInt8(ascii: "-")
                    p += negative
                    p += writeNumber(
                        lead: UInt8(truncatingIfNeeded: scaled[j]), digits: words[j],
                        exponent: Int(Int32(bitPattern: exponents[j])), to: p)
                    p.pointee = UInt8(ascii: ",")
                    p += 1
                }
                i &+= block
            }
            return p
        }
    }

    /// ``shortestDecimal(fraction:biasedExponent:)`` of `count` normal finite floats (bit patterns; the sign is
    /// ignored) into `significands` and `exponents` (two's complement), the same operations without branches:
    /// 32-bit lanes and 32 × 32 → 64-bit products, which the compiler vectorizes.
    @inlinable @inline(__always)
    static func shortestNormals(
        _ bits: UnsafePointer<UInt32>, count: Int, significands: UnsafeMutablePointer<UInt32>,
        exponents: UnsafeMutablePointer<UInt32>
    ) {
        schubfachPowers.withUnsafeBufferPointer { powers in
            let table = powers.baseAddress.unsafelyUnwrapped
            for j in 0..<count {
                let fraction = bits[j] & 0x7F_FFFF
                let biasedExponent = (bits[j] >> 23) & 0xFF
                let c = fraction | 0x80_0000
                let q = Int32(bitPattern: biasedExponent) &- 150
                let outside: UInt32 = c & 1
                let lowerIsCloser: UInt32 = fraction == 0 && biasedExponent > 1 ? 1 : 0
                let cbl = 4 &* c &- 2 &+ lowerIsCloser
                let cb = 4 &* c
                let cbr = 4 &* c &+ 2
                let k = (q &* 1_262_611 &- (lowerIsCloser != 0 ? 524_031 : 0)) >> 22
                let h = UInt32(bitPattern: q &+ ((-k &* 1_741_647) >> 19) &+ 1)
                let g = table[Int(31 &- k)]
                let gHigh = g >> 32
                let gLow = g & 0xFFFF_FFFF
                let vbl = roundToOdd(gHigh, gLow, cbl &<< h)
                let vb = roundToOdd(gHigh, gLow, cb &<< h)
                let vbr = roundToOdd(gHigh, gLow, cbr &<< h)
                let lower = vbl &+ outside
                let upper = vbr &- outside
                let s = vb >> 2
                let sp = UInt32(truncatingIfNeeded: (UInt64(s) &* 3_435_973_837) >> 35)  // s / 10
                let upInside = lower <= 40 &* sp
                let wpInside = 40 &* sp &+ 40 <= upper
                let shorter = s >= 10 && upInside != wpInside
                let uInside = lower <= 4 &* s
                let wInside = 4 &* s &+ 4 <= upper
                let mid = 4 &* s &+ 2
                let roundUp = vb > mid || (vb == mid && s & 1 != 0)
                let up = uInside != wInside ? wInside : roundUp
                significands[j] = shorter ? sp &+ (wpInside ? 1 : 0) : s &+ (up ? 1 : 0)
                exponents[j] = UInt32(bitPattern: shorter ? k &+ 1 : k)
            }
        }
    }

    /// ``roundToOdd(_:_:)`` with the power split into 32-bit halves: two 32 × 32 → 64-bit products.
    @inlinable @inline(__always)
    static func roundToOdd(_ gHigh: UInt64, _ gLow: UInt64, _ cp: UInt32) -> UInt32 {
        let low = gLow &* UInt64(cp)
        let upper = gHigh &* UInt64(cp) &+ (low >> 32)
        return UInt32(truncatingIfNeeded: upper >> 32) | (UInt32(truncatingIfNeeded: upper) > 1 ? 1 : 0)
    }

    /// For each of the `count` nine-digit numbers at `scaled` (10^8 ≤ n < 10^9): its last eight digits in ASCII
    /// at `words` (the most significant in the lowest byte), its first digit's ASCII written back into `scaled`.
    /// Divisions as multiplications by rounded-up reciprocals, exact in these ranges; no branches.
    @inlinable @inline(__always)
    static func nineDigits(_ scaled: UnsafeMutablePointer<UInt32>, count: Int, to words: UnsafeMutablePointer<UInt64>) {
        for j in 0..<count {
            let n = scaled[j]
            let first = UInt32(truncatingIfNeeded: (UInt64(n) &* 1_441_151_881) >> 57)  // n / 10^8
            let rest = n &- first &* 100_000_000
            let high = UInt32(truncatingIfNeeded: (UInt64(rest) &* 109_951_163) >> 40)  // rest / 10^4
            let low = rest &- high &* 10_000
            words[j] = UInt64(fourDigits(high)) | UInt64(fourDigits(low)) << 32 | 0x3030_3030_3030_3030
            scaled[j] = first &+ 0x30  // "0"
        }
    }

    /// The four decimal digits of `x` < 10^4 as byte values 0...9, the most significant in the lowest byte.
    @inlinable @inline(__always)
    static func fourDigits(_ x: UInt32) -> UInt32 {
        let hundreds = (x &* 5243) >> 19  // x / 100
        let below = x &- hundreds &* 100
        let a = (hundreds &* 103) >> 10  // / 10
        let b = hundreds &- a &* 10
        let c = (below &* 103) >> 10
        let d = below &- c &* 10
        return a | b << 8 | c << 16 | d << 24
    }
}
