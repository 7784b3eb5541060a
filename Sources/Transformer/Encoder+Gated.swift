// The gated feed-forward (GeGLU, ModernBERT). Shape legend: see Encoder.swift (f).

extension Encoder {
    /// The gate of a gated feed-forward, in place over `rows` rows of `inner` [rows, 2f] (row stride 2f, u in
    /// columns 0..<f, g in f..<2f): u ← act(u) ⊙ g, as `transformers`' `ModernBertMLP` (`input, gate = Wi(x)
    /// .chunk(2)`, `act(input) * gate`). Columns f..<2f are left as they were.
    func gate(_ inner: UnsafeMutablePointer<Float>, rows: Int, width f: Int, workers: Int) {
        let activation = configuration.activation
        rowPass(0..<rows, width: 2 * f, workers: workers) { t in
            let u = inner + t * 2 * f
            let g = u + f
            Kernels.activate(u, count: f, activation: activation)
            var j = 0
            while j + 16 <= f {
                u.setVec(j, u.vec(j) * g.vec(j))
                j += 16
            }
            while j < f {
                u[j] *= g[j]
                j += 1
            }
        }
    }
}
