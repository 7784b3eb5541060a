import Foundation
import Testing

@testable import Transformer

@Suite struct PanelGemmTests {
    /// C = bias + A·W through `PanelMatrix` + `Gemm.panels`, against a naive triple loop in double.
    private func check(m: Int, k: Int, n: Int, workers: Int) {
        var generator = SplitMix64(seed: UInt64(m * 1_000_003 + k * 1_009 + n))
        func value() -> Float { Float(Double(generator.next() % 2_001) / 1_000 - 1) }
        let a = (0..<(m * k)).map { _ in value() }
        let w = (0..<(k * n)).map { _ in value() }  // [K, N] row-major
        let bias = (0..<n).map { _ in value() }
        var c = (0..<(m * n)).map { bias[$0 % n] }
        let packed = UnsafeMutablePointer<Float>.allocate(capacity: PanelMatrix.capacity(inner: k, outputs: n))
        defer { packed.deallocate() }
        w.withUnsafeBufferPointer { wp in
            let panels = PanelMatrix(packing: wp.baseAddress!, inner: k, outputs: n, into: packed)
            a.withUnsafeBufferPointer { ap in
                c.withUnsafeMutableBufferPointer { cp in
                    Gemm.panels(
                        ap.baseAddress!, rows: m, lda: k, weight: panels, into: cp.baseAddress!, ldc: n,
                        workers: workers)
                }
            }
        }
        var worst = 0.0
        for i in 0..<m {
            for j in 0..<n {
                var sum = Double(bias[j])
                for p in 0..<k { sum += Double(a[i * k + p]) * Double(w[p * n + j]) }
                worst = max(worst, abs(sum - Double(c[i * n + j])))
            }
        }
        #expect(worst < 1e-4 * Double(k).squareRoot(), "m \(m) k \(k) n \(n): max error \(worst)")
    }

    @Test func panels_MatchNaiveProduct_WhenShapesAreOdd() {
        for m in [1, 5, 6, 7, 17] {
            for (k, n) in [(1, 1), (7, 16), (13, 33), (31, 50), (64, 47)] {
                check(m: m, k: k, n: n, workers: 1)
            }
        }
    }

    @Test func panels_MatchNaiveProduct_WhenSplitOverWorkers() {
        for m in [1, 16, 23] {
            check(m: m, k: 97, n: 203, workers: 2)
            check(m: m, k: 384, n: 80, workers: 3)
        }
    }

    /// C = gelu(bias + A·W) through the fused epilogue, against the naive product followed by the reference GELU.
    private func checkEpilogue(m: Int, k: Int, n: Int, workers: Int) {
        var generator = SplitMix64(seed: UInt64(m * 7_919 + k * 31 + n))
        func value() -> Float { Float(Double(generator.next() % 2_001) / 1_000 - 1) }
        let a = (0..<(m * k)).map { _ in value() }
        let w = (0..<(k * n)).map { _ in value() }
        let bias = (0..<n).map { _ in value() }
        var c = [Float](repeating: .nan, count: m * n)  // overwritten, never read
        let packed = UnsafeMutablePointer<Float>.allocate(capacity: PanelMatrix.capacity(inner: k, outputs: n))
        defer { packed.deallocate() }
        w.withUnsafeBufferPointer { wp in
            let panels = PanelMatrix(packing: wp.baseAddress!, inner: k, outputs: n, into: packed)
            a.withUnsafeBufferPointer { ap in
                bias.withUnsafeBufferPointer { bp in
                    c.withUnsafeMutableBufferPointer { cp in
                        Gemm.panels(
                            ap.baseAddress!, rows: m, lda: k, weight: panels, into: cp.baseAddress!, ldc: n,
                            workers: workers, epilogue: .biasActivation(bp.baseAddress!, .gelu))
                    }
                }
            }
        }
        var worst = 0.0
        for i in 0..<m {
            for j in 0..<n {
                var sum = Double(bias[j])
                for p in 0..<k { sum += Double(a[i * k + p]) * Double(w[p * n + j]) }
                let expected = sum * 0.5 * (1 + erf(sum / 2.0.squareRoot()))
                worst = max(worst, abs(expected - Double(c[i * n + j])))
            }
        }
        #expect(worst < 1e-4 * Double(k).squareRoot(), "m \(m) k \(k) n \(n): max error \(worst)")
    }

    @Test func panels_AppliesBiasAndGELU_WhenEpilogueIsFused() {
        for m in [1, 6, 16, 17, 40] {
            checkEpilogue(m: m, k: 37, n: 50, workers: 1)
            checkEpilogue(m: m, k: 96, n: 203, workers: 2)
        }
    }

    @Test func panels_AppliesBiasAndGELU_WhenInnerDimensionIsChunked() {
        // k > innerChunk with several lane blocks takes the bias-fill, accumulate, activate route.
        for m in [17, 33] {
            checkEpilogue(m: m, k: Gemm.innerChunk + 50, n: 29, workers: 2)
        }
    }
}
