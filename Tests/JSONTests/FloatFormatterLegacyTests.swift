import Testing

@testable import JSON

/// The current formatter against its frozen copy (`LegacyFloatFormatter`, as of commit 0501bfb): the speed work
/// must not change a single byte of any float in either mode.
@Suite struct FloatFormatterLegacyTests {
    /// The bytes of `v` from both formatters (shortest, or at `precision`).
    static func both(_ v: Float, precision: Int? = nil) -> (current: [UInt8], legacy: [UInt8]) {
        var current = [UInt8](repeating: 0, count: FloatFormatter.maximumLength)
        var legacy = [UInt8](repeating: 0, count: LegacyFloatFormatter.maximumLength)
        let n = current.withUnsafeMutableBufferPointer { out in
            precision.map { FloatFormatter.writeFixed(v, precision: $0, to: out.baseAddress!) }
                ?? FloatFormatter.writeShortest(v, to: out.baseAddress!)
        }
        let m = legacy.withUnsafeMutableBufferPointer { out in
            precision.map { LegacyFloatFormatter.writeFixed(v, precision: $0, to: out.baseAddress!) }
                ?? LegacyFloatFormatter.writeShortest(v, to: out.baseAddress!)
        }
        return (Array(current[0..<n]), Array(legacy[0..<m]))
    }

    static func mismatches(_ values: some Sequence<Float>, precision: Int? = nil) -> [String] {
        var failures: [String] = []
        for v in values {
            let (current, legacy) = both(v, precision: precision)
            if current != legacy {
                failures.append(
                    "\(v.bitPattern): \(String(decoding: current, as: UTF8.self)) "
                        + "vs \(String(decoding: legacy, as: UTF8.self))")
                if failures.count > 5 { break }
            }
        }
        return failures
    }

    @Test func floatFormatter_MatchesLegacyBytes_WhenRandomBitPatterns() {
        var rng = SplitMix64(state: 2026)
        let values = (0..<1_000_000).lazy.map { _ in Float(bitPattern: UInt32(truncatingIfNeeded: rng.next())) }
        let failures = Self.mismatches(values)
        #expect(failures.isEmpty, "\(failures)")
    }

    @Test func floatFormatter_MatchesLegacyBytes_WhenAttentionWeightsAndSpecials() {
        // Softmax-like weights over 10^-12 ... 1 (every plain and scientific layout), exponent boundaries, zeros,
        // ones, subnormals, NaN and infinities.
        var rng = SplitMix64(state: 11)
        var values: [Float] = [
            0, -0.0, 1, -1, .nan, .infinity, -.infinity, .leastNonzeroMagnitude,
            .leastNormalMagnitude, .greatestFiniteMagnitude, 1e-5, 9.9999e-6, 1e9, 999_999_936,
        ]
        for _ in 0..<300_000 {
            let unit = Float(rng.next() >> 40) / Float(1 << 24)
            values.append(unit * Float.tenToMinus(Int(rng.next() % 12)))
        }
        for exponent in 0..<255 {
            for delta in -2...2 {
                values.append(Float(bitPattern: UInt32(max(0, exponent << 23 + delta))))
            }
        }
        #expect(Self.mismatches(values).isEmpty, "\(Self.mismatches(values))")
    }

    @Test func floatFormatter_MatchesLegacyBytes_WhenPrecisionGiven() {
        var rng = SplitMix64(state: 12)
        var failures: [String] = []
        for precision in 0...9 {
            let values = (0..<30_000).map { i -> Float in
                let unit = Float(rng.next() >> 40) / Float(1 << 24)
                return i % 2 == 0 ? unit : (unit - 0.5) * Float(1 << (i % 24))
            }
            failures += Self.mismatches(values, precision: precision)
        }
        #expect(failures.isEmpty, "\(failures.prefix(6))")
    }

    @Test func jsonWriterCollect_MatchesGrowingWriter_WhenReservationFitsOrOverflows() {
        var rng = SplitMix64(state: 13)
        let values = (0..<(64 * 48)).map { _ in Float(rng.next() >> 40) / Float(1 << 24) * 1e-3 }
        let reference = JSONWriter(capacity: 1)
        values.withUnsafeBufferPointer { reference.matrix($0, rows: 64, columns: 48) }
        for capacity in [1, 100, 4096, reference.count, reference.count + 64 * 33, 1 << 20] {
            let collected = JSONWriter.collect(capacity: capacity) { w in
                values.withUnsafeBufferPointer { w.matrix($0, rows: 64, columns: 48) }
            }
            #expect(collected == reference.bytes, "capacity \(capacity)")
        }
        let fixed = JSONWriter.collect(capacity: 8, precision: 2) { w in w.floats([0.125, -1, 2.5]) }
        #expect(String(decoding: fixed, as: UTF8.self) == "[0.12,-1.0,2.5]")
    }
}

extension Float {
    /// 10^-k as a float (k in 0...38).
    fileprivate static func tenToMinus(_ k: Int) -> Float {
        var x: Float = 1
        for _ in 0..<k { x /= 10 }
        return x
    }
}
