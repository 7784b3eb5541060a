import Synchronization

/// A reservation of a ``MemoryBudget`` that outlives the call that made it: a streamed answer holds its results
/// until the last piece is written. ``release()`` returns the bytes once; dropping the lease releases them too (a
/// stream that is never produced, e.g. for a HEAD request, still gives its memory back).
public final class BudgetLease: Sendable {
    private let budget: MemoryBudget
    private let bytes: Int
    private let released = Atomic<Bool>(false)

    init(budget: MemoryBudget, bytes: Int) {
        self.budget = budget
        self.bytes = bytes
    }

    deinit { release() }

    /// Returns the reserved bytes (only the first call does).
    public func release() {
        guard !released.exchange(true, ordering: .acquiringAndReleasing) else { return }
        budget.release(bytes)
    }
}
