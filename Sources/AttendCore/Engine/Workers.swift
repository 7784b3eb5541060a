import Foundation

/// A small pool of dedicated threads for CPU-heavy work that must not run on Swift's cooperative pool
/// (tokenizing large bodies, writing large responses): a handler awaiting ``run(_:)`` gives its cooperative
/// thread back, so `/healthz` and small requests stay fast while heavy ones run.
///
/// Work runs in submission order on `count` threads; the queue is unbounded here because every submitter has
/// already passed the request caps and the memory budget.
public final class Workers: @unchecked Sendable {
    private let condition = NSCondition()
    private var queue: [@Sendable () -> Void] = []
    private var head = 0
    private var stopped = false
    /// Threads in the pool.
    public let count: Int

    /// Starts `count` threads named `name-i`.
    public init(count: Int, name: String) {
        self.count = max(1, count)
        for index in 0..<self.count {
            let thread = Thread { [self] in self.loop() }
            thread.name = "\(name)-\(index)"
            thread.stackSize = 4 << 20
            thread.start()
        }
    }

    /// Runs `body` on one of the pool's threads and returns its result. Cancellation is checked before it runs.
    public func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try Task.checkCancellation()
        return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            submit { continuation.resume(with: Result { try body() }) }
        }
    }

    /// Queues `work`; after ``shutdown()`` it runs on the caller's thread.
    public func submit(_ work: @escaping @Sendable () -> Void) {
        condition.lock()
        if stopped {
            condition.unlock()
            work()
            return
        }
        queue.append(work)
        condition.signal()
        condition.unlock()
    }

    /// Lets the threads finish what is queued and exit.
    public func shutdown() {
        condition.lock()
        stopped = true
        condition.broadcast()
        condition.unlock()
    }

    private func loop() {
        while true {
            condition.lock()
            while head == queue.count && !stopped { condition.wait() }
            if head == queue.count {
                condition.unlock()
                return
            }
            let work = queue[head]
            head += 1
            if head > 64 && head * 2 > queue.count {
                queue.removeFirst(head)
                head = 0
            }
            condition.unlock()
            work()
        }
    }
}
