import AttendCore
import Foundation
import HTTP1
import HTTPServer
import JSON
import Logging
import Transformer

/// The HTTP face of Attend: the routes, their typed JSON models, the writers, the page and OpenAPI, on top of the
/// core (``AttendEngine``).
///
/// `attend serve` builds one, starts an `HTTPServer.Server` with ``makeRouter()`` and
/// ``serverConfiguration``, then calls ``loadModels()``; `attend run` answers one request through the same router.
public final class AttendApp: Sendable {
    public let configuration: ServiceConfiguration
    /// The service without HTTP: models, jobs, budgets, batching.
    public let engine: AttendEngine
    public let metrics: Metrics
    let apiKeys: [[UInt8]]
    /// `GET /openapi.json`'s body: the model names are fixed by the configuration, so it is rendered once.
    let openAPIBody: [UInt8]
    /// When this service was made (Unix seconds): the `created` of `GET /v1/models`.
    let startedAt = Int(Date().timeIntervalSince1970)

    /// The `Server` header every response carries.
    public static let serverName = "Attend"

    /// A service for `configuration`; pass `registry` to serve already-built models (tests), and `batchEvents` to
    /// observe the batcher as well (tests synchronise on them).
    public init(
        configuration: ServiceConfiguration, registry: ModelRegistry? = nil,
        batchEvents: Batcher.EventHandler? = nil
    ) {
        self.configuration = configuration
        let metrics = Metrics(routes: Self.metricsRoutes)
        self.metrics = metrics
        self.engine = AttendEngine(
            configuration: configuration.core, registry: registry,
            events: { event in
                if case .passStarted(let requests, let sequences, let tokens) = event {
                    metrics.recordBatch(requests: requests, sequences: sequences, tokens: tokens)
                }
                batchEvents?(event)
            })
        self.apiKeys = configuration.server.apiKeys.map { Array($0.utf8) }
        self.openAPIBody = OpenAPIDocument.json(models: engine.registry.names)
    }

    /// The configured models.
    public var registry: ModelRegistry { engine.registry }

    /// Loads every configured model (call after the server listens); returns load errors by model name.
    @discardableResult
    public func loadModels() -> [String: String] { engine.loadModels() }

    /// What `attend serve` does after loading: nil when every model loaded (keep serving), else the message to
    /// log before shutting down and exiting 1 (each failed model with its error, which names the file or tensor).
    public static func startupFailure(_ failures: [String: String]) -> String? {
        guard !failures.isEmpty else { return nil }
        let list = failures.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: "; ")
        return "\(failures.count) model(s) failed to load, stopping: \(list)"
    }

    /// Stops the compute thread (queued requests get 503).
    public func shutdown() { engine.shutdown() }

    /// The HTTP server's configuration from `server`.
    public var serverConfiguration: ServerConfiguration {
        let s = configuration.server
        var c = ServerConfiguration(
            host: s.host, port: s.port,
            limits: ParserLimits(
                maxRequestLineBytes: s.maxRequestLineBytes, maxHeaderBytes: s.maxHeaderBytes,
                maxHeaderCount: s.maxHeaders, maxBodyBytes: s.maxBodyBytes),
            timeouts: ServerConfiguration.Timeouts(
                header: .milliseconds(s.headerTimeoutMilliseconds), idle: .milliseconds(s.idleTimeoutMilliseconds),
                body: .milliseconds(s.bodyTimeoutMilliseconds), write: .milliseconds(s.writeTimeoutMilliseconds),
                minimumBodyRate: s.minimumBodyRate, minimumWriteRate: s.minimumWriteRate,
                rateGrace: .milliseconds(s.rateGraceMilliseconds)),
            maxConnections: s.maxConnections,
            gzip: ServerConfiguration.Gzip(enabled: s.gzip, minimumBytes: s.gzipMinimumBytes),
            tls: s.tlsCertificatePath.map { TLSConfiguration(certificatePath: $0, keyPath: s.tlsKeyPath ?? "") })
        c.serverName = Self.serverName
        c.maxPipelinedBytes = s.maxPipelinedBytes
        c.maxQueuedWriteBytes = s.maxQueuedWriteBytes
        return c
    }

    /// Every route, behind ``frontDoor`` (authentication, error shapes, timing headers, metrics, log line).
    public func makeRouter() -> FrozenRouter {
        var router = Router()
        router.use(frontDoor)
        router.add(.POST, "/attend", attend)
        router.add(.POST, "/tokenize", tokenize)
        router.add(.POST, "/v1/embeddings", Self.openAI(embeddings))
        router.add(.GET, "/v1/models", Self.openAI(listOpenAIModels))
        router.add(.GET, "/v1/models/{name}", Self.openAI(describeOpenAIModel))
        router.add(.POST, "/embed", Self.tei(teiEmbed))
        router.add(.POST, "/embed_all", Self.tei(teiEmbedAll))
        router.add(.POST, "/", Self.tei(teiRoot))
        router.add(.POST, "/decode", Self.tei(teiDecode))
        router.add(.POST, "/similarity", similarity)
        router.add(.GET, "/info", Self.tei(teiInfo))
        router.add(.GET, "/health", Self.tei(teiHealth))
        router.add(.GET, "/models", listModels)
        router.add(.GET, "/models/{name}", describeModel)
        router.add(.GET, "/healthz", healthz)
        router.add(.GET, "/readyz", readyz)
        router.add(.GET, "/metrics", renderMetrics)
        router.add(.GET, "/openapi.json", openAPI)
        PageRoutes.register(on: &router)
        return router.freeze()
    }

    /// Routes whose GET stays public when API keys are configured (`POST /`, TEI's root, needs a key).
    static let publicRoutes: Set<String> = Set(["/healthz", "/readyz", "/health", "/openapi.json"]).union(
        PageRoutes.paths)

    /// The route patterns, for metric labels (anything else is counted as `unmatched`).
    static let routePatterns: Set<String> = Set([
        "/attend", "/tokenize", "/v1/embeddings", "/v1/models", "/v1/models/{name}", "/models", "/models/{name}",
        "/healthz", "/readyz", "/metrics", "/openapi.json", "/embed", "/embed_all", "/decode", "/similarity",
        "/info", "/health",
    ]).union(PageRoutes.paths)

    /// The routes `openapi.json` documents: every route but the page's, plus `POST /` (TEI's root, which shares
    /// its path with the page's `GET /`).
    static let documentedRoutes: Set<String> = routePatterns.subtracting(PageRoutes.paths).union(["/"])
}
