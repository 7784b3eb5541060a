import CBLAS

// Shapes are [rows, columns], row-major; M = rows of the activations (tokens), K = inputs, N = outputs.

/// Matrix products: the encoder's linear layers through pre-packed panels (`Gemm.panels`), attention and any
/// weight without panels through `cblas_sgemm`, row-major, split over `Compute.threads` workers.
enum Gemm {
    /// `C[M, N] += A[M, K] · Wt[K, N]` through OpenBLAS, for a weight stored transposed, [in, out], without panels
    /// (the encoder's own layers run in `Gemm.panels`; this serves the sgemm peak of `attend bench` and the
    /// OpenBLAS column of `attend bench --products`). Tall products split into row blocks, short ones (few tokens)
    /// into column blocks of the weight, so each worker runs one single-threaded sgemm of a useful size.
    static func linear(
        _ a: UnsafePointer<Float>, rows m: Int, inner k: Int, weight w: UnsafePointer<Float>, outputs n: Int,
        into c: UnsafeMutablePointer<Float>, workers: Int
    ) {
        if workers <= 1 || m * n * k < 1 << 18 {
            sgemm(a, m, k, w, n, ldb: n, c, ldc: n)
        } else if m >= 32 * workers {
            Compute.parallelRanges(m, parts: workers, granule: 8) { r in
                sgemm(a + r.lowerBound * k, r.count, k, w, n, ldb: n, c + r.lowerBound * n, ldc: n)
            }
        } else {
            Compute.parallelRanges(n, parts: workers, granule: 16) { r in
                sgemm(a, m, k, w + r.lowerBound, r.count, ldb: n, c + r.lowerBound, ldc: n)
            }
        }
    }

    @inline(__always)
    private static func sgemm(
        _ a: UnsafePointer<Float>, _ m: Int, _ k: Int, _ w: UnsafePointer<Float>, _ n: Int, ldb: Int,
        _ c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        cblas_sgemm(
            CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(m), Int32(n), Int32(k), 1, a, Int32(k), w, Int32(ldb), 1,
            c, Int32(ldc))
    }

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
