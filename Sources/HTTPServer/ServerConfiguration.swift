import HTTP1

/// How a `Server` listens and what it tolerates.
public struct ServerConfiguration: Sendable {
    /// Timeouts and minimum transfer rates; each one closes the connection when it fires.
    public struct Timeouts: Sendable, Equatable {
        /// From the first byte of a request (empty lines before its request line included), or from the accept for
        /// a connection's first request, to the end of its header section. Past it: 408 and close when part of a
        /// request came, a silent close otherwise (slowloris).
        public var header: Duration
        /// How long a keep-alive connection may wait, idle, for its next request (from the end of the last answer).
        public var idle: Duration
        /// The longest pause between two reads of a request body. 408 and close.
        public var body: Duration
        /// The longest time a pending response may make no progress (a client that stops reading is dropped).
        public var write: Duration
        /// The longest a TLS handshake may take.
        public var handshake: Duration
        /// The slowest average rate, in bytes per second, at which a request body may arrive once `rateGrace` is
        /// spent: a body that has been read for `t` must have delivered at least `(t - rateGrace) * rate` bytes.
        /// Past it: 408 and close. 0 disables the rule (only `body` applies).
        public var minimumBodyRate: Int
        /// The slowest average rate, in bytes per second, at which a client may read its answers once `rateGrace`
        /// is spent (measured from the moment output is queued until the queue is empty again). Past it the
        /// connection is dropped. 0 disables the rule (only `write` applies).
        public var minimumWriteRate: Int
        /// The allowance before `minimumBodyRate` and `minimumWriteRate` apply.
        public var rateGrace: Duration

        /// Creates timeouts.
        public init(
            header: Duration = .seconds(10), idle: Duration = .seconds(60), body: Duration = .seconds(30),
            write: Duration = .seconds(30), handshake: Duration = .seconds(10), minimumBodyRate: Int = 64 * 1024,
            minimumWriteRate: Int = 64 * 1024, rateGrace: Duration = .seconds(10)
        ) {
            self.header = header
            self.idle = idle
            self.body = body
            self.write = write
            self.handshake = handshake
            self.minimumBodyRate = minimumBodyRate
            self.minimumWriteRate = minimumWriteRate
            self.rateGrace = rateGrace
        }
    }

    /// Response compression.
    public struct Gzip: Sendable, Equatable {
        /// Whether responses may be compressed.
        public var enabled: Bool
        /// Bodies smaller than this are sent as they are.
        public var minimumBytes: Int
        /// zlib level, 1 (fast) to 9 (small).
        public var level: Int32

        /// Creates gzip settings.
        public init(enabled: Bool = true, minimumBytes: Int = 1024, level: Int32 = 5) {
            self.enabled = enabled
            self.minimumBytes = minimumBytes
            self.level = level
        }
    }

    /// The address to listen on: numeric IPv4 or IPv6; `"::"` listens dual-stack (IPv4 clients too).
    public var host: String
    /// The port; 0 picks a free one (`Server.start()` returns it).
    public var port: Int
    /// Parser limits. `maxBodyBytes` also bounds a gzip request body once inflated (past it: 413).
    public var limits: ParserLimits
    /// Timeouts.
    public var timeouts: Timeouts
    /// At most this many open connections. At the limit the server stops accepting: new clients wait in the
    /// kernel's listen backlog (bounded by `backlog`) until a connection closes. Memory stays bounded.
    public var maxConnections: Int
    /// The listen backlog.
    public var backlog: Int32
    /// Complete requests read ahead of the one being answered (pipelining) before the server stops reading.
    public var maxPipelinedRequests: Int
    /// Body bytes of complete requests not yet answered (the one being handled included) past which a connection
    /// stops reading until answers go out: bounds what one pipelining client holds in memory (to this, plus one
    /// more request and one 64 KiB read; heads are bounded by `maxPipelinedRequests` × `limits.maxHeaderBytes`).
    /// Reading does not pause for a limit of 0 while nothing is unanswered.
    public var maxPipelinedBytes: Int
    /// Response bytes queued for writing (not yet taken by the kernel), summed over every connection, that a new
    /// response may not push the total past: such a response is dropped at once and answered with a JSON 503
    /// `overloaded` with `Retry-After: 1` instead.
    public var maxQueuedWriteBytes: Int
    /// Response compression.
    public var gzip: Gzip
    /// TLS; nil serves plain HTTP.
    public var tls: TLSConfiguration?
    /// I/O threads (serial Dispatch queues connections are spread over); 0 = one per CPU core.
    public var ioThreads: Int
    /// The `Server` field of every response (unless the response has its own), or nil to send none.
    public var serverName: String?

    /// Creates a configuration.
    public init(
        host: String = "127.0.0.1", port: Int = 8080, limits: ParserLimits = .default,
        timeouts: Timeouts = Timeouts(), maxConnections: Int = 1024, backlog: Int32 = 1024,
        maxPipelinedRequests: Int = 16, gzip: Gzip = Gzip(), tls: TLSConfiguration? = nil, ioThreads: Int = 0,
        maxPipelinedBytes: Int = 8 << 20, maxQueuedWriteBytes: Int = 256 << 20, serverName: String? = nil
    ) {
        self.host = host
        self.port = port
        self.limits = limits
        self.timeouts = timeouts
        self.maxConnections = maxConnections
        self.backlog = backlog
        self.maxPipelinedRequests = maxPipelinedRequests
        self.maxPipelinedBytes = maxPipelinedBytes
        self.maxQueuedWriteBytes = maxQueuedWriteBytes
        self.gzip = gzip
        self.tls = tls
        self.ioThreads = ioThreads
        self.serverName = serverName
    }
}

/// A certificate chain and private key, as PEM files.
public struct TLSConfiguration: Sendable, Equatable {
    /// PEM certificate chain, leaf first.
    public var certificatePath: String
    /// PEM private key.
    public var keyPath: String

    /// Creates a TLS configuration.
    public init(certificatePath: String, keyPath: String) {
        self.certificatePath = certificatePath
        self.keyPath = keyPath
    }
}
