import CBLAS
import Transformer

extension Gemm {
    /// `C[M, N] += A[M, K] · Wt[K, N]` through OpenBLAS, for a weight stored transposed, [in, out], without panels:
    /// the sgemm peak of `attend bench` and the OpenBLAS column of `attend bench --products` (the encoder's own
    /// layers run in `Gemm.panels`). Tall products split into row blocks, short ones (few tokens) into column blocks
    /// of the weight, so each of `workers` runs one single-threaded sgemm of a useful size.
    static func linear(
        _ a: UnsafePointer<Float>, rows m: Int, inner k: Int, weight w: UnsafePointer<Float>, outputs n: Int,
        into c: UnsafeMutablePointer<Float>, workers: Int
    ) {
        if workers <= 1 || m * n * k < 1 << 18 {
            sgemm(a, m, k, w, n, ldb: n, c, ldc: n)
        } else if m >= 32 * workers {
            BenchmarkHooks.parallelRanges(m, parts: workers, granule: 8) { r in
                sgemm(a + r.lowerBound * k, r.count, k, w, n, ldb: n, c + r.lowerBound * n, ldc: n)
            }
        } else {
            BenchmarkHooks.parallelRanges(n, parts: workers, granule: 16) { r in
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
            CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(m), Int32(n), Int32(k), 1, a, Int32(k), w,
            Int32(ldb), 1, c, Int32(ldc))
    }
}
