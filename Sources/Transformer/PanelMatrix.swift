/// A linear layer's weight packed once for `Gemm.panels`: panels of 6 outputs, each stored k-major,
/// `[⌈N/6⌉][K][6]`, the last panel zero-padded. A product then reads each panel as one contiguous stream of
/// 24 bytes per inner index (one stream is what the hardware prefetcher follows best), with no per-call packing.
struct PanelMatrix: @unchecked Sendable {
    /// Outputs per panel.
    static let width = 6

    /// `[panels][inner][6]` floats, owned by whoever allocated them.
    let base: UnsafeMutablePointer<Float>
    /// K, the inputs.
    let inner: Int
    /// N, the outputs.
    let outputs: Int

    /// Number of panels, ⌈N/6⌉.
    var panels: Int { Self.panels(outputs) }

    static func panels(_ outputs: Int) -> Int { (outputs + width - 1) / width }

    /// Floats needed for a K × N weight (rounded up to a whole 64-byte line).
    static func capacity(inner: Int, outputs: Int) -> Int { (panels(outputs) * width * inner + 15) & ~15 }

    /// Packs the row-major `[K, N]` matrix `transposed` (a weight stored [in, out]) into `base`, which must hold
    /// `capacity(inner:outputs:)` floats.
    init(packing transposed: UnsafePointer<Float>, inner k: Int, outputs n: Int, into base: UnsafeMutablePointer<Float>)
    {
        self.base = base
        inner = k
        outputs = n
        let w = Self.width
        for panel in 0..<Self.panels(n) {
            let column = panel * w
            let count = Swift.min(w, n - column)
            let destination = base + panel * k * w
            for i in 0..<k {
                let row = destination + i * w
                for j in 0..<w { row[j] = j < count ? transposed[i * n + column + j] : 0 }
            }
        }
    }
}
