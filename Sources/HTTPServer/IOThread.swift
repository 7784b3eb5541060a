import Sockets

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// A detached POSIX thread for an ``EventLoop`` (not a Dispatch worker: it blocks in `epoll_wait` for its life).
enum IOThread {
    private final class Body {
        let run: () -> Void
        init(run: @escaping () -> Void) { self.run = run }
    }

    /// Starts `body` on a new detached thread; throws when the system refuses one (`pthread_create`'s error,
    /// e.g. `EAGAIN`).
    static func spawn(_ body: @escaping () -> Void) throws(SocketError) {
        let context = Unmanaged.passRetained(Body(run: body)).toOpaque()
        var thread = pthread_t()
        let result = pthread_create(
            &thread, nil,
            { raw in
                guard let raw else { return nil }
                let body = Unmanaged<Body>.fromOpaque(raw).takeRetainedValue()
                body.run()
                return nil
            }, context)
        guard result == 0 else {
            Unmanaged<Body>.fromOpaque(context).release()
            throw .failed(call: "pthread_create", errno: result)
        }
        pthread_detach(thread)
    }
}
