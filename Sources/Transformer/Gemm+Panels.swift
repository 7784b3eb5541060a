// A register-blocked product against weights pre-packed as `PanelMatrix`, for products with few rows (tokens).
//
// OpenBLAS packs its B operand on every call; with few rows the weight is read once per call anyway, so that
// packing doubles the memory traffic of a pass whose layer weights (42 MB for MiniLM-L6) do not fit the cache.
// Here the weight is packed once at init and each 6 × 16 tile of C lives in 12 ymm accumulators (AVX2 + FMA):
// per inner index, two 8-float loads of the panel, six broadcasts of A, twelve fused multiply-adds.

private typealias V8 = SIMD8<Float>

extension Gemm {
    /// Rows per register tile.
    static let tileRows = 6
    /// Inner indices per pass over a panel's row tiles (8 KB of the panel).
    static let innerChunk = 128

    /// `C[M, N] += A[M, K] · W[K, N]` with W packed as panels (C holds the bias, or the residual plus bias).
    ///
    /// The panels are split over `workers` (each worker owns whole column blocks of C); every worker walks its
    /// panels in order and, for each, all row tiles, so a panel is read from memory once and then hits L1/L2.
    static func panels(
        _ a: UnsafePointer<Float>, rows m: Int, lda: Int, weight w: PanelMatrix, into c: UnsafeMutablePointer<Float>,
        ldc: Int, workers: Int
    ) {
        let parts = m * w.outputs * w.inner < 1 << 16 ? 1 : workers
        Compute.parallelRanges(w.panels, parts: parts) { range in
            panelRange(a, rows: m, lda: lda, weight: w, panels: range, into: c, ldc: ldc)
        }
    }

    /// One worker's share: panels `range`, every row.
    private static func panelRange(
        _ a: UnsafePointer<Float>, rows m: Int, lda: Int, weight w: PanelMatrix, panels range: Range<Int>,
        into c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        let k = w.inner
        let width = PanelMatrix.width
        let tr = tileRows
        withUnsafeTemporaryAllocation(of: Float.self, capacity: tr * width) { scratchBuffer in
            let scratch = scratchBuffer.baseAddress!
            for panel in range {
                let column = panel * width
                let columns = Swift.min(width, w.outputs - column)
                // The panel is walked in chunks of the inner dimension, every row tile per chunk: the first tile
                // pulls a chunk from memory while the hardware prefetcher runs ahead during the others.
                var k0 = 0
                while k0 < k {
                    let kn = Swift.min(innerChunk, k - k0)
                    let b = UnsafePointer(w.base + (panel * k + k0) * width)
                    var r0 = 0
                    while r0 < m {
                        let rows = Swift.min(tr, m - r0)
                        let aTile = a + r0 * lda + k0
                        let cTile = c + r0 * ldc + column
                        if columns == width {
                            // Rows past the end (a last, short tile) go to the scratch tile and are dropped.
                            tile(aTile, lda: lda, rows: rows, b, k: kn, cTile, ldc: ldc, spill: scratch)
                        } else {
                            // Last, narrow panel: the whole tile goes through the scratch tile.
                            for r in 0..<tr {
                                for j in 0..<width {
                                    scratch[r * width + j] = r < rows && j < columns ? cTile[r * ldc + j] : 0
                                }
                            }
                            tile(aTile, lda: lda, rows: tr, b, k: kn, scratch, ldc: width, spill: scratch)
                            for r in 0..<rows {
                                for j in 0..<columns { cTile[r * ldc + j] = scratch[r * width + j] }
                            }
                        }
                        r0 += tr
                    }
                    k0 += kn
                }
            }
        }
    }

    /// The 6 × 16 register tile: `C[rows, 16] += A[rows, K] · B[K, 16]` for rows ≤ 6. The missing rows repeat the
    /// last row of A and read and write `spill` (a 6 × 16 scratch tile) instead of C.
    @inline(__always)
    private static func tile(
        _ a: UnsafePointer<Float>, lda: Int, rows: Int, _ b: UnsafePointer<Float>, k: Int,
        _ c: UnsafeMutablePointer<Float>, ldc: Int, spill: UnsafeMutablePointer<Float>
    ) {
        let a0 = a
        let a1 = a + Swift.min(1, rows - 1) * lda
        let a2 = a + Swift.min(2, rows - 1) * lda
        let a3 = a + Swift.min(3, rows - 1) * lda
        let a4 = a + Swift.min(4, rows - 1) * lda
        let a5 = a + Swift.min(5, rows - 1) * lda
        let c0 = c
        let c1 = rows > 1 ? c + ldc : spill + 16
        let c2 = rows > 2 ? c + 2 * ldc : spill + 32
        let c3 = rows > 3 ? c + 3 * ldc : spill + 48
        let c4 = rows > 4 ? c + 4 * ldc : spill + 64
        let c5 = rows > 5 ? c + 5 * ldc : spill + 80
        var s00 = load(c0)
        var s01 = load(c0 + 8)
        var s10 = load(c1)
        var s11 = load(c1 + 8)
        var s20 = load(c2)
        var s21 = load(c2 + 8)
        var s30 = load(c3)
        var s31 = load(c3 + 8)
        var s40 = load(c4)
        var s41 = load(c4 + 8)
        var s50 = load(c5)
        var s51 = load(c5 + 8)
        var bp = b
        for p in 0..<k {
            let b0 = load(bp)
            let b1 = load(bp + 8)
            var x = V8(repeating: a0[p])
            s00 = s00.addingProduct(x, b0)
            s01 = s01.addingProduct(x, b1)
            x = V8(repeating: a1[p])
            s10 = s10.addingProduct(x, b0)
            s11 = s11.addingProduct(x, b1)
            x = V8(repeating: a2[p])
            s20 = s20.addingProduct(x, b0)
            s21 = s21.addingProduct(x, b1)
            x = V8(repeating: a3[p])
            s30 = s30.addingProduct(x, b0)
            s31 = s31.addingProduct(x, b1)
            x = V8(repeating: a4[p])
            s40 = s40.addingProduct(x, b0)
            s41 = s41.addingProduct(x, b1)
            x = V8(repeating: a5[p])
            s50 = s50.addingProduct(x, b0)
            s51 = s51.addingProduct(x, b1)
            bp += 16
        }
        store(s00, c0)
        store(s01, c0 + 8)
        store(s10, c1)
        store(s11, c1 + 8)
        store(s20, c2)
        store(s21, c2 + 8)
        store(s30, c3)
        store(s31, c3 + 8)
        store(s40, c4)
        store(s41, c4 + 8)
        store(s50, c5)
        store(s51, c5 + 8)
    }

    @inline(__always)
    private static func load(_ p: UnsafePointer<Float>) -> V8 {
        UnsafeRawPointer(p).loadUnaligned(as: V8.self)
    }

    @inline(__always)
    private static func load(_ p: UnsafeMutablePointer<Float>) -> V8 {
        UnsafeRawPointer(p).loadUnaligned(as: V8.self)
    }

    @inline(__always)
    private static func store(_ v: V8, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: V8.self)
    }
}
