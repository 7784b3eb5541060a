/// A linear layer's weight packed once for `Gemm.panels`: panels of 16 outputs, each stored k-major,
/// `[⌈N/16⌉][K][16]`, the last panel zero-padded. A product then streams each panel contiguously (one 64-byte line
/// per inner index), with no per-call packing of the weight.
struct PanelMatrix: @unchecked Sendable {
    /// Outputs per panel.
    static let width = 16

    /// `[panels][inner][16]` floats, owned by whoever allocated them.
    let base: UnsafeMutablePointer<Float>
    /// K, the inputs.
    let inner: Int
    /// N, the outputs.
    let outputs: Int

    /// Number of panels, ⌈N/16⌉.
    var panels: Int { Self.panels(outputs) }

    static func panels(_ outputs: Int) -> Int { (outputs + width - 1) / width }

    /// Floats needed for a K × N weight.
    static func capacity(inner: Int, outputs: Int) -> Int { panels(outputs) * width * inner }

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
