import Testing

@testable import JSON

private func shortest(_ v: Float) -> String {
    let w = JSONWriter()
    w.float(v)
    return String(decoding: w.bytes, as: UTF8.self)
}

private func fixed(_ v: Float, _ p: Int) -> String {
    let w = JSONWriter(precision: p)
    w.float(v)
    return String(decoding: w.bytes, as: UTF8.self)
}

/// Significant digits in a decimal string like "-1.2345e-07" or "0.00123".
private func significantDigits(_ s: String) -> Int {
    let mantissa = s.split(separator: "e")[0]
    let digits = mantissa.filter { $0.isNumber }.drop { $0 == "0" }
    let trimmed = digits.reversed().drop { $0 == "0" }
    return max(trimmed.count, 1)
}

/// A small deterministic generator (SplitMix64).
struct SplitMix64 {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Test func floatFormatter_RoundTripsAndIsShortest_WhenRandomBitPatterns() {
    var rng = SplitMix64(state: 42)
    var failures: [String] = []
    for _ in 0..<500_000 {
        let v = Float(bitPattern: UInt32(truncatingIfNeeded: rng.next()))
        guard v.isFinite else { continue }
        let s = shortest(v)
        if Float(s) != v || significantDigits(s) > significantDigits(v.description) {
            failures.append("\(v.description) -> \(s)")
            if failures.count > 5 { break }
        }
    }
    #expect(failures.isEmpty, "\(failures)")
}

@Test func floatFormatter_RoundTrips_WhenProbabilitiesAndEmbeddings() {
    var rng = SplitMix64(state: 7)
    var failures: [String] = []
    for i in 0..<500_000 {
        let unit = Float(rng.next() >> 40) / Float(1 << 24)
        let v = i % 2 == 0 ? unit : (unit - 0.5) * 8
        let s = shortest(v)
        if Float(s) != v || significantDigits(s) > significantDigits(v.description) {
            failures.append("\(v.description) -> \(s)")
            if failures.count > 5 { break }
        }
    }
    #expect(failures.isEmpty, "\(failures)")
}

@Test func floatFormatter_WritesReadableForms_WhenSpecialValues() {
    #expect(shortest(0) == "0.0")
    #expect(shortest(-0.0) == "-0.0")
    #expect(shortest(1) == "1.0")
    #expect(shortest(0.5) == "0.5")
    #expect(shortest(-2.25) == "-2.25")
    #expect(shortest(100) == "100.0")
    #expect(shortest(0.001) == "0.001")
    #expect(shortest(1e-7) == "1e-7")
    #expect(shortest(1.5e20) == "1.5e20")
    #expect(shortest(.nan) == "null")
    #expect(shortest(.infinity) == "null")
    #expect(Float(shortest(.leastNonzeroMagnitude)) == .leastNonzeroMagnitude)
    #expect(Float(shortest(.greatestFiniteMagnitude)) == .greatestFiniteMagnitude)
}

@Test func floatFormatter_RoundsCorrectly_WhenPrecisionGiven() {
    #expect(fixed(0.123456, 4) == "0.1235")
    #expect(fixed(0.5, 0) == "0.0")
    #expect(fixed(1.5, 0) == "2.0")
    #expect(fixed(-0.05, 4) == "-0.05")
    #expect(fixed(12.0, 3) == "12.0")
    #expect(fixed(0.00001, 3) == "0.0")
    var rng = SplitMix64(state: 3)
    for _ in 0..<100_000 {
        let v = (Float(rng.next() >> 40) / Float(1 << 24) - 0.5) * 10
        let s = fixed(v, 5)
        let expected = (Double(v) * 1e5).rounded(.toNearestOrEven) / 1e5
        #expect(abs((Double(s) ?? .nan) - expected) < 1e-12)
    }
}

@Test func floatFormatter_RoundTripsAndIsShortest_WhenPowersOfTwoAndNeighbours() {
    // Powers of two have a closer lower neighbour (an asymmetric rounding interval); subnormals a fixed gap.
    var failures: [String] = []
    for exponent in 0..<255 {
        let bits = UInt32(exponent) << 23
        for delta in [-2, -1, 0, 1, 2] {
            let pattern = Int64(bits) + Int64(delta)
            guard pattern >= 0 else { continue }
            let v = Float(bitPattern: UInt32(pattern))
            guard v.isFinite, v != 0 else { continue }
            let s = shortest(v)
            if Float(s) != v || significantDigits(s) > significantDigits(v.description) {
                failures.append("\(v.description) -> \(s)")
            }
        }
    }
    #expect(failures.isEmpty, "\(failures.prefix(5))")
}

@Test func floatFormatter_SwitchesToScientific_WhenOutsideOneMillionthToOneBillion() {
    #expect(shortest(1e-5) == "0.00001")
    #expect(shortest(1.25e-5) == "0.0000125")
    #expect(shortest(9.9999e-6) == "9.9999e-6")
    #expect(shortest(0.0123456789) == "0.012345679")
    #expect(shortest(3.1415927) == "3.1415927")
    #expect(shortest(-12345.678) == "-12345.678")
    #expect(shortest(123_456_792) == "123456790.0")
    #expect(shortest(999_999_936) == "999999940.0")
    #expect(shortest(1e9) == "1e9")
    #expect(shortest(1.2345678e-12) == "1.2345678e-12")
    #expect(shortest(3.4028235e38) == "3.4028235e38")
    #expect(shortest(.leastNonzeroMagnitude) == "1e-45")
    #expect(shortest(-.leastNormalMagnitude) == "-1.1754944e-38")
}

@Test func jsonWriter_WritesRowsAndEmptyShapes_WhenBufferGrowsFromSmall() {
    let w = JSONWriter(capacity: 1)
    let none: [Float] = []
    w.floats(none)
    none.withUnsafeBufferPointer { w.matrix($0, rows: 0, columns: 3) }
    none.withUnsafeBufferPointer { w.matrix($0, rows: 2, columns: 0) }
    var rng = SplitMix64(state: 11)
    let values = (0..<(37 * 29)).map { _ in Float(rng.next() >> 40) / Float(1 << 24) - 0.25 }
    values.withUnsafeBufferPointer { w.matrix($0, rows: 37, columns: 29) }
    let text = String(decoding: w.bytes, as: UTF8.self)
    let expectedRows = (0..<37).map { r in
        "[" + values[(r * 29)..<((r + 1) * 29)].map { shortest($0) }.joined(separator: ",") + "]"
    }
    #expect(text == "[][][[],[]][" + expectedRows.joined(separator: ",") + "]")
    let p = JSONWriter(capacity: 1, precision: 2)
    [Float(0.125), -1, 2.5].withUnsafeBufferPointer { p.matrix($0, rows: 1, columns: 3) }
    #expect(String(decoding: p.bytes, as: UTF8.self) == "[[0.12,-1.0,2.5]]")
}

@Test func floatFormatter_WritesPlainDecimals_WhenPrecisionGiven() {
    var rng = SplitMix64(state: 5)
    var failures: [String] = []
    for i in 0..<200_000 {
        let unit = Float(rng.next() >> 40) / Float(1 << 24)
        let v = i % 3 == 0 ? unit * unit * unit : (unit - 0.5) * Float(1 << (i % 20))
        let precision = i % 10
        let s = fixed(v, precision)
        let fraction = s.split(separator: ".", omittingEmptySubsequences: false).last ?? ""
        let expected = (Double(v) * pow10(precision)).rounded(.toNearestOrEven) / pow10(precision)
        let wellFormed =
            s.contains(".") && !s.contains("e") && fraction.count <= max(precision, 1)
            && (fraction == "0" || !fraction.hasSuffix("0"))
        if !wellFormed || Double(s) != expected {
            failures.append("\(v) p\(precision) -> \(s)")
            if failures.count > 5 { break }
        }
    }
    #expect(failures.isEmpty, "\(failures)")
}

private func pow10(_ p: Int) -> Double {
    (0..<p).reduce(1.0) { value, _ in value * 10 }
}
