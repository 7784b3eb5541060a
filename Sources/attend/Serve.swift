import ArgumentParser
import AttendCore
import AttendHTTP
import Dispatch
import Foundation
import HTTPServer
import Logging

/// `attend serve`: listen, then load the models (`/readyz` turns 200 when they are loaded; if any fails to load,
/// the error is logged and the process exits 1).
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Serve the HTTP API.")

    @OptionGroup var options: ConfigurationOptions

    @Option(name: .long, help: "Address to listen on (overrides the configuration and $HOST).")
    var host: String?

    @Option(name: .long, help: "Port to listen on, 0 for any (overrides the configuration and $PORT).")
    var port: Int?

    func run() async throws {
        AllocatorTuning.apply()
        var configuration = try options.load()
        if let host { configuration.server.host = host }
        if let port {
            guard (0...65535).contains(port) else { throw ValidationError("--port: expected integer 0...65535") }
            configuration.server.port = port
        }
        LogSetup.bootstrap(configuration.server.logFormat)
        let logger = Logger(label: "attend")
        let app = AttendApp(configuration: configuration)
        LogSetup.count(into: app.metrics)
        app.engine.budget.onIdle(afterReaching: AllocatorTuning.trimAfterBytes) { AllocatorTuning.trim() }
        let server = Server(configuration: app.serverConfiguration, router: app.makeRouter(), logger: logger)
        let bound: Int
        do {
            bound = try server.start()
        } catch {
            logger.critical("cannot listen on \(configuration.server.host):\(configuration.server.port): \(error)")
            throw ExitCode.failure
        }
        logger.info(
            "listening",
            metadata: [
                "host": "\(configuration.server.host)", "port": "\(bound)",
                "models": "\(configuration.models.map(\.name).joined(separator: ","))",
            ])
        let signals = SignalHandler.install { signal in
            logger.info("stopping", metadata: ["signal": "\(signal)"])
            await server.shutdown(deadline: .seconds(10))
            app.shutdown()
            logger.info("stopped")
            ProcessExit.exit(0)
        }
        // Models load after the server listens; /readyz answers 503 until then.
        let loader = Thread {
            let start = ContinuousClock.now
            let failures = app.loadModels()
            for (name, failure) in failures.sorted(by: { $0.key < $1.key }) {
                logger.error("model failed to load", metadata: ["model": "\(name)", "error": "\(failure)"])
            }
            let elapsed = ContinuousClock.now - start
            let ms = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
            if let message = AttendApp.startupFailure(failures) {
                // A server that cannot serve a configured model must not look healthy: stop and exit 1 (also when
                // a SIGTERM's shutdown gets to the exit first). The reason is written out before the drain.
                ProcessExit.markFailed()
                logger.critical("\(message)")
                LogSetup.writer?.flush()
                Task {
                    await server.shutdown(deadline: .seconds(5))
                    app.shutdown()
                    ProcessExit.exit(1)
                }
                return
            }
            logger.info("models loaded", metadata: ["ms": "\(Int(ms))", "ready": "\(app.registry.isReady)"])
        }
        loader.start()
        await SignalHandler.waitForever(keeping: signals)
    }
}
