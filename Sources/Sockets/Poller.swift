import CEpoll

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Readiness of many descriptors through one level-triggered `epoll` instance, with a wake-up descriptor
/// (`eventfd`) so that other threads can cut a ``wait(timeoutMilliseconds:_:)`` short.
///
/// Each registered descriptor carries a caller-chosen token (never ``wakeToken``), reported with its events: a
/// token, not a pointer, so that an event harvested for a descriptor that was removed (and its number reused) in
/// the meantime can be recognised as stale by the caller. `add`, `modify`, `remove` and `wake` are safe from any
/// thread; `wait` is called by one thread only (it owns the event buffer).
///
/// Hang-ups and errors are reported whatever the interest (as `epoll` does): a caller that cannot act on one must
/// ``remove(_:)`` the descriptor, or the next wait returns at once.
public final class Poller: @unchecked Sendable {  // the event buffer is used by the one waiting thread only
    /// What a descriptor is ready for (interest, or reported readiness).
    public struct Events: OptionSet, Sendable, Hashable {
        public let rawValue: UInt32
        public init(rawValue: UInt32) { self.rawValue = rawValue }

        /// Bytes (or the end of the stream) can be read (`EPOLLIN`).
        public static let readable = Events(rawValue: EPOLLIN.rawValue)
        /// Bytes can be written (`EPOLLOUT`).
        public static let writable = Events(rawValue: EPOLLOUT.rawValue)
        /// The peer hung up (`EPOLLHUP`; reported only, never asked for).
        public static let hangup = Events(rawValue: EPOLLHUP.rawValue)
        /// An error is pending on the descriptor (`EPOLLERR`; reported only).
        public static let error = Events(rawValue: EPOLLERR.rawValue)
    }

    /// The token of the wake-up descriptor; never reported, never given to ``add(_:token:interest:)``.
    public static let wakeToken: UInt64 = 0

    /// Events one ``wait(timeoutMilliseconds:_:)`` harvests at most.
    public static let batchSize = 256

    private let epoll: Int32
    private let wakeDescriptor: Int32
    private let buffer: UnsafeMutablePointer<epoll_event>

    /// A new poller with its wake-up descriptor registered. Throws when the kernel refuses a descriptor
    /// (`EMFILE`, `ENFILE`, `ENOMEM`).
    public init() throws(SocketError) {
        let epoll = epoll_create1(Int32(EPOLL_CLOEXEC))
        guard epoll >= 0 else { throw .failed(call: "epoll_create1", errno: errno) }
        let wake = eventfd(0, Int32(EFD_CLOEXEC) | Int32(EFD_NONBLOCK))
        guard wake >= 0 else {
            let code = errno
            _ = close(epoll)
            throw .failed(call: "eventfd", errno: code)
        }
        var event = epoll_event()
        event.events = EPOLLIN.rawValue
        event.data.u64 = Self.wakeToken
        guard epoll_ctl(epoll, EPOLL_CTL_ADD, wake, &event) == 0 else {
            let code = errno
            _ = close(wake)
            _ = close(epoll)
            throw .failed(call: "epoll_ctl(ADD)", errno: code)
        }
        self.epoll = epoll
        self.wakeDescriptor = wake
        buffer = .allocate(capacity: Self.batchSize)
        buffer.initialize(repeating: epoll_event(), count: Self.batchSize)
    }

    deinit {
        buffer.deallocate()
        _ = close(wakeDescriptor)
        _ = close(epoll)
    }

    /// Watches `descriptor` for `interest` (level-triggered), reporting `token` (not ``wakeToken``).
    public func add(_ descriptor: Int32, token: UInt64, interest: Events) throws(SocketError) {
        precondition(token != Self.wakeToken, "token 0 is the poller's own")
        var event = epoll_event()
        event.events = interest.rawValue
        event.data.u64 = token
        guard epoll_ctl(epoll, EPOLL_CTL_ADD, descriptor, &event) == 0 else {
            throw .failed(call: "epoll_ctl(ADD)", errno: errno)
        }
    }

    /// Changes what a watched descriptor is watched for (an empty interest still reports hang-ups and errors).
    public func modify(_ descriptor: Int32, token: UInt64, interest: Events) throws(SocketError) {
        var event = epoll_event()
        event.events = interest.rawValue
        event.data.u64 = token
        guard epoll_ctl(epoll, EPOLL_CTL_MOD, descriptor, &event) == 0 else {
            throw .failed(call: "epoll_ctl(MOD)", errno: errno)
        }
    }

    /// Stops watching `descriptor` (before it is closed). Events already harvested by a running wait may still be
    /// reported with its token.
    public func remove(_ descriptor: Int32) {
        _ = epoll_ctl(epoll, EPOLL_CTL_DEL, descriptor, nil)
    }

    /// Makes the current (or next) ``wait(timeoutMilliseconds:_:)`` return. Safe from any thread.
    public func wake() {
        var one: UInt64 = 1
        _ = withUnsafeBytes(of: &one) { write(wakeDescriptor, $0.baseAddress, 8) }
    }

    /// Waits up to `timeoutMilliseconds` (-1: without limit, 0: not at all) for readiness, then calls `body` with
    /// each ready descriptor's token and events (a wake-up is consumed, not reported). Returns the number of
    /// events harvested, wake-up included (0 on a timeout or an interrupted wait).
    @discardableResult
    public func wait(timeoutMilliseconds: Int32, _ body: (UInt64, Events) -> Void) -> Int {
        let count = epoll_wait(epoll, buffer, Int32(Self.batchSize), timeoutMilliseconds)
        guard count > 0 else { return 0 }
        for i in 0..<Int(count) {
            let event = buffer[i]
            let token = event.data.u64
            if token == Self.wakeToken {
                var value: UInt64 = 0
                _ = withUnsafeMutableBytes(of: &value) { read(wakeDescriptor, $0.baseAddress, 8) }
                continue
            }
            body(token, Events(rawValue: event.events))
        }
        return Int(count)
    }
}
