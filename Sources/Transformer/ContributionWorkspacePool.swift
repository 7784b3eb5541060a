import Foundation

/// Keeps the most recently returned ``ContributionWorkspace`` for the encoder's next pass with contributions (one,
/// so an idle encoder holds at most one pass's contribution scratch; concurrent passes each allocate their own): a
/// repeated request pays neither the allocation nor its page faults.
final class ContributionWorkspacePool: @unchecked Sendable {
    private let lock = NSLock()
    private var cached: ContributionWorkspace?

    /// A workspace for sequences of at most `length` tokens and `workers` workers: the kept one when it fits.
    func take(length: Int, configuration: EncoderConfiguration, workers: Int) -> ContributionWorkspace {
        lock.lock()
        let candidate = cached
        cached = nil
        lock.unlock()
        if let candidate, candidate.fits(length: length, workers: workers) { return candidate }
        return ContributionWorkspace(length: length, configuration: configuration, workers: workers)
    }

    /// The workspace kept for the next pass, if any.
    var cachedWorkspace: ContributionWorkspace? {
        lock.lock()
        defer { lock.unlock() }
        return cached
    }

    /// Keeps `workspace` unless the kept one is larger.
    func giveBack(_ workspace: ContributionWorkspace) {
        lock.lock()
        if cached == nil || cached!.length <= workspace.length { cached = workspace }
        lock.unlock()
    }
}
