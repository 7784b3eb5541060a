import Foundation

// Rotary position embeddings (RoPE) on queries and keys. Shape legend: see Encoder.swift (T, d, H, dh, P).

extension Encoder {
    /// cos then sin of every angle a[p, k] = p · θ^(−2k/dh), p < `positions`, k < dh/2, into 2 · positions · dh/2
    /// floats at `table` ([P, dh/2] cos, then [P, dh/2] sin). As `transformers`' `ModernBertRotaryEmbedding` in
    /// float32: inv_freq[k] = 1 / θ^(float(2k) / dh) (the power rounded to float), a = float(p) · inv_freq[k]
    /// rounded to float (for long sequences the rounding of the angle matters more than that of cos), then cos and
    /// sin of that float angle.
    static func rotaryTable(
        positions: Int, headSize dh: Int, theta: Double, into table: UnsafeMutablePointer<Float>
    ) {
        let half = dh / 2
        let sines = table + positions * half
        let base = Double(Float(theta))
        let inverse = (0..<half).map { k -> Float in
            let exponent = Float(2 * k) / Float(dh)
            return 1 / Float(Foundation.pow(base, Double(exponent)))
        }
        for p in 0..<positions {
            for k in 0..<half {
                let angle = Double(Float(p) * inverse[k])
                table[p * half + k] = Float(Foundation.cos(angle))
                sines[p * half + k] = Float(Foundation.sin(angle))
            }
        }
    }

    /// Rotates the query and key of every head of `rows` of qkv [T, 3d] in place by their tokens' positions, with
    /// layer l's table (local or global θ), rotate-half style: with h = dh/2, c = cos a[p, k], s = sin a[p, k],
    /// x'[k] = x[k]·c − x[k+h]·s and x'[k+h] = x[k+h]·c + x[k]·s for k < h.
    func rotate(_ l: Int, rows: Range<Int>, plan: BatchPlan, qkv: UnsafeMutablePointer<Float>, workers: Int) {
        guard let tables = parameters.rotary else { return }
        let c = configuration
        let d = c.hiddenSize
        let dh = c.headSize
        let half = dh / 2
        let cosines = c.isLocal(layer: l) ? tables.local : tables.global
        let sines = cosines + c.maxPositions * half
        plan.positions.withUnsafeBufferPointer { positions in
            rowPass(rows, width: 2 * d, workers: workers) { t in
                let p = Int(positions[t])
                let cosine = cosines + p * half
                let sine = sines + p * half
                let row = qkv + t * 3 * d  // queries [d], then keys [d]
                for head in 0..<(2 * c.heads) {
                    let x = row + head * dh
                    for k in 0..<half {
                        let first = x[k]
                        let second = x[k + half]
                        x[k] = first * cosine[k] - second * sine[k]
                        x[k + half] = second * cosine[k] + first * sine[k]
                    }
                }
            }
        }
    }
}
