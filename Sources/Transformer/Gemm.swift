import CBLAS

// Shapes are [rows, columns], row-major; M = rows of the activations (tokens), K = inputs, N = outputs.

/// Matrix products: the encoder's linear layers through pre-packed panels (`Gemm.panels`), attention through
/// `cblas_sgemm`, row-major, split over `Compute.threads` workers. (`package`: the Benchmarks target times the
/// panel products and adds its OpenBLAS comparison, `Gemm.linear`.)
package enum Gemm {
    /// `C[m, n] = alpha · A[m, k] · B[n, k]ᵀ` with leading dimensions (attention scores Q·Kᵀ).
    @inline(__always)
    static func abT(
        _ a: UnsafePointer<Float>, lda: Int, _ b: UnsafePointer<Float>, ldb: Int, m: Int, n: Int, k: Int,
        alpha: Float, into c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        cblas_sgemm(
            CblasRowMajor, CblasNoTrans, CblasTrans, Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b,
            Int32(ldb), 0, c, Int32(ldc))
    }

    /// `C[m, n] = A[m, k] · B[k, n]` with leading dimensions (attention context P·V).
    @inline(__always)
    static func ab(
        _ a: UnsafePointer<Float>, lda: Int, _ b: UnsafePointer<Float>, ldb: Int, m: Int, n: Int, k: Int,
        into c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        cblas_sgemm(
            CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(m), Int32(n), Int32(k), 1, a, Int32(lda), b,
            Int32(ldb), 0, c, Int32(ldc))
    }
}
