import AttendCore
import HTTP1
import HTTPServer

/// Everything `attend serve` is configured with: the HTTP server, compute, and the models to serve.
///
/// Read from JSON by ``ServiceConfiguration/parse(json:)``; every key is optional except `models`, and an
/// unknown key or a bad value is a ``ConfigurationError`` naming its key path. Every default is defined once:
/// the server's come from `ParserLimits.default` and `ServerConfiguration()`, compute's from
/// `CoreConfiguration.Compute()`; `config/default.json` spells them out and a test checks it agrees.
public struct ServiceConfiguration: Sendable, Equatable {
    public var server = Server()
    public var compute = CoreConfiguration.Compute()
    public var models: [ModelEntry] = []

    public typealias ModelEntry = CoreConfiguration.ModelEntry

    public init() {}

    /// The core's part.
    public var core: CoreConfiguration {
        CoreConfiguration(compute: compute, models: models, maxResponseBytes: server.maxResponseBytes)
    }

    /// `server`: where to listen and how the HTTP layer is bounded.
    public struct Server: Sendable, Equatable {
        private static let parser = ParserLimits.default
        private static let http = ServerConfiguration()

        public var host = "0.0.0.0"
        public var port = Server.http.port
        public var maxConnections = Server.http.maxConnections
        public var maxBodyBytes = Server.parser.maxBodyBytes
        public var maxHeaderBytes = Server.parser.maxHeaderBytes
        public var maxHeaders = Server.parser.maxHeaderCount
        public var maxRequestLineBytes = Server.parser.maxRequestLineBytes
        public var headerTimeoutMilliseconds = Server.milliseconds(Server.http.timeouts.header)
        public var idleTimeoutMilliseconds = Server.milliseconds(Server.http.timeouts.idle)
        public var bodyTimeoutMilliseconds = Server.milliseconds(Server.http.timeouts.body)
        public var writeTimeoutMilliseconds = Server.milliseconds(Server.http.timeouts.write)
        /// `timeouts.min_body_rate` / `min_write_rate` (bytes/s, 0 = off) after `rate_grace_ms`.
        public var minimumBodyRate = Server.http.timeouts.minimumBodyRate
        public var minimumWriteRate = Server.http.timeouts.minimumWriteRate
        public var rateGraceMilliseconds = Server.milliseconds(Server.http.timeouts.rateGrace)
        /// `limits.max_pipelined_bytes`: unanswered request bytes one connection may hold before reading pauses.
        public var maxPipelinedBytes = Server.http.maxPipelinedBytes
        /// `max_queued_write_bytes`: response bytes queued for writing over all connections (past it: 503).
        public var maxQueuedWriteBytes = Server.http.maxQueuedWriteBytes
        public var gzip = Server.http.gzip.enabled
        public var gzipMinimumBytes = Server.http.gzip.minimumBytes
        public var tlsCertificatePath: String?
        public var tlsKeyPath: String?
        public var apiKeys: [String] = []
        public var logFormat: LogFormat = .text
        public var maxResponseBytes = CoreConfiguration().maxResponseBytes
        /// `expose_paths`: whether `/models` shows checkpoint folders (off: a path tells an attacker about the host).
        public var exposePaths = false
        public init() {}

        static func milliseconds(_ d: Duration) -> Int {
            Int(d.components.seconds) * 1000 + Int(d.components.attoseconds / 1_000_000_000_000_000)
        }
    }

    /// `server.log_format`.
    public enum LogFormat: String, Sendable, Equatable {
        case text, json
    }
}
