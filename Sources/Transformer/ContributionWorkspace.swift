// Shape legend: see Encoder.swift (n = the longest contributing sequence, n̂ = n rounded up to 16, d, H, f).

/// Scratch memory of the contribution measures for one pass (``Encoder/forward(_:options:)`` takes one from the
/// encoder's ``ContributionWorkspacePool`` when a sequence keeps contributions;
/// ``Encoder/contributionWorkspaceBytes(maxLength:workers:)`` gives its size): for the sequence in hand the weights
/// the attention kernel handed over (transposed), the per-head transformed vectors, the attention block's input, and
/// per worker the blocks of one key token. (The layers' output projections are the encoder's own
/// ``ContributionOperands``.)
final class ContributionWorkspace: @unchecked Sendable {
    let length: Int
    let workers: Int
    let weights: UnsafeMutablePointer<Float>  // αᵀ [n, H, n̂]: key j, head h, query i at (j·H + h)·n̂ + i
    /// F [n, H+1, d]: rows h < H f_h(x_j) (or γ₁ ⊙ C f_h(x_j)), row H γ₁ ⊙ C x_j (Encoder+Contributions.swift).
    let transformed: UnsafeMutablePointer<Float>
    let transformedNorms: UnsafeMutablePointer<Float>  // ‖f_h(x_j)‖ [H, n]
    let blockNorms: UnsafeMutablePointer<Float>  // ‖y_i‖₁ [n]
    let sigmas: UnsafeMutablePointer<Float>  // σ(z_i) [n]
    let blockInput: UnsafeMutablePointer<Float>  // z [n, d], the first LayerNorm's input
    let layerOutput: UnsafeMutablePointer<Float>  // x̃ [n, d], the layer's output (value zeroing)
    /// Per worker, one block of ``Layout/perWorker`` floats (``Layout``).
    let vectors: UnsafeMutablePointer<Float>
    let layout: Layout

    /// Where a worker's blocks start in its share of `vectors`, in floats: centred vectors [2(H+1), d], Gram matrix
    /// [(H+1)²], quadratic forms [n̂], tile coefficients [n, H+1], tile [6, d] + spill [96], one head's values of
    /// the worker's keys [n, dh], zeroed rows [n, d], feed-forward rows [n, f].
    struct Layout {
        let centred: Int
        let gram: Int
        let totals: Int
        let tileCoefficients: Int
        let tile: Int
        let values: Int
        let zeroed: Int
        let inner: Int
        let perWorker: Int

        init(length n: Int, configuration c: EncoderConfiguration) {
            let d = c.hiddenSize
            let h1 = c.heads + 1
            let lanes = (n + 15) & ~15
            centred = 0
            gram = centred + 2 * h1 * d
            totals = gram + h1 * h1
            tileCoefficients = totals + lanes
            tile = tileCoefficients + n * h1
            values = tile + 6 * d + 96
            zeroed = values + n * (d / c.heads)
            inner = zeroed + n * d
            perWorker = inner + n * c.intermediateSize
        }
    }

    init(length n: Int, configuration c: EncoderConfiguration, workers: Int) {
        length = n
        self.workers = workers
        layout = Layout(length: n, configuration: c)
        let d = c.hiddenSize
        let h = c.heads
        let lanes = (n + 15) & ~15
        weights = .allocate(capacity: Swift.max(1, h * n * lanes))
        transformed = .allocate(capacity: Swift.max(1, (h + 1) * n * d))
        transformedNorms = .allocate(capacity: Swift.max(1, h * n))
        blockNorms = .allocate(capacity: Swift.max(1, n))
        sigmas = .allocate(capacity: Swift.max(1, n))
        blockInput = .allocate(capacity: Swift.max(1, n * d))
        layerOutput = .allocate(capacity: Swift.max(1, n * d))
        vectors = .allocate(capacity: Swift.max(1, workers * layout.perWorker))
    }

    /// Float capacities: per worker ``Layout/perWorker`` = 2(H+1)·d + (H+1)² + n̂ + n·(H+1) + 6d + 96 + n·dh +
    /// n·d + n·f; total H·n·n̂ + (H+1)·n·d + H·n + 2·n·d + 2n + workers · perWorker.
    static func capacities(length n: Int, configuration c: EncoderConfiguration, workers: Int) -> (
        perWorker: Int, total: Int
    ) {
        let d = c.hiddenSize
        let h = c.heads
        let lanes = (n + 15) & ~15
        let perWorker = Layout(length: n, configuration: c).perWorker
        let total = h * n * lanes + (h + 1) * n * d + h * n + 2 * n * d + 2 * n + workers * perWorker
        return (perWorker, total)
    }

    func fits(length n: Int, workers: Int) -> Bool { n <= length && workers <= self.workers }

    private func block(_ worker: Int, _ offset: Int) -> UnsafeMutablePointer<Float> {
        vectors + worker * layout.perWorker + offset
    }

    /// Worker `worker`'s centred vectors [2(H+1), d].
    func centred(worker: Int) -> UnsafeMutablePointer<Float> { block(worker, layout.centred) }
    /// Worker `worker`'s Gram matrix [(H+1), (H+1)].
    func gram(worker: Int) -> UnsafeMutablePointer<Float> { block(worker, layout.gram) }
    /// Worker `worker`'s quadratic forms [n̂].
    func totals(worker: Int) -> UnsafeMutablePointer<Float> { block(worker, layout.totals) }
    /// Worker `worker`'s tile coefficients [n, H+1].
    func tileCoefficients(worker: Int) -> UnsafeMutablePointer<Float> { block(worker, layout.tileCoefficients) }
    /// Worker `worker`'s tile [6, d] and its spill [96].
    func tile(worker: Int) -> UnsafeMutablePointer<Float> { block(worker, layout.tile) }
    /// Worker `worker`'s copy of one head's values of its keys [n, dh] (rows contiguous).
    func values(worker: Int) -> UnsafeMutablePointer<Float> { block(worker, layout.values) }
    /// Worker `worker`'s zeroed rows [n, d] (value zeroing).
    func zeroed(worker: Int) -> UnsafeMutablePointer<Float> { block(worker, layout.zeroed) }
    /// Worker `worker`'s feed-forward rows [n, f] (value zeroing).
    func inner(worker: Int) -> UnsafeMutablePointer<Float> { block(worker, layout.inner) }

    deinit {
        for p in [weights, transformed, transformedNorms, blockNorms, sigmas, blockInput, layerOutput, vectors] {
            p.deallocate()
        }
    }
}
