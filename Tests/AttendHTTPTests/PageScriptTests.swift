import Foundation
import Testing

@testable import AttendHTTP

/// The embedded page script parses as JavaScript (`node --check`), when Node.js is on the machine.
@Suite("PageScript")
struct PageScriptTests {
    /// The first `node` on `PATH`, if any.
    static let node: String? = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        let candidates = path.split(separator: ":").map { String($0) + "/node" }
        return candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) })
    }()

    @Test(.enabled(if: node != nil, "needs Node.js"))
    func script_ParsesAsJavaScript_WhenCheckedByNode() throws {
        let node = try #require(Self.node)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("attend-app-\(UUID().uuidString).js")
        try Data(PageAssets.script.body).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: node)
        process.arguments = ["--check", file.path]
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "node --check: \(message)")
    }

    @Test func script_ReadsTheBinaryAnswerAndNamesRandomWeights_WhenServed() {
        let script = String(decoding: PageAssets.script.body, as: UTF8.self)
        let html = String(decoding: PageAssets.index.body, as: UTF8.self)
        #expect(script.contains("application/vnd.safetensors"))
        #expect(script.contains("random_weights"))
        #expect(html.contains("id=\"model-note\""))
        #expect(html.contains("not language"))
        #expect(html.contains("<canvas id=\"map-canvas\""))
    }
}
