import Foundation
import Testing

@testable import Transformer

@Suite struct KernelTests {
    /// Applies a vector function to a list of scalars.
    private func apply(_ xs: [Float], _ f: (Vec) -> Vec) -> [Float] {
        var out: [Float] = []
        var i = 0
        while i < xs.count {
            var v = Vec.zero
            for lane in 0..<16 where i + lane < xs.count { v[lane] = xs[i + lane] }
            let r = f(v)
            for lane in 0..<16 where i + lane < xs.count { out.append(r[lane]) }
            i += 16
        }
        return out
    }

    @Test func exp_IsFloatAccurate_OverRange() {
        let xs = stride(from: -87.0, through: 88.0, by: 0.0137).map { Float($0) }
        let got = apply(xs, VectorMath.exp)
        var worst = 0.0
        for (x, y) in zip(xs, got) {
            let want = Foundation.exp(Double(x))
            worst = max(worst, abs(Double(y) - want) / want)
        }
        print("SIMD exp: max relative error \(worst) (float32 ulp/2 = 6.0e-8)")
        #expect(worst < 3e-7)
    }

    @Test func exp_IsZero_WhenMinusInfinity() {
        let got = apply([-.infinity, -1000, -88, 0], VectorMath.exp)
        #expect(got[0] == 0 && got[1] == 0 && got[2] == 0 && got[3] == 1)
    }

    @Test func erf_IsFloatAccurate_OverRange() {
        let xs = stride(from: -6.0, through: 6.0, by: 0.000_71).map { Float($0) }
        let got = apply(xs, VectorMath.erf)
        var worst = 0.0
        for (x, y) in zip(xs, got) { worst = max(worst, abs(Double(y) - Foundation.erf(Double(x)))) }
        print("SIMD erf: max absolute error \(worst)")
        #expect(worst < 2.5e-7)
    }

    @Test func gelu_MatchesExactFormula() {
        let xs = stride(from: -10.0, through: 10.0, by: 0.000_93).map { Float($0) }
        let exact = apply(xs, VectorMath.gelu)
        let tanhForm = apply(xs, VectorMath.geluTanh)
        var worstExact = 0.0
        var worstTanh = 0.0
        for (i, x) in xs.enumerated() {
            let v = Double(x)
            let want = 0.5 * v * (1 + Foundation.erf(v / 2.0.squareRoot()))
            let wantTanh = 0.5 * v * (1 + Foundation.tanh((2 / Double.pi).squareRoot() * (v + 0.044715 * v * v * v)))
            worstExact = max(worstExact, abs(Double(exact[i]) - want) / max(1, abs(want)))
            worstTanh = max(worstTanh, abs(Double(tanhForm[i]) - wantTanh) / max(1, abs(wantTanh)))
        }
        print("SIMD gelu: max error \(worstExact); gelu_tanh: \(worstTanh) (absolute, relative above 1)")
        #expect(worstExact < 1e-6)
        #expect(worstTanh < 1e-6)
    }

    @Test func softmax_GivesExactZero_ForMaskedKeys() {
        var scores: [Float] = (0..<32).map { Float($0 % 7) * 0.3 }
        for j in [3, 20, 21] { scores[j] = -.infinity }
        var out = [Float](repeating: .nan, count: 32)
        scores.withUnsafeMutableBufferPointer { s in
            out.withUnsafeMutableBufferPointer { o in
                Kernels.softmax(scores: s.baseAddress!, count: 32, paddedCount: 32, into: o.baseAddress!)
            }
        }
        #expect(out[3] == 0 && out[20] == 0 && out[21] == 0)
        #expect(abs(out.reduce(0, +) - 1) <= 1e-6)
    }

    @Test func layerNorm_MatchesDefinition_WithTail() {
        var row: [Float] = (0..<37).map { Float(($0 * 7919) % 23) - 11 }
        let gamma: [Float] = (0..<37).map { 1 + Float($0) / 100 }
        let beta: [Float] = (0..<37).map { Float($0) / 50 }
        let xs = row.map(Double.init)
        let mean = xs.reduce(0, +) / 37
        let variance = xs.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 37
        row.withUnsafeMutableBufferPointer { r in
            Kernels.layerNorm(r.baseAddress!, count: 37, gamma: gamma, beta: beta, epsilon: 1e-5)
        }
        let want = xs.indices.map {
            (xs[$0] - mean) / (variance + 1e-5).squareRoot() * Double(gamma[$0]) + Double(beta[$0])
        }
        #expect(maxDifference(row, want) < 2e-6)
    }

    @Test func log_IsFloatAccurate_OverRange() {
        var xs: [Float] = []
        var x: Float = 1e-37
        while x < 1e37 {
            xs.append(x)
            x *= 1.000_9
        }
        let got = apply(xs, VectorMath.log)
        var worst = 0.0
        for (x, y) in zip(xs, got) {
            let want = Foundation.log(Double(x))
            worst = max(worst, abs(Double(y) - want) / max(1, abs(want)))
        }
        print("SIMD log: max error \(worst) (absolute, relative above 1)")
        #expect(worst < 2e-7)
        #expect(apply([1, 0], VectorMath.log)[0] == 0)
        #expect(apply([1, 0], VectorMath.log)[1].isFinite)
    }

    @Test func softmaxEntropy_EqualsEntropyOfProbabilities_WhenPadKeysPresent() {
        for count in [1, 5, 16, 37] {
            let padded = (count + 15) & ~15
            var scores: [Float] = (0..<padded).map { $0 < count ? Float(($0 * 37) % 11) * 0.7 - 3 : -.infinity }
            var plain = scores
            var entropy: Float = 0
            var probabilities = [Float](repeating: 0, count: padded)
            scores.withUnsafeMutableBufferPointer { s in
                entropy = Kernels.softmax(
                    scores: s.baseAddress!, count: count, paddedCount: padded, into: s.baseAddress!, entropy: true)
            }
            plain.withUnsafeMutableBufferPointer { s in
                probabilities.withUnsafeMutableBufferPointer { o in
                    Kernels.softmax(scores: s.baseAddress!, count: count, paddedCount: padded, into: o.baseAddress!)
                }
            }
            #expect(Array(scores[0..<count]) == Array(probabilities[0..<count]), "count \(count)")
            let want = -probabilities[0..<count].reduce(0.0) {
                $0 + ($1 > 0 ? Double($1) * Foundation.log(Double($1)) : 0)
            }
            #expect(abs(Double(entropy) - want) < 1e-6, "count \(count)")
            let fromRow = probabilities.withUnsafeMutableBufferPointer {
                Kernels.entropy($0.baseAddress!, count: count)
            }
            #expect(abs(Double(fromRow) - want) < 1e-6, "count \(count)")
        }
    }
}
