import Dispatch
import Foundation

/// SIGTERM/SIGINT through Dispatch signal sources (the default handlers are ignored first), running `action`
/// once on the first signal; a second signal (an impatient operator, or an orchestrator's repeated TERM) exits at
/// once with status 130 (128 + SIGINT's number; 143 for SIGTERM), without waiting for the drain.
final class SignalHandler: @unchecked Sendable {
    private let sources: [any DispatchSourceSignal]

    private init(sources: [any DispatchSourceSignal]) {
        self.sources = sources
    }

    static func install(_ action: @escaping @Sendable (Int32) async -> Void) -> SignalHandler {
        let fired = Fired()
        let sources = [SIGTERM, SIGINT].map { number -> any DispatchSourceSignal in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                guard fired.claim() else {
                    _exit(128 + number)
                }
                Task { await action(number) }
            }
            source.resume()
            return source
        }
        return SignalHandler(sources: sources)
    }

    /// Suspends the caller until the process exits.
    static func waitForever(keeping handler: SignalHandler) async {
        while true {
            try? await Task.sleep(for: .seconds(3600))
            withExtendedLifetime(handler) {}
        }
    }

    private final class Fired: @unchecked Sendable {
        private let lock = NSLock()
        private var done = false

        func claim() -> Bool {
            lock.withLock {
                defer { done = true }
                return !done
            }
        }
    }
}
