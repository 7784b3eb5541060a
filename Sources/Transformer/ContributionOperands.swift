import Foundation

// Shape legend: see Encoder.swift (d, L).

/// The token contributions' per-layer constant operands, built once per encoder on the first pass that needs them
/// and kept with it (``Encoder/contributionOperandBytes``): the output projection of every layer unpacked from its
/// panels, and the same projection with the first LayerNorm's linear part folded in.
///
/// - ``Kind/projection``: W_O [d, d] (x·W: row k = input k), so f_h(x_j) = V_h[j] · W_O,h with W_O,h its rows
///   h·dh..<(h+1)·dh.
/// - ``Kind/centred``: Ŵ_O [d, d], Ŵ_O[k, c] = γ₁[c] · (W_O[k, c] − mean_c′ W_O[k, c′]) = (W_O C Γ₁)[k, c], so
///   V_h[j] · Ŵ_O,h = γ₁ ⊙ C f_h(x_j) (C centres a row vector: C f = f − mean(f), and v W C = C (v W)), the vector
///   `norm_res_ln`, ALTI and GlobEnc decompose, without centring each f_h(x_j) of each pass.
///
/// - ``Kind/headGrams``: M_h = W_O,h W_O,hᵀ [dh, dh] per head ([H, dh, dh], summed in `Double`), so
///   ‖f_h(x_j)‖² = V_h[j] M_h V_h[j]ᵀ: `norm_heads` on its own needs no f_h(x_j).
///
/// Layout of the first two: head h's block W_h [dh, d] starts at h·dh·d either way. With d a multiple of 16 it is stored as strips
/// of 16 columns, `[d/16][dh][16]` (strip c0/16 at c0·dh, row stride 16), so the register tile of
/// ``Encoder/contributions(layer:b:plan:ws:selection:store:scratch:workers:)`` reads each strip as one contiguous
/// 2 KB run (dh = 32); otherwise row-major [dh, d] (row stride d), for OpenBLAS.
final class ContributionOperands: @unchecked Sendable {
    /// Which operand.
    enum Kind: Int, CaseIterable {
        case projection
        case centred
        case headGrams
    }

    private let lock = NSLock()
    /// Per kind, [L, d, d] once built.
    private var built: [UnsafeMutablePointer<Float>?] = Array(repeating: nil, count: Kind.allCases.count)

    /// Floats of one layer's operand of `kind`: d² (H·dh² for ``Kind/headGrams``).
    static func layerFloats(_ kind: Kind, _ c: EncoderConfiguration) -> Int {
        let d = c.hiddenSize
        return kind == .headGrams ? d * (d / c.heads) : d * d
    }

    /// Floats of every kind for `configuration`: L · (2d² + H·dh²).
    static func floats(_ c: EncoderConfiguration) -> Int {
        Kind.allCases.reduce(0) { $0 + c.layers * layerFloats($1, c) }
    }

    /// Layer l's operand of `kind` for `parameters`, building all L layers of that kind on first use.
    func operand(
        _ kind: Kind, layer l: Int, parameters: PackedParameters, configuration c: EncoderConfiguration
    ) -> UnsafePointer<Float> {
        let d = c.hiddenSize
        let dh = d / c.heads
        let size = Self.layerFloats(kind, c)
        lock.lock()
        defer { lock.unlock() }
        if let base = built[kind.rawValue] { return UnsafePointer(base + l * size) }
        let base = UnsafeMutablePointer<Float>.allocate(capacity: Swift.max(1, c.layers * size))
        let rowMajor = UnsafeMutablePointer<Float>.allocate(capacity: d * d)
        defer { rowMajor.deallocate() }
        for (layer, w) in parameters.layers.enumerated() {
            let out = base + layer * size
            w.attentionOutputPanels.unpack(into: rowMajor)
            switch kind {
            case .headGrams:
                for h in 0..<c.heads {
                    Self.rowGram(rowMajor + h * dh * d, rows: dh, width: d, into: out + h * dh * dh)
                }
                continue
            case .centred: Self.centreRows(rowMajor, rows: d, width: d, gamma: w.attentionNormWeight)
            case .projection: break
            }
            if d % 16 == 0 {
                Self.strips(rowMajor, rows: d, width: d, block: dh, into: out)
            } else {
                out.update(from: rowMajor, count: d * d)
            }
        }
        built[kind.rawValue] = base
        return UnsafePointer(base + l * size)
    }

    /// out[a, b] = Σ_c w[a, c] · w[b, c] [rows, rows] for the row-major [rows, width] `w` (summed in `Double`).
    static func rowGram(_ w: UnsafePointer<Float>, rows: Int, width: Int, into out: UnsafeMutablePointer<Float>) {
        for a in 0..<rows {
            for b in a..<rows {
                var total = 0.0
                for c in 0..<width { total += Double(w[a * width + c]) * Double(w[b * width + c]) }
                out[a * rows + b] = Float(total)
                out[b * rows + a] = Float(total)
            }
        }
    }

    /// Which kinds are built (for tests and the memory figure).
    var builtKinds: [Kind] {
        lock.lock()
        defer { lock.unlock() }
        return Kind.allCases.filter { built[$0.rawValue] != nil }
    }

    /// w[k, c] = γ[c] · (w[k, c] − mean_c′ w[k, c′]) for each of the `rows` rows (the mean summed in `Double`).
    static func centreRows(_ w: UnsafeMutablePointer<Float>, rows: Int, width: Int, gamma: UnsafePointer<Float>) {
        for k in 0..<rows {
            let row = w + k * width
            var total = 0.0
            for c in 0..<width { total += Double(row[c]) }
            let mean = Float(total / Double(width))
            for c in 0..<width { row[c] = gamma[c] * (row[c] - mean) }
        }
    }

    /// The row-major [rows, width] matrix `w` (width a multiple of 16) as blocks of `block` rows, each block
    /// `[width/16][block][16]`: element [r, c] of block r / block at (r / block)·block·width + (c / 16)·block·16 +
    /// (r % block)·16 + c % 16.
    static func strips(
        _ w: UnsafePointer<Float>, rows: Int, width: Int, block: Int, into out: UnsafeMutablePointer<Float>
    ) {
        for r in 0..<rows {
            let head = out + (r / block) * block * width + (r % block) * 16
            for c0 in stride(from: 0, to: width, by: 16) {
                (head + c0 * block).update(from: w + r * width + c0, count: 16)
            }
        }
    }

    deinit {
        for base in built { base?.deallocate() }
    }
}
