import Foundation
import Synchronization
import Testing

@testable import Transformer

/// An atomic counter that closures can share.
private final class Tally: Sendable {
    let value = Atomic<Int>(0)
}

@Suite struct WorkerPoolTests {
    /// Runs `workers` indices through `pool` (or its Dispatch fallback) and returns how often each ran.
    private func counts(_ pool: WorkerPool, workers: Int) -> [Int] {
        let hits = UnsafeMutablePointer<Int>.allocate(capacity: workers)
        hits.initialize(repeating: 0, count: workers)
        defer { hits.deallocate() }
        if !pool.run(workers, { hits[$0] += 1 }) {
            for w in 0..<workers { hits[w] += 1 }
        }
        return Array(UnsafeBufferPointer(start: hits, count: workers))
    }

    @Test func run_RunsEveryIndexOnce_WhenCalledRepeatedly() {
        let pool = WorkerPool(helpers: 3)
        for round in 0..<2_000 {
            let workers = 2 + round % 3
            #expect(counts(pool, workers: workers) == Array(repeating: 1, count: workers))
        }
    }

    @Test func run_WakesSleepingHelpers_WhenIdleBetweenJobs() {
        let pool = WorkerPool(helpers: 1)
        for _ in 0..<5 {
            usleep(20_000)  // far past the spin budget: the helper is asleep on its condition
            #expect(counts(pool, workers: 2) == [1, 1])
        }
    }

    @Test func run_RefusesJob_WhenTooManyWorkersOrOneWorker() {
        let pool = WorkerPool(helpers: 1)
        #expect(!pool.run(3) { _ in })
        #expect(!pool.run(1) { _ in })
    }

    @Test func run_CompletesEveryCaller_WhenCallersContend() async {
        let pool = WorkerPool(helpers: 1)
        let done = Tally()
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    for _ in 0..<200 {
                        let sum = Tally()
                        // Either the pool runs both halves or the caller does; the sum must be whole either way.
                        if !pool.run(2, { sum.value.add($0 + 1, ordering: .relaxed) }) {
                            sum.value.add(3, ordering: .relaxed)
                        }
                        if sum.value.load(ordering: .relaxed) == 3 { done.value.add(1, ordering: .relaxed) }
                    }
                }
            }
        }
        #expect(done.value.load(ordering: .relaxed) == 800)
    }
}
