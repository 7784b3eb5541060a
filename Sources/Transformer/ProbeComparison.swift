// Shape legend: see Encoder.swift (n = the original sequence's length, n′ = the variant's, d, H).

/// How far a probe variant moved from its original sequence (README "Probes"), over aligned positions only.
///
///   pooled_cosine     = cos(pooled, pooled′)                              (nil when either has no pooled vector)
///   token_l2[i]       = ‖e_i − e′_a(i)‖₂,  token_cosine[i] = cos(e_i, e′_a(i))  (nil where i was dropped)
///   max_map_change[l][h] = max over kept i, j of |P_lh[i, j] − P′_lh[a(i), a(j)]|
/// with e the last hidden state's rows, a the ``ProbeVariant/alignment``, P the kept post-softmax maps. Sums are
/// in Double; a cosine with a zero vector is 0.
public struct ProbeComparison: Sendable, Equatable {
    public var pooledCosine: Float?
    /// [n], nil where dropped.
    public var tokenL2: [Float?]
    /// [n], nil where dropped.
    public var tokenCosine: [Float?]
    /// Per layer of `layers` (their order), per kept head (the maps' first axis); empty when no maps were kept.
    public var maxMapChange: [[Float]]

    /// Compares `probe` (a variant aligned by `alignment`) with `original`, for the maps of `layers`.
    public init(
        original: EncoderOutput, originalPooled: [Float]?, probe: EncoderOutput, probePooled: [Float]?,
        alignment: [Int?], layers: [Int]
    ) {
        if let a = originalPooled, let b = probePooled, a.count == b.count {
            pooledCosine = a.withUnsafeBufferPointer { x in
                b.withUnsafeBufferPointer { y in Self.cosine(x, y) }
            }
        } else {
            pooledCosine = nil
        }
        let e = original.lastHiddenState
        let f = probe.lastHiddenState
        let d = e.shape.count == 2 ? e.shape[1] : 0
        var l2: [Float?] = []
        var cosines: [Float?] = []
        e.storage.withUnsafeBufferPointer { x in
            f.storage.withUnsafeBufferPointer { y in
                for (i, a) in alignment.enumerated() {
                    guard let a else {
                        l2.append(nil)
                        cosines.append(nil)
                        continue
                    }
                    let u = UnsafeBufferPointer(rebasing: x[(i * d)..<((i + 1) * d)])
                    let v = UnsafeBufferPointer(rebasing: y[(a * d)..<((a + 1) * d)])
                    var squares = 0.0
                    for j in 0..<d {
                        let delta = Double(u[j]) - Double(v[j])
                        squares += delta * delta
                    }
                    l2.append(Float(squares.squareRoot()))
                    cosines.append(Self.cosine(u, v))
                }
            }
        }
        tokenL2 = l2
        tokenCosine = cosines
        var changes: [[Float]] = []
        for layer in layers {
            guard let p = original.attentions[layer], let q = probe.attentions[layer], p.shape.count == 3,
                q.shape.count == 3, p.shape[0] == q.shape[0]
            else { continue }
            let n = p.shape[1]
            let m = q.shape[1]
            var perHead: [Float] = []
            for h in 0..<p.shape[0] {
                var largest: Float = 0
                for i in 0..<n {
                    guard let ai = alignment[i] else { continue }
                    let row = (h * n + i) * n
                    let probeRow = (h * m + ai) * m
                    for j in 0..<n {
                        guard let aj = alignment[j] else { continue }
                        largest = Swift.max(largest, abs(p.storage[row + j] - q.storage[probeRow + aj]))
                    }
                }
                perHead.append(largest)
            }
            changes.append(perHead)
        }
        maxMapChange = changes
    }

    /// cos(u, v) = u·v / (‖u‖‖v‖), in Double; 0 when either is zero.
    static func cosine(_ u: UnsafeBufferPointer<Float>, _ v: UnsafeBufferPointer<Float>) -> Float {
        var dot = 0.0
        var uu = 0.0
        var vv = 0.0
        for j in 0..<Swift.min(u.count, v.count) {
            dot += Double(u[j]) * Double(v[j])
            uu += Double(u[j]) * Double(u[j])
            vv += Double(v[j]) * Double(v[j])
        }
        let norms = (uu * vv).squareRoot()
        return norms > 0 ? Float(dot / norms) : 0
    }
}
