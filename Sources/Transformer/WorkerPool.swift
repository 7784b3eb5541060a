import Foundation
import Synchronization

/// Persistent helper threads that spin between jobs, so a forward pass can hand its many short parallel sections
/// (a 16-token product is tens of microseconds of work) to the other cores without paying a thread wake-up each time.
///
/// One caller at a time owns the pool (`run` returns false when another caller holds it; that caller falls back to
/// Dispatch). A job is published as one atomic word, generation << 16 | worker count; helper i (1-based) runs
/// `body(i)` when i < count, and the caller runs `body(0)` and then waits for the others. Helpers spin on the word
/// for about `spinLimit` polls (≈ 100–200 µs) after their last job and then sleep on a condition, so an idle service
/// burns no CPU; the caller wakes sleepers only when some are asleep.
final class WorkerPool: @unchecked Sendable {
    /// Helper threads (workers besides the caller).
    let helpers: Int

    /// Polls of the job word a helper makes before it sleeps (each a load of a shared cache line, ~2–4 ns).
    private static let spinLimit = 50_000

    /// generation << 16 | workers of the current job.
    private let state = Atomic<Int>(0)
    /// Helpers still running the current job.
    private let remaining = Atomic<Int>(0)
    /// Whether a caller owns the pool.
    private let busy = Atomic<Bool>(false)
    /// Helpers asleep (or about to sleep) on `condition`.
    private let sleepers = Atomic<Int>(0)
    private let condition = NSCondition()
    /// The current job; written by the owner before it publishes `state`, read by helpers after they see it.
    private var job: ((Int) -> Void)?

    init(helpers: Int) {
        self.helpers = helpers
        for index in 0..<helpers {
            let thread = Thread { [self] in helperLoop(index + 1) }
            thread.name = "attend-compute-\(index + 1)"
            thread.start()
        }
    }

    /// Runs `body(w)` for w in 0..<workers, the caller taking w = 0; false (nothing run) when the pool is owned by
    /// another caller or `workers` exceeds the pool.
    func run(_ workers: Int, _ body: (Int) -> Void) -> Bool {
        guard workers > 1, workers <= helpers + 1,
            busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged
        else { return false }
        withoutActuallyEscaping(body) { body in
            job = body
            remaining.store(workers - 1, ordering: .relaxed)
            let generation = (state.load(ordering: .relaxed) >> 16) + 1
            state.store(generation << 16 | workers, ordering: .sequentiallyConsistent)
            if sleepers.load(ordering: .sequentiallyConsistent) > 0 {
                condition.lock()
                condition.broadcast()
                condition.unlock()
            }
            body(0)
            var spins = 0
            while remaining.load(ordering: .acquiring) > 0 {
                spins += 1
                if spins >= Self.spinLimit { sched_yield() }
            }
            job = nil
        }
        busy.store(false, ordering: .releasing)
        return true
    }

    private func helperLoop(_ index: Int) {
        var seen = 0
        while true {
            var spins = 0
            var word = state.load(ordering: .acquiring)
            while word >> 16 == seen >> 16 {
                if spins < Self.spinLimit {
                    spins += 1
                } else {
                    condition.lock()
                    sleepers.add(1, ordering: .sequentiallyConsistent)
                    while state.load(ordering: .sequentiallyConsistent) >> 16 == seen >> 16 { condition.wait() }
                    sleepers.subtract(1, ordering: .sequentiallyConsistent)
                    condition.unlock()
                    spins = 0
                }
                word = state.load(ordering: .acquiring)
            }
            seen = word
            if index < word & 0xFFFF {
                job?(index)
                remaining.subtract(1, ordering: .releasing)
            }
        }
    }
}
