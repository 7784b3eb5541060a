import Dispatch
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A listening TCP socket whose accepts are driven by a `DispatchSource` read source.
///
/// Each readiness event accepts until `EAGAIN`; accepted sockets are non-blocking. `pause()` stops
/// accepting (pending connections wait in the kernel backlog) until `resume()`.
public final class Listener: @unchecked Sendable {
    /// The bound address; its port is the real one when port 0 was asked.
    public let localAddress: SocketAddress
    private let socket: Socket
    private let queue: DispatchQueue
    // Mutated on `queue` only.
    private var source: (any DispatchSourceRead)?
    private let wantsPause = Atomic<Bool>(false)
    private var paused = false
    private var backingOff = false
    private var closed = false

    /// Creates, binds (with `SO_REUSEADDR`) and listens. With `dualStack` and an IPv6 address, IPv4 clients are
    /// accepted too (`IPV6_V6ONLY` off); otherwise an IPv6 listener is IPv6 only.
    public init(
        address: SocketAddress, backlog: Int32 = 1024, dualStack: Bool = false,
        queue: DispatchQueue = DispatchQueue(label: "sockets.listener")
    ) throws(SocketError) {
        Socket.ignoreSIGPIPE()
        let socket = try Socket.tcp(address.family)
        try socket.setOption(level: SOL_SOCKET, name: SO_REUSEADDR, value: 1)
        if address.family == .ipv6 {
            try socket.setOption(level: Int32(IPPROTO_IPV6), name: IPV6_V6ONLY, value: dualStack ? 0 : 1)
        }
        let bound = address.withSockAddr { pointer, length in bind(socket.descriptor, pointer, length) }
        guard bound == 0 else { throw .failed(call: "bind", errno: errno) }
        guard listen(socket.descriptor, backlog) == 0 else { throw .failed(call: "listen", errno: errno) }
        try socket.setNonBlocking()
        self.socket = socket
        self.queue = queue
        self.localAddress = try socket.localAddress()
    }

    /// Starts accepting; `onAccept` runs on the listener's queue for each new non-blocking socket.
    public func start(onAccept: @escaping @Sendable (Socket, SocketAddress) -> Void) {
        queue.async {
            guard !self.closed, self.source == nil else { return }
            self.paused = self.wantsPause.load(ordering: .acquiring)
            let source = DispatchSource.makeReadSource(fileDescriptor: self.socket.descriptor, queue: self.queue)
            source.setEventHandler { [unowned self] in self.acceptAll(onAccept) }
            let socket = self.socket
            source.setCancelHandler { socket.close() }
            self.source = source
            if !self.paused { source.resume() }
        }
    }

    /// Stops accepting until `resume()`; connections wait in the backlog. Safe from any thread, including
    /// from within `onAccept` (no further socket is accepted in that round).
    public func pause() {
        wantsPause.store(true, ordering: .releasing)
        queue.async { self.applyPause() }
    }

    /// Accepts again after `pause()`.
    public func resume() {
        wantsPause.store(false, ordering: .releasing)
        queue.async { self.applyPause() }
    }

    private func applyPause() {
        let wanted = wantsPause.load(ordering: .acquiring)
        guard !closed, wanted != paused else { return }
        paused = wanted
        guard let source, !backingOff else { return }
        if wanted { source.suspend() } else { source.resume() }
    }

    /// Stops accepting and closes the listening socket.
    public func close() {
        queue.sync {
            guard !self.closed else { return }
            self.closed = true
            if let source = self.source {
                if self.paused || self.backingOff { source.resume() }
                source.cancel()
            } else {
                self.socket.close()
            }
        }
    }

    private func acceptAll(_ onAccept: @Sendable (Socket, SocketAddress) -> Void) {
        // Bounded: at most this many per event so other work on the queue gets a turn.
        for _ in 0..<256 {
            guard !closed, !paused, !wantsPause.load(ordering: .acquiring) else { return }
            var storage = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let fd = withUnsafeMutablePointer(to: &storage) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                    accept(socket.descriptor, address, &length)
                }
            }
            if fd < 0 {
                let code = errno
                if code == EINTR || code == ECONNABORTED { continue }
                if code == EMFILE || code == ENFILE || code == ENOBUFS || code == ENOMEM {
                    backOff()
                }
                return
            }
            let accepted = Socket(descriptor: fd)
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            do {
                try accepted.setNonBlocking()
            } catch {
                accepted.close()
                continue
            }
            onAccept(accepted, SocketAddress(storage: storage))
        }
    }

    /// Out of descriptors: stop for a moment instead of spinning on a level-triggered source.
    private func backOff() {
        guard !backingOff, let source else { return }
        backingOff = true
        if !paused { source.suspend() }
        queue.asyncAfter(deadline: .now() + .milliseconds(100)) {
            guard self.backingOff, !self.closed else { return }
            self.backingOff = false
            if !self.paused { self.source?.resume() }
        }
    }
}
