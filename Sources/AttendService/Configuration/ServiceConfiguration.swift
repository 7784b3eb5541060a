import Transformer

/// Everything `attend serve` is configured with: the HTTP server, compute, and the models to serve.
///
/// Read from JSON by ``ServiceConfiguration/parse(json:)``; every key is optional except `models`, and an
/// unknown key or a bad value is a ``ConfigurationError`` naming its key path.
public struct ServiceConfiguration: Sendable, Equatable {
    public var server = Server()
    public var compute = Compute()
    public var models: [ModelEntry] = []

    public init() {}

    /// `server`: where to listen and how the HTTP layer is bounded.
    public struct Server: Sendable, Equatable {
        public var host = "0.0.0.0"
        public var port = 8080
        public var maxConnections = 1024
        public var maxBodyBytes = 8 << 20
        public var maxHeaderBytes = 64 << 10
        public var maxHeaders = 100
        public var maxRequestLineBytes = 8 << 10
        public var headerTimeoutMilliseconds = 10_000
        public var idleTimeoutMilliseconds = 60_000
        public var bodyTimeoutMilliseconds = 30_000
        public var writeTimeoutMilliseconds = 30_000
        public var gzip = true
        public var gzipMinimumBytes = 1024
        public var tlsCertificatePath: String?
        public var tlsKeyPath: String?
        public var apiKeys: [String] = []
        public var logFormat: LogFormat = .text
        public var maxResponseBytes = 256 << 20
        public init() {}
    }

    /// `server.log_format`.
    public enum LogFormat: String, Sendable, Equatable {
        case text, json
    }

    /// `compute`: threads of the math library and the batcher.
    public struct Compute: Sendable, Equatable {
        /// 0 = every core.
        public var threads = 0
        public var maxBatchTokens = 8192
        public var maxBatchSize = 64
        public var maxWaitMilliseconds = 1.5
        public var queueCapacity = 256
        /// `max_request_tokens`: tokens one request may hold (413 above).
        public var maxRequestTokens = 16384
        /// `max_request_sequences`: sequences one request may hold (413 above).
        public var maxRequestSequences = 2048
        public init() {}
    }

    /// One entry of `models`.
    public struct ModelEntry: Sendable, Equatable {
        public var name: String
        public var source: Source
        /// Overrides of the model's default pooling and normalisation.
        public var pooling: Pooling?
        public var normalize: Bool?

        public init(name: String, source: Source, pooling: Pooling? = nil, normalize: Bool? = nil) {
            self.name = name
            self.source = source
            self.pooling = pooling
            self.normalize = normalize
        }

        public enum Source: Sendable, Equatable {
            case architecture(EncoderConfiguration)
            case checkpoint(String)
        }
    }
}
