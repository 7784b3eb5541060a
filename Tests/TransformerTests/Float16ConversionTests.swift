import Foundation
import Testing

@testable import Transformer

/// `Float16Conversion` against numpy (`astype(np.float16)`) and ml_dtypes (`bfloat16`) on the committed fixture
/// (`scripts/make-float16-fixture.py`): ties, subnormals, boundaries, overflow, NaNs and random patterns.
struct Float16ConversionTests {
    struct Case {
        var float: UInt32
        var half: UInt16
        var bfloat: UInt16
    }

    static let cases: [Case] = {
        guard let text = try? String(contentsOfFile: FixtureSupport.fixture("float16/conversions.txt"), encoding: .utf8)
        else { return [] }
        return text.split(separator: "\n").compactMap { line in
            guard !line.hasPrefix("#") else { return nil }
            let parts = line.split(separator: " ")
            guard parts.count == 3, let f = UInt32(parts[0], radix: 16), let h = UInt16(parts[1], radix: 16),
                let b = UInt16(parts[2], radix: 16)
            else { return nil }
            return Case(float: f, half: h, bfloat: b)
        }
    }()

    static func isHalfNaN(_ h: UInt16) -> Bool { h & 0x7C00 == 0x7C00 && h & 0x03FF != 0 }
    static func isBFloatNaN(_ b: UInt16) -> Bool { b & 0x7F80 == 0x7F80 && b & 0x007F != 0 }

    @Test func fixture_HoldsThousandsOfPatterns() {
        #expect(Self.cases.count > 5000)
    }

    @Test func half_MatchesNumpy_OnEveryFixturePattern() {
        var mismatches: [String] = []
        for c in Self.cases {
            let got = Float16Conversion.half(Float(bitPattern: c.float))
            let nan = Float(bitPattern: c.float).isNaN
            let same = nan ? Self.isHalfNaN(got) && got & 0x8000 == c.half & 0x8000 : got == c.half
            if !same { mismatches.append(String(format: "%08x: %04x, numpy %04x", c.float, got, c.half)) }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(10))")
    }

    @Test func bfloat_MatchesMLDtypes_OnEveryFixturePattern() {
        var mismatches: [String] = []
        for c in Self.cases {
            let got = Float16Conversion.bfloat(Float(bitPattern: c.float))
            let nan = Float(bitPattern: c.float).isNaN
            let same = nan ? Self.isBFloatNaN(got) && got & 0x8000 == c.bfloat & 0x8000 : got == c.bfloat
            if !same { mismatches.append(String(format: "%08x: %04x, ml_dtypes %04x", c.float, got, c.bfloat)) }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(10))")
    }

    @Test func half_RoundsTheNamedEdgeCases() {
        #expect(Float16Conversion.half(65504) == 0x7BFF)  // largest finite
        #expect(Float16Conversion.half(65519.996) == 0x7BFF)  // below the tie
        #expect(Float16Conversion.half(65520) == 0x7C00)  // the tie overflows (even is infinity)
        #expect(Float16Conversion.half(-1e10) == 0xFC00)
        #expect(Float16Conversion.half(0x1p-24) == 0x0001)  // smallest subnormal
        #expect(Float16Conversion.half(0x1p-25) == 0x0000)  // half of it: tie to even zero
        #expect(Float16Conversion.half(0x1.8p-24) == 0x0002)  // 1.5 ulp: tie to even 2
        #expect(Float16Conversion.half(0x1p-14) == 0x0400)  // smallest normal
        #expect(Float16Conversion.half(1 + 0x1p-11) == 0x3C00)  // tie to even 1.0
        #expect(Float16Conversion.half(1 + 0x1.8p-10) == 0x3C02)  // tie to even up
        #expect(Float16Conversion.half(-0.0) == 0x8000)
        #expect(Self.isHalfNaN(Float16Conversion.half(.nan)))
        #expect(Self.isHalfNaN(Float16Conversion.half(Float(bitPattern: 0x7F80_0001))))  // payload only in low bits
        #expect(Float16Conversion.bfloat(.greatestFiniteMagnitude) == 0x7F80)  // rounds up to infinity
        #expect(Float16Conversion.bfloat(Float(bitPattern: 0x3F80_8000)) == 0x3F80)  // tie to even
        #expect(Float16Conversion.bfloat(Float(bitPattern: 0x3F81_8000)) == 0x3F82)
        #expect(Self.isBFloatNaN(Float16Conversion.bfloat(Float(bitPattern: 0x7F80_0001))))
    }

    @Test func writeHalf_MatchesHalf_WhenEdgeValuesAndRandomBitPatterns() {
        // The vectorized writer (the hardware conversion where there is one) against the integer reference: NaN
        // payloads, ties, subnormal results, overflow, zeros of both signs and random patterns, at odd offsets.
        var floats: [Float] = [
            0, -0.0, 1, -1, 65504, 65519.996, 65520, -1e10, 0x1p-24, 0x1p-25, 0x1.8p-24, 0x1p-14, 1 + 0x1p-11,
            1 + 0x1.8p-10, .nan, -.nan, .infinity, -.infinity, .leastNonzeroMagnitude, .leastNormalMagnitude,
            .greatestFiniteMagnitude, Float(bitPattern: 0x7F80_0001), Float(bitPattern: 0xFFC0_1234),
            Float(bitPattern: 0x7FBF_FFFF),
        ]
        floats += Self.cases.map { Float(bitPattern: $0.float) }
        var state: UInt64 = 0x2545_F491_4F6C_DD1D
        for _ in 0..<200_000 {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            floats.append(Float(bitPattern: UInt32(truncatingIfNeeded: state)))
        }
        var bytes = [UInt8](repeating: 0, count: floats.count * 2 + 1)
        bytes.withUnsafeMutableBytes { out in
            floats.withUnsafeBufferPointer { Float16Conversion.writeHalf($0, to: out.baseAddress! + 1) }
        }
        var mismatches: [String] = []
        for (i, f) in floats.enumerated() {
            let got = UInt16(bytes[2 * i + 1]) | UInt16(bytes[2 * i + 2]) << 8
            if got != Float16Conversion.half(f) {
                mismatches.append(String(format: "%08x: %04x, half %04x", f.bitPattern, got, Float16Conversion.half(f)))
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(10))")
    }

    @Test func widening_RoundTripsEveryHalf() {
        // Every finite binary16 value, widened by the safetensors reader, narrows back to itself.
        for h in UInt16.min...UInt16.max where !Self.isHalfNaN(h) {
            #expect(Float16Conversion.half(SafetensorsFile.halfToFloat(h)) == h)
        }
    }
}
