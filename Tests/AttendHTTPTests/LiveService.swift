import AttendCore
import AttendHTTP
import Foundation
import HTTPServer
import JSON
import Logging
import TestSupport
import Transformer

/// A running server on loopback port 0 with the test models.
struct LiveService {
    let app: AttendApp
    let server: Server
    let port: Int

    static func start(
        models: [ServedModel]? = [TestModels.tiny, TestModels.other],
        batchEvents: EventLog<Batcher.Event>? = nil,
        _ configure: (inout ServiceConfiguration) -> Void = { _ in }
    ) throws -> LiveService {
        var configuration = ServiceConfiguration()
        configuration.server.host = "127.0.0.1"
        configuration.server.port = 0
        configuration.compute.maxWaitMilliseconds = 1
        configure(&configuration)
        let registry = models.map { ModelRegistry(models: $0) }
        var handler: Batcher.EventHandler?
        if let batchEvents { handler = { event in batchEvents.record(event) } }
        let app = AttendApp(configuration: configuration, registry: registry, batchEvents: handler)
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let server = Server(configuration: app.serverConfiguration, router: app.makeRouter(), logger: logger)
        let port = try server.start()
        return LiveService(app: app, server: server, port: port)
    }

    func stop() async {
        await server.shutdown(deadline: .seconds(1))
        app.shutdown()
    }

    /// Runs `body` against a fresh live service and always awaits the service down afterwards, also when `body`
    /// throws or an expectation fails.
    static func with<T>(
        models: [ServedModel]? = [TestModels.tiny, TestModels.other],
        batchEvents: EventLog<Batcher.Event>? = nil,
        configure: (inout ServiceConfiguration) -> Void = { _ in },
        _ body: (LiveService) async throws -> T
    ) async throws -> T {
        let service = try start(models: models, batchEvents: batchEvents, configure)
        do {
            let result = try await body(service)
            await service.stop()
            return result
        } catch {
            await service.stop()
            throw error
        }
    }

    /// One request on a fresh connection, run on its own thread (the client blocks).
    func call(
        _ method: String, _ path: String, json: String? = nil, headers: [(String, String)] = [],
        contentType: String? = "application/json"
    ) async throws -> LoopbackClient.Reply {
        let port = port
        return try await onThread {
            let client = LoopbackClient(port: port)
            defer { client.close() }
            return try client.request(
                method, path, body: json.map { Array($0.utf8) }, headers: headers, contentType: contentType)
        }
    }

    func post(_ path: String, _ json: String, headers: [(String, String)] = []) async throws -> LoopbackClient.Reply {
        try await call("POST", path, json: json, headers: headers)
    }
}

/// Runs blocking work on a new thread, never on the cooperative pool (whose threads the server needs).
func onThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread {
            do {
                continuation.resume(returning: try body())
            } catch {
                continuation.resume(throwing: error)
            }
        }
        thread.start()
    }
}

extension LoopbackClient.Reply {
    /// The body parsed as JSON (fails the test on error via `#require` at call sites).
    var json: JSONValue? { try? JSONParser().parse(body) }

    var errorCode: String? {
        guard case .string(let code)? = json?["error"]?["code"] else { return nil }
        return code
    }
}
