import Foundation
import Transformer

extension EncoderBenchmark {
    /// One measured linear-layer product.
    public struct ProductRow: Sendable {
        /// Rows (tokens), inputs, outputs.
        public var m: Int
        public var k: Int
        public var n: Int
        /// Workers used.
        public var workers: Int
        /// Whether the weight came from memory (a different copy each call, together larger than the L3 cache).
        public var cold: Bool
        /// GFLOP/s of the packed-panel product (`Gemm.panels`).
        public var panelGigaflops: Double
        /// GFLOP/s of the same product through `Gemm.linear` without panels (OpenBLAS).
        public var blasGigaflops: Double
    }

    /// Times the linear-layer products of a MiniLM pass (`C[m, n] += A[m, k] · W[k, n]`) through the packed panels
    /// and through OpenBLAS, with the weight hot in cache and cold (rotating over copies totalling ≥ 64 MB); the
    /// best of many four-call timings.
    public static func productCosts(seconds: Double = 0.5) -> [ProductRow] {
        let shapes = [
            (16, 384, 1152), (16, 384, 1536), (16, 1536, 384), (64, 384, 1536), (64, 1536, 384), (128, 384, 1536),
            (256, 384, 1536), (256, 1536, 384),
        ]
        var rows: [ProductRow] = []
        for (m, k, n) in shapes {
            let copies = Swift.max(1, (64 << 20) / (k * n * 4))
            let a = UnsafeMutablePointer<Float>.allocate(capacity: m * k)
            let c = UnsafeMutablePointer<Float>.allocate(capacity: m * n)
            let plain = UnsafeMutablePointer<Float>.allocate(capacity: copies * k * n)
            let packedCapacity = PanelMatrix.capacity(inner: k, outputs: n)
            let packed = UnsafeMutablePointer<Float>.allocate(capacity: copies * packedCapacity)
            defer {
                a.deallocate()
                c.deallocate()
                plain.deallocate()
                packed.deallocate()
            }
            var generator = BenchmarkHooks.Random(seed: 7)
            for i in 0..<(m * k) { a[i] = Float(generator.next() % 1000) / 1000 - 0.5 }
            for i in 0..<(copies * k * n) { plain[i] = Float(generator.next() % 1000) / 1000 - 0.5 }
            c.initialize(repeating: 0, count: m * n)
            let panels = (0..<copies).map {
                PanelMatrix(
                    packing: plain + $0 * k * n, inner: k, outputs: n, into: packed + $0 * packedCapacity)
            }
            for workers in Set([1, Compute.threads]).sorted() {
                for cold in [false, true] {
                    // The best of many short timings: this VM's shared caches and clock make averages swing.
                    func rate(_ body: (Int) -> Void) -> Double {
                        var calls = 0
                        body(0)
                        let start = Date()
                        var best = Double.infinity
                        while Date().timeIntervalSince(start) < seconds {
                            let t0 = Date()
                            for _ in 0..<4 {
                                body(cold ? calls % copies : 0)
                                calls += 1
                            }
                            best = Swift.min(best, Date().timeIntervalSince(t0) / 4)
                        }
                        return 2 * Double(m * k * n) / best / 1e9
                    }
                    let panel = rate { i in
                        Gemm.panels(a, rows: m, lda: k, weight: panels[i], into: c, ldc: n, workers: workers)
                    }
                    let blas = rate { i in
                        Gemm.linear(
                            a, rows: m, inner: k, weight: plain + i * k * n, outputs: n, into: c, workers: workers)
                    }
                    rows.append(
                        ProductRow(
                            m: m, k: k, n: n, workers: workers, cold: cold, panelGigaflops: panel,
                            blasGigaflops: blas))
                }
            }
        }
        return rows
    }
}
