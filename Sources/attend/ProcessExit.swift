import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// The process's one way out of `attend serve`. Two paths end the process: the signal handler (SIGTERM/SIGINT,
/// status 0) and a failed start (a configured model did not load, status 1), and both may run at once (a TERM
/// that arrives while the failed start drains). `exit` must run once: a second concurrent `exit(3)` runs the exit
/// handlers (the log writer's flush among them) twice at the same time. The first caller exits; a later one parks
/// its thread until the process is gone. A failed start wins the status whichever path gets there first.
enum ProcessExit {
    private static let state = Mutex<(failed: Bool, exiting: Bool)>((false, false))

    /// Records a failed start: the process will exit with status 1, whichever path calls ``exit(_:)``.
    static func markFailed() {
        state.withLock { $0.failed = true }
    }

    /// Exits with `status` (1 after ``markFailed()``), running the exit handlers once; never returns.
    static func exit(_ status: Int32) -> Never {
        let (first, failed) = state.withLock { state -> (Bool, Bool) in
            defer { state.exiting = true }
            return (!state.exiting, state.failed)
        }
        if first {
            #if canImport(Glibc)
                Glibc.exit(failed ? 1 : status)
            #else
                Musl.exit(failed ? 1 : status)
            #endif
        }
        while true { pause() }
    }
}
