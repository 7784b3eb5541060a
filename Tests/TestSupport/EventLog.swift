import Dispatch
import Foundation

/// Records events from any thread and lets a test await a condition on them: the test is resumed by the event
/// that makes the condition true, never by a sleep. Every wait is bounded (`timeout`) so a broken component fails
/// the test instead of hanging it.
public final class EventLog<Event: Sendable>: @unchecked Sendable {
    private struct Waiter {
        let id: Int
        let predicate: @Sendable ([Event]) -> Bool
        let continuation: CheckedContinuation<Bool, Never>
    }

    private let lock = NSLock()
    private var events: [Event] = []
    private var waiters: [Waiter] = []
    private var nextID = 0
    private var expired: Set<Int> = []

    public init() {}

    /// Appends `event` and resumes the waiters whose condition now holds.
    public func record(_ event: Event) {
        let ready: [Waiter] = lock.withLock {
            events.append(event)
            let snapshot = events
            let ready = waiters.filter { $0.predicate(snapshot) }
            waiters.removeAll { w in ready.contains { $0.id == w.id } }
            return ready
        }
        for w in ready { w.continuation.resume(returning: true) }
    }

    /// Every event so far, in order.
    public var all: [Event] { lock.withLock { events } }

    /// Waits until `predicate` holds for the events recorded so far; false when `timeout` passed first.
    public func wait(
        timeout: Duration = .seconds(120), until predicate: @escaping @Sendable ([Event]) -> Bool
    ) async -> Bool {
        let id: Int = lock.withLock {
            nextID += 1
            return nextID
        }
        // The bound: a Dispatch timer expires the wait (a no-op once an event has answered it).
        let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) * 1e-18
        DispatchQueue.global().asyncAfter(deadline: .now() + seconds) { self.expire(id) }
        return await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
            let answer: Bool? = lock.withLock {
                if predicate(events) { return true }
                if expired.contains(id) { return false }
                waiters.append(Waiter(id: id, predicate: predicate, continuation: continuation))
                return nil
            }
            if let answer { continuation.resume(returning: answer) }
        }
    }

    private func expire(_ id: Int) {
        let waiter: Waiter? = lock.withLock {
            guard let index = waiters.firstIndex(where: { $0.id == id }) else {
                expired.insert(id)
                return nil
            }
            return waiters.remove(at: index)
        }
        waiter?.continuation.resume(returning: false)
    }
}
