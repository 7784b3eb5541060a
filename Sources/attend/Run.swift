import ArgumentParser
import AttendCore
import AttendHTTP
import Foundation
import HTTP1
import HTTPServer
import JSON
import Logging

/// `attend run`: one `POST /attend` request from stdin (or `--text`), answered on stdout through the same router
/// and handler as the server, with no server; with `--top k`, a table of each token's k largest attention weights
/// instead (`Run+Table.swift`).
struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Answer one POST /attend request (JSON on stdin, or --text) on stdout, without a server.",
        discussion: """
            With --top K (and --text), print instead, per token, the K tokens it attends to most as a table: the \
            mean over the heads of the last layer, or --layer L and --head H (negative counting from the end).
            """)

    @OptionGroup var options: ConfigurationOptions

    @Option(name: .long, help: "Text to run instead of reading a request from stdin (repeat for a batch).")
    var text: [String] = []

    @Option(name: .long, help: "Model name (with --text).")
    var model: String?

    @Option(name: .long, help: "Endpoint to call: /attend, /tokenize or /v1/embeddings.")
    var endpoint: String = "/attend"

    @Option(name: .long, help: "Print, per token, the K tokens it attends to most, as a table (needs --text).")
    var top: Int?

    @Option(
        name: .long, parsing: .unconditional,
        help: "With --top: the layer, negative counting from the end (default: -1, the last).")
    var layer: Int?

    @Option(
        name: .long, parsing: .unconditional,
        help: "With --top: one head, negative counting from the end (default: the mean over the layer's heads).")
    var head: Int?

    func validate() throws {
        if top == nil && (layer != nil || head != nil) { throw ValidationError("--layer and --head go with --top") }
        if let top {
            guard top >= 1 else { throw ValidationError("--top: expected an integer ≥ 1, not \(top)") }
            guard !text.isEmpty else { throw ValidationError("--top needs the input as --text (repeat for a batch)") }
            guard endpoint == "/attend" else { throw ValidationError("--top answers /attend only") }
        }
    }

    func run() async throws {
        AllocatorTuning.apply()
        let configuration = try options.load()
        LogSetup.bootstrap(configuration.server.logFormat)
        let logger = Logger(label: "attend")
        if let top {
            try await printTables(configuration: configuration, top: top, logger: logger)
            return
        }
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
        FileHandle.standardOutput.write(Data(response.body + [0x0A]))
        if response.status.code != 200 { throw ExitCode.failure }
    }
}
