/// Waits for a condition on state that has no event of its own (a queue depth, a counter), re-checking each time
/// the scheduler runs the caller; bounded by `timeout`, and the caller `#expect`s the result.
public func waitUntil(timeout: Duration = .seconds(20), _ condition: @escaping @Sendable () -> Bool) async -> Bool {
    let start = ContinuousClock.now
    while !condition() {
        if ContinuousClock.now - start > timeout { return false }
        await Task.yield()
    }
    return true
}
