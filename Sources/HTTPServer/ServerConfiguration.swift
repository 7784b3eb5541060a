import HTTP1

/// How a `Server` listens and what it tolerates.
public struct ServerConfiguration: Sendable {
    /// Timeouts; each one closes the connection when it fires.
    public struct Timeouts: Sendable, Equatable {
        /// From the first byte of a request (or from the accept for the first one) to the end of its header
        /// section. Past it: 408 and close when part of a request came, a silent close otherwise (slowloris).
        public var header: Duration
        /// How long a keep-alive connection may wait, idle, for its next request.
        public var idle: Duration
        /// The longest pause between two reads of a request body.
        public var body: Duration
        /// The longest time a pending response may make no progress (a client that stops reading is dropped).
        public var write: Duration
        /// The longest a TLS handshake may take.
        public var handshake: Duration

        /// Creates timeouts.
        public init(
            header: Duration = .seconds(10), idle: Duration = .seconds(60), body: Duration = .seconds(30),
            write: Duration = .seconds(30), handshake: Duration = .seconds(10)
        ) {
            self.header = header
            self.idle = idle
            self.body = body
            self.write = write
            self.handshake = handshake
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
    /// Response compression.
    public var gzip: Gzip
    /// TLS; nil serves plain HTTP.
    public var tls: TLSConfiguration?
    /// I/O threads (serial Dispatch queues connections are spread over); 0 = one per CPU core.
    public var ioThreads: Int
    /// The `Server` header of every response; nil sends none.
    public var serverName: String? = nil

    /// Creates a configuration.
    public init(
        host: String = "127.0.0.1", port: Int = 8080, limits: ParserLimits = .default,
        timeouts: Timeouts = Timeouts(), maxConnections: Int = 1024, backlog: Int32 = 1024,
        maxPipelinedRequests: Int = 16, gzip: Gzip = Gzip(), tls: TLSConfiguration? = nil, ioThreads: Int = 0
    ) {
        self.host = host
        self.port = port
        self.limits = limits
        self.timeouts = timeouts
        self.maxConnections = maxConnections
        self.backlog = backlog
        self.maxPipelinedRequests = maxPipelinedRequests
        self.gzip = gzip
        self.tls = tls
        self.ioThreads = ioThreads
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
