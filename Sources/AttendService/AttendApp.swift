import Foundation
import HTTP1
import HTTPServer
import Logging
import Transformer

/// The Attend service: configuration, models, batcher and metrics, and the router that serves them.
///
/// `attend serve` builds one, starts an `HTTPServer.Server` with ``makeRouter()`` and
/// ``serverConfiguration``, then calls ``loadModels()``; `attend run` answers one request through the same router.
public final class AttendApp: Sendable {
    public let configuration: ServiceConfiguration
    public let registry: ModelRegistry
    public let batcher: Batcher
    public let metrics: Metrics
    let apiKeys: [[UInt8]]
    /// `GET /openapi.json`'s body: the model names are fixed by the configuration, so it is rendered once.
    let openAPIBody: [UInt8]

    /// A service for `configuration`; pass `registry` to serve already-built models (tests).
    public init(configuration: ServiceConfiguration, registry: ModelRegistry? = nil) {
        self.configuration = configuration
        self.registry = registry ?? ModelRegistry(entries: configuration.models)
        let metrics = Metrics()
        self.metrics = metrics
        let compute = configuration.compute
        self.batcher = Batcher(
            limits: Batcher.Limits(
                maxBatchTokens: compute.maxBatchTokens, maxBatchSize: compute.maxBatchSize,
                maxWait: .microseconds(Int64(compute.maxWaitMilliseconds * 1000)), queueCapacity: compute.queueCapacity),
            observer: { metrics.recordBatch(requests: $0, sequences: $1, tokens: $2) })
        self.apiKeys = configuration.server.apiKeys.map { Array($0.utf8) }
        self.openAPIBody = Array(OpenAPIDocument.json(models: self.registry.names).utf8)
    }

    /// Loads every configured model (call after the server listens); returns load errors by model name.
    @discardableResult
    public func loadModels() -> [String: String] {
        if configuration.compute.threads > 0 { Compute.setThreads(configuration.compute.threads) }
        return registry.loadAll()
    }

    /// What `attend serve` does after loading: nil when every model loaded (keep serving), else the message to
    /// log before shutting down and exiting 1 (each failed model with its error, which names the file or tensor).
    public static func startupFailure(_ failures: [String: String]) -> String? {
        guard !failures.isEmpty else { return nil }
        let list = failures.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: "; ")
        return "\(failures.count) model(s) failed to load, stopping: \(list)"
    }

    /// Stops the compute thread (queued requests get 503).
    public func shutdown() { batcher.shutdown() }

    /// The HTTP server's configuration from `server`.
    public var serverConfiguration: ServerConfiguration {
        let s = configuration.server
        return ServerConfiguration(
            host: s.host, port: s.port,
            limits: ParserLimits(
                maxRequestLineBytes: s.maxRequestLineBytes, maxHeaderBytes: s.maxHeaderBytes,
                maxHeaderCount: s.maxHeaders,
                maxBodyBytes: s.maxBodyBytes),
            timeouts: ServerConfiguration.Timeouts(
                header: .milliseconds(s.headerTimeoutMilliseconds), idle: .milliseconds(s.idleTimeoutMilliseconds),
                body: .milliseconds(s.bodyTimeoutMilliseconds), write: .milliseconds(s.writeTimeoutMilliseconds)),
            maxConnections: s.maxConnections,
            gzip: ServerConfiguration.Gzip(enabled: s.gzip, minimumBytes: s.gzipMinimumBytes),
            tls: s.tlsCertificatePath.map { TLSConfiguration(certificatePath: $0, keyPath: s.tlsKeyPath ?? "") })
    }

    /// Every route, behind the logging/metrics and authentication middlewares.
    public func makeRouter() -> FrozenRouter {
        var router = Router()
        router.use(logAndCount)
        router.use(authenticate)
        router.add(.POST, "/attend", guarded(attend))
        router.add(.POST, "/tokenize", guarded(tokenize))
        router.add(.POST, "/v1/embeddings", guarded(embeddings))
        router.add(.GET, "/models", guarded(listModels))
        router.add(.GET, "/models/{name}", guarded(describeModel))
        router.add(.GET, "/healthz", guarded(healthz))
        router.add(.GET, "/readyz", guarded(readyz))
        router.add(.GET, "/metrics", guarded(renderMetrics))
        router.add(.GET, "/openapi.json", guarded(openAPI))
        PageRoutes.register(on: &router)
        return router.freeze()
    }

    /// Routes that stay public when API keys are configured.
    static let publicRoutes: Set<String> = Set(["/healthz", "/readyz", "/openapi.json"]).union(PageRoutes.paths)

    /// Converts the service's errors into the server's JSON errors.
    func guarded(_ handler: @escaping @Sendable (Request, RequestContext) async throws -> Response) -> Handler {
        { request, context in
            do {
                return try await handler(request, context)
            } catch let error as ServiceError {
                throw error.httpError
            } catch let error as TransformerError {
                throw HTTPError(.unprocessableContent, code: "unprocessable", message: error.description)
            } catch is CancellationError {
                throw HTTPError(.serviceUnavailable, code: "cancelled", message: "the request was cancelled")
            }
        }
    }
}

extension ServiceError {
    /// The server's error value for this error.
    public var httpError: HTTPError {
        var headers: HTTPHeaders = [:]
        if let retryAfter { headers.add(name: "Retry-After", value: String(retryAfter)) }
        return HTTPError(status, code: code, message: message, headers: headers)
    }
}
