import AttendCore
import Foundation
import HTTP1
import HTTPServer
import JSON
import Testing
import Transformer

@testable import AttendHTTP

@Suite struct ServiceConfigurationTests {
    func parse(_ text: String) throws(ConfigurationError) -> ServiceConfiguration {
        try ServiceConfiguration.parse(json: Array(text.utf8))
    }

    func expectError(_ text: String, _ description: String, sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            _ = try parse(text)
            Issue.record("accepted \(text)", sourceLocation: sourceLocation)
        } catch {
            #expect(error.description == description, sourceLocation: sourceLocation)
        }
    }

    static let model =
        #""models":[{"name":"m","architecture":{"layers":1,"heads":2,"hidden_size":8,"intermediate_size":16,"max_positions":16,"vocab_size":50}}]"#

    @Test func configuration_ParsesEveryKey() throws {
        let c = try parse(
            #"{"server":{"host":"::","port":9000,"max_connections":10,"max_response_bytes":4096,"api_keys":["k"],"#
                + #""log_format":"json","limits":{"max_body_bytes":100,"max_header_bytes":1024,"max_headers":5,"#
                + #""max_request_line_bytes":512},"timeouts":{"header_ms":1,"idle_ms":2,"body_ms":3,"write_ms":4},"#
                + #""gzip":{"enabled":false,"min_bytes":9},"tls":{"cert":"c.pem","key":"k.pem"}},"#
                + #""compute":{"threads":2,"batching":{"max_batch_tokens":100,"max_batch_size":4,"max_wait_ms":0.5,"#
                + #""queue_capacity":3}},"# + Self.model.dropLast()
                + #",{"name":"ck","checkpoint":"models/x","pooling":"cls","normalize":true}]}"#)
        #expect(c.server.host == "::")
        #expect(c.server.port == 9000)
        #expect(c.server.logFormat == .json)
        #expect(c.server.tlsKeyPath == "k.pem")
        #expect(c.server.writeTimeoutMilliseconds == 4)
        #expect(c.compute.maxWaitMilliseconds == 0.5)
        #expect(c.models.count == 2)
        #expect(c.models[1] == .init(name: "ck", source: .checkpoint("models/x"), pooling: .cls, normalize: true))
        guard case .architecture(let a) = c.models[0].source else {
            Issue.record("not an architecture")
            return
        }
        #expect(a.hiddenSize == 8)
    }

    @Test func configuration_NamesTheKeyPath_WhenAValueIsBad() {
        expectError(#"{"server":{"port":70000},\#(Self.model)}"#, "server.port: expected integer 0...65535")
        expectError(#"{"server":{"port":"80"},\#(Self.model)}"#, "server.port: expected integer 0...65535")
        expectError(#"{"server":{"prot":80},\#(Self.model)}"#, "server.prot: unknown key")
        expectError(#"{"server":{"limits":{"max_body":1}},\#(Self.model)}"#, "server.limits.max_body: unknown key")
        expectError(#"{"server":{"log_format":"xml"},\#(Self.model)}"#, "server.log_format: expected one of text, json")
        expectError(
            #"{"compute":{"batching":{"max_wait_ms":-1}},\#(Self.model)}"#,
            "compute.batching.max_wait_ms: expected number 0.0...1000.0")
        expectError(#"{"extra":1,\#(Self.model)}"#, "extra: unknown key")
        expectError(#"{}"#, "models: required: a non-empty array of models")
        expectError(
            #"{"models":[{"name":"a"}]}"#, #"models[0]: expected exactly one of "architecture" or "checkpoint""#)
        expectError(#"{"models":[{"name":"a","checkpoint":"x","size":1}]}"#, "models[0].size: unknown key")
        expectError(
            #"{"models":[{"name":"a","checkpoint":"x"},{"name":"a","checkpoint":"y"}]}"#,
            #"models[1].name: duplicate model name "a""#)
        expectError(
            #"{"server":{"tls":{"cert":"c"}},\#(Self.model)}"#, "server.tls.key: required: path of the PEM private key")
    }

    @Test func configuration_ReadsRequestCaps_AndRejectsBadOnes() throws {
        let c = try parse(#"{"compute":{"max_request_tokens":100,"max_request_sequences":7},\#(Self.model)}"#)
        #expect(c.compute.maxRequestTokens == 100 && c.compute.maxRequestSequences == 7)
        let d = try ServiceConfiguration.embeddedDefault()
        #expect(d.compute.maxRequestTokens == 16384 && d.compute.maxRequestSequences == 2048)
        expectError(
            #"{"compute":{"max_request_tokens":0},\#(Self.model)}"#,
            "compute.max_request_tokens: expected integer 1...16777216")
    }

    @Test func startupFailure_StopsNamingEachModelAndError_WhenAnyModelFailed() {
        #expect(AttendApp.startupFailure([:]) == nil)
        let message = AttendApp.startupFailure(["b": "tensor x missing in w.safetensors", "a": "no config.json"])
        #expect(
            message == "2 model(s) failed to load, stopping: a: no config.json; b: tensor x missing in w.safetensors")
    }

    @Test func configuration_NamesTheArchitectureField_WhenInvalid() {
        do {
            _ = try parse(#"{"models":[{"name":"m","architecture":{"layers":0}}]}"#)
            Issue.record("accepted")
        } catch {
            #expect(error.path == "models[0].architecture")
            #expect(error.message.contains("layers"))
        }
    }

    @Test func environment_OverridesTheFile() throws {
        var c = try ServiceConfiguration.embeddedDefault()
        try c.applyEnvironment([
            "PORT": "9999", "HOST": "127.0.0.1", "ATTEND_API_KEYS": "a, b", "ATTEND_LOG_FORMAT": "json",
            "ATTEND_THREADS": "1",
        ])
        #expect(c.server.port == 9999)
        #expect(c.server.host == "127.0.0.1")
        #expect(c.server.apiKeys == ["a", "b"])
        #expect(c.server.logFormat == .json)
        #expect(c.compute.threads == 1)
        #expect(throws: ConfigurationError.self) { try c.applyEnvironment(["PORT": "x"]) }
    }

    @Test func embeddedDefault_EqualsConfigDefaultJSON_AndShipsConfigsParse() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let file = try Data(contentsOf: root.appendingPathComponent("config/default.json"))
        #expect(String(decoding: file, as: UTF8.self) == ServiceConfiguration.embeddedDefaultJSON + "\n")
        let embedded = try ServiceConfiguration.embeddedDefault()
        #expect(embedded.models.map(\.name) == ["seeded"])
        let minilm = try ServiceConfiguration.parse(
            json: Array(try Data(contentsOf: root.appendingPathComponent("config/minilm.json"))))
        #expect(minilm.models.map(\.name) == ["minilm", "seeded"])
    }

    @Test func defaults_AreDefinedOnce_WhenTheDefaultFileSpellsThemOut() throws {
        // config/default.json names every default; parsing it must give what an empty configuration has, and the
        // server's defaults must be the HTTP layers' own.
        let embedded = try ServiceConfiguration.embeddedDefault()
        var bare = try parse("{" + Self.model + "}")
        bare.models = embedded.models
        #expect(embedded == bare)
        let http = ServerConfiguration()
        #expect(bare.server.maxHeaderBytes == ParserLimits.default.maxHeaderBytes)
        #expect(bare.server.maxBodyBytes == ParserLimits.default.maxBodyBytes)
        #expect(bare.server.maxConnections == http.maxConnections)
        #expect(bare.server.headerTimeoutMilliseconds == 10_000 && http.timeouts.header == .seconds(10))
        #expect(bare.server.gzipMinimumBytes == http.gzip.minimumBytes)
    }

    @Test func configuration_ReadsTheMemoryBudget_AndRejectsATinyOne() throws {
        let c = try parse(#"{"compute":{"max_memory_bytes":1073741824,"budget_wait_ms":250},"# + Self.model + "}")
        #expect(c.compute.maxMemoryBytes == 1 << 30)
        #expect(c.compute.maxBudgetWaitMilliseconds == 250)
        #expect(try parse("{" + Self.model + "}").compute.maxMemoryBytes == nil)
        expectError(
            #"{"compute":{"max_memory_bytes":1000},"# + Self.model + "}",
            "compute.max_memory_bytes: expected integer 16777216...17592186044416")
    }
}
