import CBLAS
import Dispatch

/// How many cores the encoder uses, and how they are shared with OpenBLAS.
///
/// Attend does its own threading: every parallel section (a matrix product split into panel ranges, the
/// per-sequence×head attention, the row blocks of a large batch) is spread over `threads` workers. The calling thread
/// is worker 0; the others are persistent `WorkerPool` helpers that spin briefly between sections (a 16-token pass
/// has ~30 of them, tens of microseconds each) and sleep when idle. When the pool is owned by another forward pass
/// (concurrent callers), a section falls back to `DispatchQueue.concurrentPerform`. OpenBLAS, which only serves
/// products without packed panels (head widths not a multiple of 16), is pinned to one thread per call
/// (`openblas_set_num_threads(1)`) so workers × OpenBLAS threads never oversubscribe the cores. The default is
/// every active core. A caller running several forwards at once should give each a share: `threads` is global,
/// so set it to cores ÷ concurrent forwards.
public enum Compute {
    private static let state = ThreadState()
    /// Spinning helpers for every core but the caller's.
    private static let pool = WorkerPool(helpers: Swift.max(0, ProcessInfoCores.active - 1))

    /// Sets the number of worker threads (clamped to 1...256) and pins OpenBLAS to one thread per call.
    public static func setThreads(_ n: Int) {
        state.set(Swift.max(1, Swift.min(n, 256)))
    }

    /// The number of worker threads the encoder uses.
    public static var threads: Int { state.get() }

    /// Runs `body(w)` for `w` in 0..<workers, in parallel when `workers > 1`.
    static func parallel(_ workers: Int, _ body: (Int) -> Void) {
        if workers <= 1 {
            body(0)
        } else if pool.run(workers, body) {
            return
        } else {
            // The workers only touch disjoint parts of buffers the caller owns for the duration of this call.
            withoutActuallyEscaping(body) { body in
                let box = UncheckedSendable(body)
                DispatchQueue.concurrentPerform(iterations: workers) { box.value($0) }
            }
        }
    }

    /// Splits 0..<count into `parts` contiguous ranges aligned to `granule` and runs them in parallel.
    static func parallelRanges(_ count: Int, parts: Int, granule: Int = 1, _ body: (Range<Int>) -> Void) {
        parallelShares(count, parts: parts, granule: granule) { _, range in body(range) }
    }

    /// `parallelRanges` that also tells each body its part index (0..<parts), for per-worker scratch.
    static func parallelShares(_ count: Int, parts: Int, granule: Int = 1, _ body: (Int, Range<Int>) -> Void) {
        let units = (count + granule - 1) / granule
        let parts = Swift.max(1, Swift.min(parts, units))
        parallel(parts) { p in
            let lower = Swift.min(count, (units * p / parts) * granule)
            let upper = Swift.min(count, (units * (p + 1) / parts) * granule)
            if lower < upper { body(p, lower..<upper) }
        }
    }
}

/// Carries a non-Sendable closure into `concurrentPerform`, whose workers are joined before it returns.
private struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}

/// The worker count, behind a lock so `setThreads` may be called from any thread.
private final class ThreadState: @unchecked Sendable {
    private let lock = DispatchSemaphore(value: 1)
    private var value: Int

    init() {
        let cores = ProcessInfoCores.active
        value = cores
        openblas_set_num_threads(1)
    }

    func set(_ n: Int) {
        lock.wait()
        value = n
        openblas_set_num_threads(1)
        lock.signal()
    }

    func get() -> Int {
        lock.wait()
        defer { lock.signal() }
        return value
    }
}
