import Testing

@testable import JSON

/// `FloatFormatter.writeShortestList`'s block path (branch-free Schubfach and digits for runs of normal floats)
/// against the float-by-float writer and the frozen legacy formatter: the same bytes for every run.
@Suite struct FloatFormatterListTests {
    /// The list writer's bytes for `values` (each followed by a comma).
    static func listed(_ values: [Float]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: values.count * (FloatFormatter.maximumLength + 1) + 1)
        let n = out.withUnsafeMutableBufferPointer { buffer in
            values.withUnsafeBufferPointer { floats in
                let base = buffer.baseAddress!
                return FloatFormatter.writeShortestList(floats.baseAddress!, count: floats.count, to: base) - base
            }
        }
        return Array(out[0..<n])
    }

    /// Each float through `writeShortest` (or the legacy formatter), each followed by a comma.
    static func oneByOne(_ values: [Float], legacy: Bool = false) -> [UInt8] {
        var bytes: [UInt8] = []
        var scratch = [UInt8](repeating: 0, count: FloatFormatter.maximumLength)
        for v in values {
            let n = scratch.withUnsafeMutableBufferPointer { out in
                legacy
                    ? LegacyFloatFormatter.writeShortest(v, to: out.baseAddress!)
                    : FloatFormatter.writeShortest(v, to: out.baseAddress!)
            }
            bytes += scratch[0..<n]
            bytes.append(UInt8(ascii: ","))
        }
        return bytes
    }

    /// The first runs (of `length` floats from `values`, in order) whose list bytes differ from either reference.
    static func mismatches(_ values: [Float], length: Int) -> [String] {
        var failures: [String] = []
        var start = 0
        while start < values.count, failures.count < 5 {
            let run = Array(values[start..<min(values.count, start + length)])
            let bytes = listed(run)
            if bytes != oneByOne(run) || bytes != oneByOne(run, legacy: true) {
                failures.append(
                    "run at \(start) (\(run.count)): \(String(decoding: bytes, as: UTF8.self)) vs "
                        + String(decoding: oneByOne(run, legacy: true), as: UTF8.self))
            }
            start += length
        }
        return failures
    }

    static let edges: [Float] = [
        0, -0.0, 1, -1, .nan, -.nan, .infinity, -.infinity, .leastNonzeroMagnitude, -.leastNonzeroMagnitude,
        .leastNormalMagnitude, -.leastNormalMagnitude, .leastNormalMagnitude.nextDown, .greatestFiniteMagnitude,
        -.greatestFiniteMagnitude, 1e-5, 9.9999e-6, 1e9, 999_999_936, 0.5, Float(1).nextDown, Float(1).nextUp, 1.1e-38,
        2e-38,
    ]

    @Test func floatFormatterList_MatchesOneByOne_WhenEdgeValuesAtEveryBlockPosition() {
        // Each edge value alone, and at each position of runs shorter than, equal to and longer than a block,
        // among probabilities (a special value sends the run down the float-by-float path; normal ones do not).
        var failures: [String] = []
        var rng = SplitMix64(state: 21)
        for edge in Self.edges {
            failures += Self.mismatches([edge], length: 1)
            for length in [
                2, FloatFormatter.listBlock - 1, FloatFormatter.listBlock, FloatFormatter.listBlock + 1, 129,
            ] {
                for position in [0, length / 2, length - 1] {
                    var run = (0..<length).map { _ in Float(rng.next() >> 40) / Float(1 << 24) + 1e-7 }
                    run[position] = edge
                    failures += Self.mismatches(run, length: length)
                }
            }
        }
        #expect(failures.isEmpty, "\(failures.prefix(5))")
    }

    @Test func floatFormatterList_MatchesOneByOne_WhenRandomNormalBitPatterns() {
        // Every sign and normal exponent: the block path throughout.
        var rng = SplitMix64(state: 22)
        var values: [Float] = []
        while values.count < 400_000 {
            let v = Float(bitPattern: UInt32(truncatingIfNeeded: rng.next()))
            if v.isNormal { values.append(v) }
        }
        #expect(Self.mismatches(values, length: 128).isEmpty, "\(Self.mismatches(values, length: 128))")
        #expect(Self.mismatches(values, length: 37).isEmpty, "\(Self.mismatches(values, length: 37))")
    }

    @Test func floatFormatterList_MatchesOneByOne_WhenRandomBitPatternsIncludeSpecials() {
        // Subnormals, zeros, NaN and infinities among the runs: most runs take the float-by-float path.
        var rng = SplitMix64(state: 23)
        let values = (0..<200_000).map { i -> Float in
            let bits = UInt32(truncatingIfNeeded: rng.next())
            return Float(bitPattern: i % 7 == 0 ? bits & 0x807F_FFFF : bits)
        }
        #expect(Self.mismatches(values, length: 16).isEmpty, "\(Self.mismatches(values, length: 16))")
    }

    @Test func floatFormatterList_MatchesOneByOne_WhenExponentBoundariesAndProbabilities() {
        // Powers of two and their neighbours (the asymmetric intervals, every cached power), softmax-like
        // weights over 10^-12 ... 1 (every layout: plain, small plain, scientific) and signed embeddings.
        var values: [Float] = []
        for exponent in 1..<255 {
            for delta in -3...3 {
                let bits = UInt32(exponent) << 23
                let pattern = delta < 0 ? bits - UInt32(-delta) : bits + UInt32(delta)
                let v = Float(bitPattern: pattern)
                if v.isNormal { values += [v, -v] }
            }
        }
        var rng = SplitMix64(state: 24)
        for i in 0..<300_000 {
            let unit = Float(rng.next() >> 40) / Float(1 << 24) + 1e-9
            var scale: Float = 1
            for _ in 0..<Int(rng.next() % 13) { scale /= 10 }
            values.append(i % 3 == 0 ? (unit - 0.5) * 8 : unit * scale)
        }
        #expect(Self.mismatches(values, length: 128).isEmpty, "\(Self.mismatches(values, length: 128))")
    }

    @Test func floatFormatterNineDigits_MatchesDecimalText_WhenBoundariesAndRandom() {
        var rng = SplitMix64(state: 25)
        var numbers: [UInt32] = [100_000_000, 100_000_001, 109_999_999, 199_999_999, 500_000_000, 999_999_999]
        numbers += (0..<10_000).map { _ in 100_000_000 + UInt32(rng.next() % 900_000_000) }
        numbers += (0..<10_000).map { UInt32(100_000_000 + $0 * 10_001) }
        var scaled = numbers
        var words = [UInt64](repeating: 0, count: numbers.count)
        scaled.withUnsafeMutableBufferPointer { s in
            words.withUnsafeMutableBufferPointer {
                FloatFormatter.nineDigits(s.baseAddress!, count: s.count, to: $0.baseAddress!)
            }
        }
        var failures: [String] = []
        for (i, n) in numbers.enumerated() {
            let text = [UInt8(truncatingIfNeeded: scaled[i])] + withUnsafeBytes(of: words[i].littleEndian) { Array($0) }
            if String(decoding: text, as: UTF8.self) != String(n) { failures.append("\(n)") }
        }
        #expect(failures.isEmpty, "\(failures.prefix(5))")
        let four = (0..<10_000).filter { x in
            let bytes = withUnsafeBytes(of: FloatFormatter.fourDigits(UInt32(x)).littleEndian) { $0.map { $0 + 48 } }
            let text = String(x)
            return String(decoding: bytes, as: UTF8.self) != String(repeating: "0", count: 4 - text.count) + text
        }
        #expect(four.isEmpty, "\(four.prefix(5))")
    }
}
