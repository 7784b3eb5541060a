// Shape legend: see Encoder.swift (n = the longest contributing sequence, d, H, dh).

/// Scratch memory of the contribution measures for one pass (``Encoder/forward(_:options:)`` allocates one when a
/// sequence keeps contributions; ``Encoder/contributionWorkspaceBytes(maxLength:workers:)`` gives its size):
/// the layer's output projection unpacked, and for the sequence in hand its recomputed weights, the per-head
/// transformed vectors, the attention block's output, and per worker one [n, d] block of vectors.
final class ContributionWorkspace {
    let length: Int
    let workers: Int
    let outputWeight: UnsafeMutablePointer<Float>  // W_O [d, d], x·W (row = input)
    let weights: UnsafeMutablePointer<Float>  // α [H, n, n]
    let transformed: UnsafeMutablePointer<Float>  // f_h(x_j) [H, n, d]
    let transformedNorms: UnsafeMutablePointer<Float>  // ‖f_h(x_j)‖ [H, n]
    let blockOutput: UnsafeMutablePointer<Float>  // y [n, d] = LN₁(z)
    let blockNorms: UnsafeMutablePointer<Float>  // ‖y_i‖₁ [n]
    let sigmas: UnsafeMutablePointer<Float>  // σ(z_i) [n]
    let blockInput: UnsafeMutablePointer<Float>  // z [n, d], the first LayerNorm's input
    let layerOutput: UnsafeMutablePointer<Float>  // x̃ [n, d], the layer's output (value zeroing)
    /// Per worker [n, d] + [n, H] + [(H+1)², (H+1)·d] + [n, d] + [n, f].
    let vectors: UnsafeMutablePointer<Float>
    let perWorker: Int

    init(length n: Int, configuration c: EncoderConfiguration, workers: Int) {
        let size = Self.capacities(length: n, configuration: c, workers: workers)
        length = n
        self.workers = workers
        perWorker = size.perWorker
        let d = c.hiddenSize
        let h = c.heads
        outputWeight = .allocate(capacity: d * d)
        weights = .allocate(capacity: Swift.max(1, h * n * n))
        transformed = .allocate(capacity: Swift.max(1, h * n * d))
        transformedNorms = .allocate(capacity: Swift.max(1, h * n))
        blockOutput = .allocate(capacity: Swift.max(1, n * d))
        blockNorms = .allocate(capacity: Swift.max(1, n))
        sigmas = .allocate(capacity: Swift.max(1, n))
        blockInput = .allocate(capacity: Swift.max(1, n * d))
        layerOutput = .allocate(capacity: Swift.max(1, n * d))
        vectors = .allocate(capacity: Swift.max(1, workers * perWorker))
    }

    /// Float capacities: per worker 2·n·d + n·H + (H+1)² + (H+1)·d + n·f; total d² + H·n² + H·n·d + H·n + 3·n·d +
    /// 2n + workers · perWorker.
    static func capacities(length n: Int, configuration c: EncoderConfiguration, workers: Int) -> (
        perWorker: Int, total: Int
    ) {
        let d = c.hiddenSize
        let h = c.heads
        let perWorker = 2 * n * d + n * h + (h + 1) * (h + 1) + (h + 1) * d + n * c.intermediateSize
        let total = d * d + h * n * n + h * n * d + h * n + 3 * n * d + 2 * n + workers * perWorker
        return (perWorker, total)
    }

    func fits(length n: Int, workers: Int) -> Bool { n <= length && workers <= self.workers }

    deinit {
        for p in [
            outputWeight, weights, transformed, transformedNorms, blockOutput, blockNorms, sigmas, blockInput,
            layerOutput, vectors,
        ] {
            p.deallocate()
        }
    }
}
