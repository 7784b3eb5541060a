import ArgumentParser
import AttendCore
import AttendHTTP
import Foundation
import HTTP1
import HTTPServer
import JSON
import Logging

/// `attend run`: one `POST /attend` request from stdin (or `--text`), answered on stdout through the same router
/// and handler as the server, with no server.
struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Answer one POST /attend request (JSON on stdin, or --text) on stdout, without a server.")

    @OptionGroup var options: ConfigurationOptions

    @Option(name: .long, help: "Text to run instead of reading a request from stdin (repeat for a batch).")
    var text: [String] = []

    @Option(name: .long, help: "Model name (with --text).")
    var model: String?

    @Option(name: .long, help: "Endpoint to call: /attend, /tokenize or /v1/embeddings.")
    var endpoint: String = "/attend"

    func run() async throws {
        AllocatorTuning.apply()
        let configuration = try options.load()
        LogSetup.bootstrap(configuration.server.logFormat)
        let logger = Logger(label: "attend")
        let body: [UInt8]
        if text.isEmpty {
            body = Array(FileHandle.standardInput.readDataToEndOfFile())
        } else {
            let w = JSONWriter()
            w.raw(endpoint == "/v1/embeddings" ? "{\"input\":" : "{\"text\":")
            if text.count == 1 { w.string(text[0]) } else { w.strings(text) }
            if let model {
                w.raw(",\"model\":")
                w.string(model)
            }
            w.byte(UInt8(ascii: "}"))
            body = w.bytes
        }
        let app = AttendApp(configuration: configuration)
        for (name, failure) in app.loadModels().sorted(by: { $0.key < $1.key }) {
            logger.error("model failed to load", metadata: ["model": "\(name)", "error": "\(failure)"])
        }
        let request = Request(
            head: RequestHead(method: .POST, target: endpoint, headers: ["Content-Type": "application/json"]),
            body: body)
        let response = await app.makeRouter().respond(
            to: request, context: RequestContext(remoteAddress: "stdin", logger: logger))
        app.shutdown()
        FileHandle.standardOutput.write(Data(try await response.collectedBody() + [0x0A]))
        if response.status.code != 200 { throw ExitCode.failure }
    }
}
