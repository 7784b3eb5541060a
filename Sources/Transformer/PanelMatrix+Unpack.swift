extension PanelMatrix {
    /// Writes the weight back as the row-major `[K, N]` matrix it was packed from (x·W convention: row k = input
    /// k), into `out`, which holds K·N floats. The inverse of ``init(packing:inner:outputs:into:)``.
    func unpack(into out: UnsafeMutablePointer<Float>) {
        let w = Self.width
        let count = panels
        var k0 = 0
        while k0 < inner {
            let kc = Swift.min(Self.chunk, inner - k0)
            for panel in 0..<count {
                let column = panel * w
                let used = Swift.min(w, outputs - column)
                let source = base + (count * k0 + panel * kc) * w
                for i in 0..<kc {
                    let row = out + (k0 + i) * outputs + column
                    for j in 0..<used { row[j] = source[i * w + j] }
                }
            }
            k0 += kc
        }
    }
}
