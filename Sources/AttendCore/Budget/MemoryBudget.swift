import Foundation

/// The process-wide memory budget (`compute.max_memory_bytes`) that every request's outputs are reserved
/// against *before* they are computed: kept attention maps, analysis inputs, hidden states and the serialized
/// body.
///
/// A request that can never fit (more than the whole budget) is refused at once with
/// ``CoreError/responseTooLarge(_:)``; one that could fit later waits, first come first served, for at most
/// `maxWait`, then gets ``CoreError/overloaded(_:retryAfter:)``. Nothing is allocated past the budget.
public final class MemoryBudget: @unchecked Sendable {
    /// Bytes all requests in flight may hold together.
    public let capacity: Int
    /// How long a request may wait for room.
    public let maxWait: Duration

    private final class Waiter: @unchecked Sendable {
        let bytes: Int
        var continuation: CheckedContinuation<Void, any Error>?
        /// Set when the waiter timed out or was cancelled before it joined the queue.
        var abandoned: (any Error)?
        init(bytes: Int) { self.bytes = bytes }
    }

    private let condition = NSCondition()
    private var used = 0
    private var peak = 0
    private var peakSinceIdle = 0
    private var waiters: [Waiter] = []
    private var idle: (threshold: Int, handler: @Sendable () -> Void)?

    public init(capacity: Int, maxWait: Duration = .seconds(10)) {
        self.capacity = max(1, capacity)
        self.maxWait = maxWait
    }

    /// Bytes reserved now.
    public var reserved: Int { condition.withLock { used } }

    /// The most bytes ever reserved at once.
    public var peakReserved: Int { condition.withLock { peak } }

    /// Requests waiting for room.
    public var waiting: Int { condition.withLock { waiters.count } }

    /// Reserves `bytes`, waiting for room when needed; pair with ``release(_:)``.
    /// - Throws: `CoreError.responseTooLarge` when `bytes` exceeds the capacity, `CoreError.overloaded` after
    ///   `maxWait` without room, `CancellationError` when the task is cancelled while waiting.
    public func reserve(_ bytes: Int, what: @autoclosure () -> String = "the request") async throws {
        guard bytes > 0 else { return }
        guard bytes <= capacity else {
            throw CoreError.responseTooLarge(
                "\(what()) needs about \(bytes) bytes of memory, over the service's whole budget of \(capacity) "
                    + "bytes (compute.max_memory_bytes); select fewer \"layers\" or \"heads\", send "
                    + "\"attentions\": false, or send fewer or shorter sequences")
        }
        let waiter = Waiter(bytes: bytes)
        let granted: Bool = condition.withLock {
            if waiters.isEmpty && used + bytes <= capacity {
                take(bytes)
                return true
            }
            return false
        }
        if granted { return }
        let timeout = Task { [maxWait] in
            try await Task.sleep(for: maxWait)
            self.expire(waiter)
        }
        defer { timeout.cancel() }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                condition.lock()
                if let error = waiter.abandoned ?? (Task.isCancelled ? CancellationError() : nil) {
                    condition.unlock()
                    continuation.resume(throwing: error)
                    return
                }
                waiter.continuation = continuation
                waiters.append(waiter)
                let ready = grantWaiting()
                condition.unlock()
                for c in ready { c.resume() }
            }
        } onCancel: {
            self.remove(waiter, with: CancellationError())
        }
    }

    /// Returns `bytes` reserved earlier and wakes the waiters that now fit, in order.
    public func release(_ bytes: Int) {
        guard bytes > 0 else { return }
        let (ready, onIdle): ([CheckedContinuation<Void, any Error>], (@Sendable () -> Void)?) = condition.withLock {
            used -= bytes
            let ready = grantWaiting()
            guard used == 0, let idle, peakSinceIdle >= idle.threshold else { return (ready, nil) }
            peakSinceIdle = 0
            return (ready, idle.handler)
        }
        for c in ready { c.resume() }
        if let onIdle { DispatchQueue.global(qos: .utility).async { onIdle() } }
    }

    /// Calls `handler` (on a background queue) each time nothing is reserved any more after the reservations
    /// reached `threshold` bytes: the moment to give freed memory back to the system (`attend` trims the heap
    /// there, so the resident size returns close to where it was after a burst of large requests).
    public func onIdle(afterReaching threshold: Int, _ handler: @escaping @Sendable () -> Void) {
        condition.withLock { idle = (threshold, handler) }
    }

    /// Reserves `bytes` around `body`.
    public func withReservation<T>(
        _ bytes: Int, what: @autoclosure () -> String = "the request", _ body: () async throws -> T
    ) async throws -> T {
        try await reserve(bytes, what: what())
        defer { release(bytes) }
        return try await body()
    }

    // Lock held.
    private func take(_ bytes: Int) {
        used += bytes
        peak = max(peak, used)
        peakSinceIdle = max(peakSinceIdle, used)
    }

    // Lock held: grants waiters from the front while they fit (FIFO: a large one is not overtaken).
    private func grantWaiting() -> [CheckedContinuation<Void, any Error>] {
        var ready: [CheckedContinuation<Void, any Error>] = []
        while let first = waiters.first, used + first.bytes <= capacity {
            waiters.removeFirst()
            take(first.bytes)
            if let c = first.continuation { ready.append(c) }
            first.continuation = nil
        }
        return ready
    }

    private func expire(_ waiter: Waiter) {
        let seconds = Double(maxWait.components.seconds) + Double(maxWait.components.attoseconds) * 1e-18
        remove(
            waiter,
            with: CoreError.overloaded(
                "the service's memory budget is in use by other requests; this one (about \(waiter.bytes) bytes) "
                    + "waited \(String(format: "%.1f", seconds)) s; retry shortly", retryAfter: 1))
    }

    private func remove(_ waiter: Waiter, with error: any Error) {
        let (continuation, ready): (CheckedContinuation<Void, any Error>?, [CheckedContinuation<Void, any Error>]) =
            condition.withLock {
                guard let index = waiters.firstIndex(where: { $0 === waiter }) else {
                    if waiter.continuation == nil { waiter.abandoned = error }
                    return (nil, [])
                }
                waiters.remove(at: index)
                let c = waiter.continuation
                waiter.continuation = nil
                // The head may have been the one blocking smaller requests behind it.
                return (c, grantWaiting())
            }
        continuation?.resume(throwing: error)
        for c in ready { c.resume() }
    }
}
