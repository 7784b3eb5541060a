import Foundation
import Testing

@testable import Transformer

@Suite struct PanelGemmTests {
    /// What C holds before the product and which epilogue the product runs.
    private enum Mode {
        case accumulate  // C = bias beforehand, `.accumulate`
        case bias  // C = NaN beforehand (never read), `.bias`
        case addBias  // C = a residual beforehand, `.addBias`
        case biasGELU  // C = NaN beforehand, `.biasActivation(bias, .gelu)`
    }

    /// `Gemm.panels` on random operands against a naive triple loop in double (and the exact GELU for `biasGELU`).
    private func check(m: Int, k: Int, n: Int, workers: Int, mode: Mode = .accumulate) {
        var generator = SplitMix64(seed: UInt64(m * 1_000_003 + k * 1_009 + n))
        func value() -> Float { Float(Double(generator.next() % 2_001) / 1_000 - 1) }
        let a = (0..<(m * k)).map { _ in value() }
        let w = (0..<(k * n)).map { _ in value() }  // [K, N] row-major
        let bias = (0..<n).map { _ in value() }
        let residual = (0..<(m * n)).map { _ in value() }
        var c: [Float] =
            switch mode {
            case .accumulate: (0..<(m * n)).map { bias[$0 % n] }
            case .bias, .biasGELU: [Float](repeating: .nan, count: m * n)
            case .addBias: residual
            }
        let packed = UnsafeMutablePointer<Float>.allocate(capacity: PanelMatrix.capacity(inner: k, outputs: n))
        defer { packed.deallocate() }
        w.withUnsafeBufferPointer { wp in
            let panels = PanelMatrix(packing: wp.baseAddress!, inner: k, outputs: n, into: packed)
            a.withUnsafeBufferPointer { ap in
                bias.withUnsafeBufferPointer { bp in
                    let b = bp.baseAddress!
                    let epilogue: Gemm.Epilogue =
                        switch mode {
                        case .accumulate: .accumulate
                        case .bias: .bias(b)
                        case .addBias: .addBias(b)
                        case .biasGELU: .biasActivation(b, .gelu)
                        }
                    c.withUnsafeMutableBufferPointer { cp in
                        Gemm.panels(
                            ap.baseAddress!, rows: m, lda: k, weight: panels, into: cp.baseAddress!, ldc: n,
                            workers: workers, epilogue: epilogue)
                    }
                }
            }
        }
        var worst = 0.0
        for i in 0..<m {
            for j in 0..<n {
                var sum = Double(bias[j])
                for p in 0..<k { sum += Double(a[i * k + p]) * Double(w[p * n + j]) }
                switch mode {
                case .accumulate, .bias: break
                case .addBias: sum += Double(residual[i * n + j])
                case .biasGELU: sum = sum * 0.5 * (1 + erf(sum / 2.0.squareRoot()))
                }
                worst = max(worst, abs(sum - Double(c[i * n + j])))
            }
        }
        #expect(worst < 1e-4 * Double(k).squareRoot(), "\(mode) m \(m) k \(k) n \(n): max error \(worst)")
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

    @Test func panels_WritesOrAddsBias_WhenEpilogueCarriesIt() {
        for m in [1, 6, 16, 17, 40] {
            for mode in [Mode.bias, .addBias] {
                check(m: m, k: 37, n: 50, workers: 1, mode: mode)
                check(m: m, k: Gemm.innerChunk + 50, n: 29, workers: 2, mode: mode)  // chunked: bias goes in once
            }
        }
    }

    @Test func panels_AppliesBiasAndGELU_WhenEpilogueIsFused() {
        for m in [1, 6, 16, 17, 40] {
            check(m: m, k: 37, n: 50, workers: 1, mode: .biasGELU)
            check(m: m, k: 96, n: 203, workers: 2, mode: .biasGELU)
        }
    }

    @Test func panels_MatchNaiveProduct_WhenInnerDimensionSpansSeveralChunks() {
        // The panels are packed chunk by chunk (the last chunk shorter); every row count walks them chunk-wise.
        for m in [1, 16, 17, 70] {
            check(m: m, k: 2 * PanelMatrix.chunk + 17, n: 31, workers: 1)
            check(m: m, k: 3 * PanelMatrix.chunk, n: 13, workers: 2)
        }
    }

    @Test func panels_AppliesBiasAndGELU_WhenInnerDimensionIsChunked() {
        // k > innerChunk takes the bias-fill, accumulate, activate route, with one lane block or several.
        for m in [1, 16, 17, 33] {
            check(m: m, k: Gemm.innerChunk + 50, n: 29, workers: 2, mode: .biasGELU)
        }
    }

    /// Storing the rows of an `[out, in]` weight, in any split, lays out the same floats as packing its transpose.
    @Test(arguments: [(1, 1), (5, 7), (13, 6), (384, 1152), (1536, 20), (800, 13)])
    func panelMatrix_StoresRowsLikePackingTheTranspose(inner k: Int, outputs n: Int) {
        var generator = SplitMix64(seed: UInt64(k * 7919 + n))
        let weight = (0..<(n * k)).map { _ in Float(Int(generator.next() % 2_001) - 1_000) / 1_000 }  // [N, K]
        var transposed = [Float](repeating: 0, count: k * n)  // [K, N]
        for o in 0..<n {
            for i in 0..<k { transposed[i * n + o] = weight[o * k + i] }
        }
        let capacity = PanelMatrix.capacity(inner: k, outputs: n)
        let packed = UnsafeMutablePointer<Float>.allocate(capacity: capacity)
        let stored = UnsafeMutablePointer<Float>.allocate(capacity: capacity)
        defer {
            packed.deallocate()
            stored.deallocate()
        }
        let reference = transposed.withUnsafeBufferPointer {
            PanelMatrix(packing: $0.baseAddress!, inner: k, outputs: n, into: packed)
        }
        let matrix = PanelMatrix(zeroing: stored, inner: k, outputs: n)
        weight.withUnsafeBufferPointer { rows in
            // Uneven runs of rows, as a file streams them: 1 row, then 3, then the rest.
            var first = 0
            for size in [1, 3, n] where first < n {
                let count = Swift.min(size, n - first)
                matrix.store(
                    rows: UnsafeBufferPointer(rebasing: rows[(first * k)..<((first + count) * k)]), firstOutput: first)
                first += count
            }
        }
        let used = reference.panels * PanelMatrix.width * k
        #expect(
            Array(UnsafeBufferPointer(start: stored, count: used))
                == Array(UnsafeBufferPointer(start: packed, count: used)))
    }
}
