import ArgumentParser
import AttendCore
import AttendHTTP
import Foundation
import Logging

extension Run {
    /// `--top K`: loads the models, runs the texts through the engine (the checks, budget and batcher of
    /// `POST /attend`) and prints one ``AttentionTable`` per text on stdout. A refused request (a layer or head out
    /// of range, an unknown model, an over-long text) is one line on stderr and exit status 1.
    func printTables(configuration: ServiceConfiguration, top: Int, logger: Logger) async throws {
        let app = AttendApp(configuration: configuration)
        defer { app.shutdown() }
        for (name, failure) in app.loadModels().sorted(by: { $0.key < $1.key }) {
            logger.error("model failed to load", metadata: ["model": "\(name)", "error": "\(failure)"])
        }
        let tables: [AttentionTable]
        do {
            tables = try await app.engine.attentionTables(
                texts: text, model: model, layer: layer ?? -1, head: head, top: top)
        } catch let error as CoreError {
            FileHandle.standardError.write(Data("attend run: \(error.code): \(error)\n".utf8))
            throw ExitCode.failure
        }
        let output = tables.map { $0.rendered() }.joined(separator: "\n")
        FileHandle.standardOutput.write(Data(output.utf8))
    }
}
