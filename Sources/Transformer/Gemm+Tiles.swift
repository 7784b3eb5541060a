// The 6 × 16 register tile with strided operands, for the attention products (no packing of Q, P or V).
//
// Shapes: A [rows ≤ 6, K] at row stride lda (each element broadcast), B [K, 16] at row stride ldb (two 8-float
// loads per row), C [rows, 16] at row stride ldc. Twelve ymm accumulators (AVX2 + FMA): per inner index two loads
// of B, six broadcasts of A, twelve fused multiply-adds.

private typealias V8 = SIMD8<Float>

extension Gemm {
    /// `C[r, 0..<16] = scale · Σ_p A[r, p] · B[p, 0..<16]` for r < rows ≤ 6. Rows past `rows` repeat A's last row
    /// and are written to `spill` (96 floats) instead of C.
    @inline(__always)
    static func tile6x16(
        _ a: UnsafePointer<Float>, lda: Int, rows: Int, _ b: UnsafePointer<Float>, ldb: Int, k: Int,
        _ c: UnsafeMutablePointer<Float>, ldc: Int, scale: Float, spill: UnsafeMutablePointer<Float>
    ) {
        let a0 = a
        let a1 = a + Swift.min(1, rows - 1) * lda
        let a2 = a + Swift.min(2, rows - 1) * lda
        let a3 = a + Swift.min(3, rows - 1) * lda
        let a4 = a + Swift.min(4, rows - 1) * lda
        let a5 = a + Swift.min(5, rows - 1) * lda
        var s00 = V8.zero
        var s01 = V8.zero
        var s10 = V8.zero
        var s11 = V8.zero
        var s20 = V8.zero
        var s21 = V8.zero
        var s30 = V8.zero
        var s31 = V8.zero
        var s40 = V8.zero
        var s41 = V8.zero
        var s50 = V8.zero
        var s51 = V8.zero
        var bp = b
        for p in 0..<k {
            let b0 = UnsafeRawPointer(bp).loadUnaligned(as: V8.self)
            let b1 = UnsafeRawPointer(bp + 8).loadUnaligned(as: V8.self)
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
            bp += ldb
        }
        let f = V8(repeating: scale)
        let c0 = c
        let c1 = rows > 1 ? c + ldc : spill + 16
        let c2 = rows > 2 ? c + 2 * ldc : spill + 32
        let c3 = rows > 3 ? c + 3 * ldc : spill + 48
        let c4 = rows > 4 ? c + 4 * ldc : spill + 64
        let c5 = rows > 5 ? c + 5 * ldc : spill + 80
        store(s00 * f, c0)
        store(s01 * f, c0 + 8)
        store(s10 * f, c1)
        store(s11 * f, c1 + 8)
        store(s20 * f, c2)
        store(s21 * f, c2 + 8)
        store(s30 * f, c3)
        store(s31 * f, c3 + 8)
        store(s40 * f, c4)
        store(s41 * f, c4 + 8)
        store(s50 * f, c5)
        store(s51 * f, c5 + 8)
    }

    @inline(__always)
    private static func store(_ v: V8, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: V8.self)
    }
}
