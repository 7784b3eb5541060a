import Foundation

// Shape legend: see Encoder.swift (B sequences, n_b tokens each, T = Σ n_b packed rows, d, f, H, n̂).

/// How a ragged batch is packed: sequence b occupies token rows offsets[b]..<offsets[b] + lengths[b].
struct BatchPlan {
    let count: Int  // B
    let lengths: [Int]  // n_b
    let offsets: [Int]  // B + 1 prefix sums of n_b
    let tokens: Int  // T
    let ids: [Int32]  // [T]
    let typeIds: [Int32]  // [T]
    let positions: [Int32]  // [T] position of each token within its sequence
    let keepLayers: [Int]  // sorted, in range

    init(_ inputs: [EncoderInput], configuration: EncoderConfiguration, keepLayers: Set<Int>) {
        count = inputs.count
        lengths = inputs.map(\.ids.count)
        var offsets = [0]
        for n in lengths {
            offsets.append(offsets.last! + n)
        }
        self.offsets = offsets
        tokens = offsets.last!
        ids = inputs.flatMap(\.ids)
        typeIds = inputs.flatMap { $0.typeIds ?? [Int32](repeating: 0, count: $0.ids.count) }
        positions = lengths.flatMap { (0..<$0).map { Int32($0) } }
        self.keepLayers = keepLayers.filter { (0..<configuration.layers).contains($0) }.sorted()
    }

    /// Copies sequence b's rows of a [T, width] buffer into an [n_b, width] tensor.
    func rows(of b: Int, in buffer: UnsafeMutablePointer<Float>, width: Int) -> Tensor {
        let n = lengths[b]
        let start = buffer + offsets[b] * width
        return Tensor(shape: [n, width], storage: Array(UnsafeBufferPointer(start: start, count: n * width)))
    }
}

/// Scratch buffers of one forward pass, reused by every layer and, through ``WorkspacePool``, by later passes
/// (fresh buffers of this size would be page-faulted in on every pass).
final class Workspace: @unchecked Sendable {
    let tokens: Int  // capacity in packed tokens
    let scoresPerWorker: Int  // capacity of one worker's score block
    let workers: Int
    let x: UnsafeMutablePointer<Float>  // [T, d] hidden state
    let normed: UnsafeMutablePointer<Float>  // [T, d] pre-LN block input
    let qkv: UnsafeMutablePointer<Float>  // [T, 3d]
    let context: UnsafeMutablePointer<Float>  // [T, d]
    let inner: UnsafeMutablePointer<Float>  // [T, f]
    let scores: UnsafeMutablePointer<Float>  // workers × [n_max, n̂_max]

    init(tokens t: Int, longest: Int, configuration c: EncoderConfiguration, workers: Int) {
        let d = c.hiddenSize
        tokens = t
        self.workers = workers
        x = .allocate(capacity: t * d)
        normed = .allocate(capacity: t * d)
        qkv = .allocate(capacity: t * 3 * d)
        context = .allocate(capacity: t * d)
        inner = .allocate(capacity: t * c.intermediateSize)
        scoresPerWorker = longest * ((longest + 15) & ~15)
        scores = .allocate(capacity: Swift.max(1, workers * scoresPerWorker))
    }

    /// Whether this workspace can run `plan` with `workers` workers.
    func fits(_ plan: BatchPlan, workers: Int) -> Bool {
        let longest = plan.lengths.max() ?? 0
        return plan.tokens <= tokens && longest * ((longest + 15) & ~15) <= scoresPerWorker && workers <= self.workers
    }

    deinit {
        for p in [x, normed, qkv, context, inner, scores] { p.deallocate() }
    }
}

/// Keeps the most recently returned workspace for the next pass of the same encoder (one, so an idle encoder
/// holds at most one batch's scratch memory; concurrent passes each allocate their own).
final class WorkspacePool: @unchecked Sendable {
    private let lock = NSLock()
    private var cached: Workspace?

    func take(_ plan: BatchPlan, configuration: EncoderConfiguration, workers: Int) -> Workspace {
        lock.lock()
        let candidate = cached
        cached = nil
        lock.unlock()
        if let candidate, candidate.fits(plan, workers: workers) { return candidate }
        return Workspace(
            tokens: plan.tokens, longest: plan.lengths.max() ?? 0, configuration: configuration, workers: workers)
    }

    func giveBack(_ workspace: Workspace) {
        lock.lock()
        if cached == nil || cached!.tokens <= workspace.tokens { cached = workspace }
        lock.unlock()
    }
}
