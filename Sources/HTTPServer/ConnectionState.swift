import HTTP1

/// The protocol state of one connection as a value: events in, actions out. No sockets, no clock, no tasks:
/// every event carries the time (`now`, uptime nanoseconds) and every effect comes back as an `Action` for the
/// `Connection` shell to carry out.
///
/// It reads requests with its `RequestParser`, queues complete ones (bounded in count and bytes) and answers them
/// one at a time, in order; it encodes the answers (the bytes to write leave as `.write`) and keeps count of the
/// output not yet taken by the socket (`wrote` reports progress). It decides keep-alive, `100 Continue`, the
/// half-close probe, lingering close, graceful shutdown, and enforces every timeout on `tick(now:)`; the earliest
/// instant a tick can do anything is announced with `.armTimer`.
///
/// Events: `handshakeCompleted`, `bytesReceived`, `peerClosed`, `transportFailed`, `wrote`, `handlerFinished`,
/// `tick`, `shutdown`, `abort` (in `ConnectionState+Events.swift`); `streamWrote`, `streamEnded`, `streamFailed`
/// for a streamed body (in `ConnectionState+Streaming.swift`). After `.close` every event returns nothing.
struct ConnectionState {
    /// Where the connection is in its life.
    enum Phase: Equatable {
        /// The TLS handshake runs, since `since` (the accept).
        case handshaking(since: UInt64)
        /// Reading requests and answering them.
        case open
        /// Nothing more is read or answered: the queued output is written, then our side shuts down.
        case closingAfterWrite
        /// Our side is shut down; input is discarded until the peer closes or `until`.
        case lingering(until: UInt64)
        /// Done; `.close` was emitted.
        case closed
    }

    /// What is being read, while open.
    enum Input {
        /// Between requests: nothing of the next one has come.
        case idle
        /// Bytes of a request head have come (possibly only empty lines), the first at `since`.
        case head(since: UInt64)
        /// A head has come; its body is being read.
        case body(Body)
        /// The peer half-closed (FIN) between requests: nothing more comes.
        case halfClosed
        /// A parse error is queued: nothing after it can be framed, so nothing more is read.
        case failed
    }

    /// A request whose head has come and whose body is being read.
    struct Body {
        var head: RequestHead
        var bytes: [UInt8] = []
        /// When the body timers started: the end of the head, the moment the server finished what it was doing
        /// before (it then waits for this body only), or the `100 Continue`.
        var timersSince: UInt64
        /// The last read (or `timersSince`, whichever is later).
        var lastReadAt: UInt64
        /// Body bytes since `timersSince`, for the minimum rate.
        var bytesSinceTimers = 0
        /// `Expect: 100-continue` not answered yet (it is, once nothing is ahead of this request).
        var continueDue: Bool
    }

    /// A complete request waiting for its turn, or the parse error that ended the input.
    enum Work {
        case request(Request)
        case failure(ParseError)
    }

    /// The request whose handler runs.
    struct Running {
        var head: RequestHead
        var bodyBytes: Int
        /// When a `100 Continue` probe was sent after the peer's FIN (nil when none was).
        var probedAt: UInt64?
        /// The answer's body is being streamed (its head is queued), or nil while the handler runs.
        var stream: Streaming?
    }

    /// A streamed answer in progress (see `ConnectionState+Streaming.swift`).
    struct Streaming: Equatable {
        /// `Transfer-Encoding: chunked` (HTTP/1.1); otherwise the body ends when the connection closes.
        var chunked: Bool
        /// Whether the connection stays open after the body.
        var keepOpen: Bool
        /// A `.pullStream` was emitted and its piece has not come yet.
        var pulled = false
        /// Body bytes handed over so far (before framing).
        var bytes = 0
    }

    /// Output queued and not yet taken by the socket.
    struct Output {
        var bytes = 0
        /// When the queue last went from empty to non-empty.
        var since: UInt64 = 0
        /// Bytes written since `since`, for the minimum rate.
        var writtenSince = 0
        /// The last write progress (or `since`).
        var lastProgress: UInt64 = 0
    }

    let settings: Settings
    var phase: Phase
    var input = Input.idle
    var parser: RequestParser
    var encoder: ResponseEncoder
    /// Complete requests not yet started, in order (at most one `.failure`, last).
    var pending: [Work] = []
    var running: Running?
    /// Body bytes of the pending requests and the running one.
    var pipelinedBytes = 0
    var output = Output()
    var shutdownRequested = false
    var readingPaused = false
    /// Since when nothing runs, waits or is written (nil while busy). Starts at the accept.
    var waitingSince: UInt64?
    var requestsAnswered = 0
    /// The deadline last announced with `.armTimer` (nil: none).
    var armedDeadline: UInt64?
    /// Actions of the event being handled.
    var emitted: [Action] = []

    /// A connection accepted at `now`; with `tls` it starts in the handshake. `clock` is the encoder's wall clock
    /// (seconds since 1970) for the `Date` field.
    init(
        settings: Settings, tls: Bool, now: UInt64,
        clock: @escaping @Sendable () -> Int = ResponseEncoder.systemClock
    ) {
        self.settings = settings
        phase = tls ? .handshaking(since: now) : .open
        parser = RequestParser(limits: settings.limits)
        encoder = ResponseEncoder(serverName: settings.serverName, clock: clock)
        waitingSince = now
        armedDeadline = nextTimer(includingProbe: true)?.deadline
    }

    /// Whether a handler runs, requests wait, or output is queued.
    var isBusy: Bool { running != nil || !pending.isEmpty || output.bytes > 0 }

    /// Whether the connection is done.
    var isClosed: Bool { phase == .closed }

    /// Whether nothing of a request has come since the last one (empty lines aside).
    var isBetweenRequests: Bool {
        switch input {
        case .idle: true
        case .head: parser.isIdle
        case .body, .halfClosed, .failed: false
        }
    }
}
