/// A linear layer's weight packed once for `Gemm.panels`: panels of 6 outputs, stored chunk by chunk of the inner
/// dimension, `[⌈K/chunk⌉][⌈N/6⌉][kc][6]` (kc = `chunk`, or what is left of K in the last chunk), the last panel
/// zero-padded. A product walks one inner chunk at a time over a run of panels, and that run is one contiguous
/// stream of 24 bytes per inner index (one stream is what the hardware prefetcher and the kernel's prefetch hint
/// follow best), with no per-call packing. With K ≤ `chunk` this is plain `[⌈N/6⌉][K][6]`.
package struct PanelMatrix: @unchecked Sendable {
    /// Outputs per panel.
    static let width = 6
    /// Inner indices per chunk: a chunk of 16 tokens' transposed activations (24 KB) stays in L1, of a 64-row block
    /// (96 KB) in L2.
    static let chunk = 384

    /// `[panels][inner][6]` floats, owned by whoever allocated them.
    package let base: UnsafeMutablePointer<Float>
    /// K, the inputs.
    package let inner: Int
    /// N, the outputs.
    package let outputs: Int

    /// Number of panels, ⌈N/6⌉.
    var panels: Int { Self.panels(outputs) }

    static func panels(_ outputs: Int) -> Int { (outputs + width - 1) / width }

    /// Where panel `panel`'s inner chunk starting at `k0` (a multiple of `chunk`) begins: `[kc][6]` floats.
    @inline(__always)
    func panel(_ panel: Int, chunkAt k0: Int) -> UnsafePointer<Float> {
        let kc = Swift.min(Self.chunk, inner - k0)
        return UnsafePointer(base + (panels * k0 + panel * kc) * Self.width)
    }

    /// Floats needed for a K × N weight (rounded up to a whole 64-byte line).
    package static func capacity(inner: Int, outputs: Int) -> Int { (panels(outputs) * width * inner + 15) & ~15 }

    /// Packs the row-major `[K, N]` matrix `transposed` (a weight stored [in, out]) into `base`, which must hold
    /// `capacity(inner:outputs:)` floats.
    package init(
        packing transposed: UnsafePointer<Float>, inner k: Int, outputs n: Int, into base: UnsafeMutablePointer<Float>
    ) {
        self.base = base
        inner = k
        outputs = n
        let w = Self.width
        let count = Self.panels(n)
        var k0 = 0
        while k0 < k {
            let kc = Swift.min(Self.chunk, k - k0)
            for panel in 0..<count {
                let column = panel * w
                let used = Swift.min(w, n - column)
                let destination = base + (count * k0 + panel * kc) * w
                for i in 0..<kc {
                    let row = destination + i * w
                    for j in 0..<w { row[j] = j < used ? transposed[(k0 + i) * n + column + j] : 0 }
                }
            }
            k0 += kc
        }
    }

    /// An all-zero K × N weight at `base` (which must hold `capacity(inner:outputs:)` floats), to be filled with
    /// ``store(rows:firstOutput:)``.
    init(zeroing base: UnsafeMutablePointer<Float>, inner k: Int, outputs n: Int) {
        self.base = base
        inner = k
        outputs = n
        base.initialize(repeating: 0, count: Self.capacity(inner: k, outputs: n))
    }

    /// Stores whole rows of a weight kept `[out, in]` (PyTorch's layout: `rows.count / inner` rows of K inputs) as
    /// the outputs from `firstOutput` on: output o's inner index i lands in lane o % 6 of panel o / 6 in i's chunk,
    /// where ``init(packing:inner:outputs:into:)`` puts element [i, o] of the transpose. Packing an `[out, in]`
    /// weight row by row this way needs no transposed copy.
    func store(rows: UnsafeBufferPointer<Float>, firstOutput: Int) {
        guard let source = rows.baseAddress, inner > 0 else { return }
        let k = inner
        let w = Self.width
        let count = panels
        let rowCount = rows.count / k
        precondition(firstOutput >= 0 && firstOutput + rowCount <= outputs, "rows past the matrix's outputs")
        for r in 0..<rowCount {
            let output = firstOutput + r
            let panel = output / w
            let row = source + r * k
            var k0 = 0
            while k0 < k {
                let kc = Swift.min(Self.chunk, k - k0)
                // Chunk k0 starts at count * k0 * w; within it panel p starts at p * kc * w.
                let destination = base + (count * k0 + panel * kc) * w + output % w
                for i in 0..<kc { destination[i * w] = row[k0 + i] }
                k0 += kc
            }
        }
    }
}
