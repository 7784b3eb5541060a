// Shape legend: see Encoder.swift (n, H).

/// One sequence's contribution matrices while the pass writes them: one block of floats, measure after measure
/// (``KeptSelection/contributionMeasures``), kept layer after kept layer, each [n, n] (``ContributionMeasure/
/// normHeads``: [heads, n, n]). Turned into ``EncoderOutput/contributions`` and released when the pass ends.
final class ContributionStore {
    let length: Int
    let measures: [ContributionMeasure]
    let layers: [Int]
    let heads: Int
    private(set) var base: UnsafeMutablePointer<Float>?

    init(_ selection: KeptSelection, length n: Int) {
        length = n
        measures = selection.contributionMeasures
        layers = selection.contributionLayers
        heads = selection.heads.count
        let total = Self.floats(measures: measures, layers: layers.count, heads: heads, length: n)
        base = total > 0 ? .allocate(capacity: total) : nil
    }

    /// Floats of one layer's matrix of `measure`.
    func matrixFloats(_ measure: ContributionMeasure) -> Int {
        (measure == .normHeads ? heads : 1) * length * length
    }

    /// Floats the matrices of these measures take for `layers` kept layers.
    static func floats(measures: [ContributionMeasure], layers: Int, heads: Int, length n: Int) -> Int {
        measures.reduce(0) { $0 + ($1 == .normHeads ? heads : 1) * n * n } * layers
    }

    /// Where `measure`'s matrix of kept layer `slot` starts, or nil when the measure is not kept.
    func matrix(_ measure: ContributionMeasure, slot: Int) -> UnsafeMutablePointer<Float>? {
        guard let base, let index = measures.firstIndex(of: measure) else { return nil }
        var offset = 0
        for m in measures[..<index] { offset += matrixFloats(m) * layers.count }
        return base + offset + slot * matrixFloats(measure)
    }

    /// The matrices as tensors, measure → layer → [n, n] or [heads, n, n]; frees the block.
    func take() -> [ContributionMeasure: [Int: Tensor]] {
        var result: [ContributionMeasure: [Int: Tensor]] = [:]
        let n = length
        for measure in measures {
            var perLayer: [Int: Tensor] = [:]
            for (slot, l) in layers.enumerated() {
                guard let start = matrix(measure, slot: slot) else { continue }
                let count = matrixFloats(measure)
                let shape = measure == .normHeads ? [heads, n, n] : [n, n]
                perLayer[l] = Tensor(shape: shape, storage: Array(UnsafeBufferPointer(start: start, count: count)))
            }
            result[measure] = perLayer
        }
        base?.deallocate()
        base = nil
        return result
    }

    deinit { base?.deallocate() }
}
