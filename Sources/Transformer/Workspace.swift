import Foundation

// Shape legend: see Encoder.swift (T packed tokens, d, f, n̂).

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
    /// Feed-forward activations [min(T, workers · `Encoder.blockRows`), f] ([…, 2f] gated) of the rows in hand: worker w's block uses
    /// rows from w · blockRows on, so a block's [64, f] stays in L2 from block to block instead of a fresh [T, f]
    /// streaming through memory; a pass too small to walk blocks uses all its T rows from row 0.
    let inner: UnsafeMutablePointer<Float>
    let scores: UnsafeMutablePointer<Float>  // workers × [n_max, n̂_max]
    /// Bytes this workspace allocated (``Encoder/workspaceBytes(forBatchTokens:maxLength:workers:)`` adds the
    /// attention kernel's per-worker scratch).
    let bytes: Int

    init(tokens t: Int, longest: Int, configuration c: EncoderConfiguration, workers: Int) {
        let size = Self.capacities(tokens: t, longest: longest, configuration: c, workers: workers)
        tokens = t
        self.workers = workers
        x = .allocate(capacity: size.rows)
        normed = .allocate(capacity: size.rows)
        qkv = .allocate(capacity: 3 * size.rows)
        context = .allocate(capacity: size.rows)
        inner = .allocate(capacity: size.inner)
        scoresPerWorker = size.scoresPerWorker
        scores = .allocate(capacity: size.scores)
        bytes = size.total * MemoryLayout<Float>.stride
    }

    /// Float capacities of a workspace for `t` tokens and sequences of at most `longest` tokens: rows = [T, d]
    /// (x, normed and context; qkv is 3 × rows), inner = [min(T, workers · blockRows), f] (2f gated), scores = workers ×
    /// [n_max, n̂_max]; total = 6 · rows + inner + scores.
    static func capacities(tokens t: Int, longest: Int, configuration c: EncoderConfiguration, workers: Int) -> (
        rows: Int, inner: Int, scoresPerWorker: Int, scores: Int, total: Int
    ) {
        let rows = t * c.hiddenSize
        let inner = Swift.max(1, Swift.min(t, workers * Encoder.blockRows) * c.intermediateRows)
        let scoresPerWorker = longest * ((longest + 15) & ~15)
        let scores = Swift.max(1, workers * scoresPerWorker)
        return (rows, inner, scoresPerWorker, scores, 6 * rows + inner + scores)
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

    /// The workspace kept for the next pass, if any.
    var cachedWorkspace: Workspace? {
        lock.lock()
        defer { lock.unlock() }
        return cached
    }

    func giveBack(_ workspace: Workspace) {
        lock.lock()
        if cached == nil || cached!.tokens <= workspace.tokens { cached = workspace }
        lock.unlock()
    }
}
