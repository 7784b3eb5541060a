import AttendCore
import Foundation
import JSON
import TestSupport
import Testing
import Transformer

@testable import AttendHTTP

/// OpenAI compatibility end to end: `dimensions` (cut + re-normalised where the model allows it), `GET /v1/models`,
/// `user`, and OpenAI's error shape on every `/v1/*` answer.
@Suite(.serialized) struct OpenAICompatibilityTests {
    /// The tiny model configured as Matryoshka-trained to 16 and 8 dimensions.
    static let matryoshka: ServedModel = {
        do {
            return ServedModel(
                name: "tiny", model: try Model.seeded(TestModels.configuration), pooling: .mean, normalize: true,
                matryoshkaDimensions: [16, 8])
        } catch {
            preconditionFailure("seeded test model: \(error)")
        }
    }()

    func vector(_ reply: LoopbackClient.Reply, _ index: Int = 0) -> [Float] {
        reply.json?["data"]?[index]?["embedding"]?.floats ?? []
    }

    func expectOpenAIError(
        _ reply: LoopbackClient.Reply, _ status: Int, type: String = "invalid_request_error", param: String? = nil,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(reply.status == status, "\(reply.text)", sourceLocation: sourceLocation)
        let error = reply.json?["error"]
        #expect(error?["message"]?.stringValue?.isEmpty == false, "\(reply.text)", sourceLocation: sourceLocation)
        #expect(error?["type"]?.stringValue == type, "\(reply.text)", sourceLocation: sourceLocation)
        #expect(error?["code"]?.stringValue?.isEmpty == false, "\(reply.text)", sourceLocation: sourceLocation)
        let expected = param.map { JSONValue.string($0) } ?? .null
        #expect(error?["param"] == expected, "\(reply.text)", sourceLocation: sourceLocation)
        #expect(reply.header("content-type") == "application/json", sourceLocation: sourceLocation)
    }

    @Test func dimensions_CutsAndRenormalises_WhenModelIsMatryoshka() async throws {
        try await LiveService.with(models: [Self.matryoshka]) { live in
            let full = vector(try await live.post("/v1/embeddings", #"{"input":"hello there"}"#))
            #expect(full.count == 32)
            for width in [16, 8] {
                let reply = try await live.post("/v1/embeddings", #"{"input":"hello there","dimensions":\#(width)}"#)
                #expect(reply.status == 200, "\(reply.text)")
                let cut = vector(reply)
                #expect(cut.count == width)
                let prefix = Array(full.prefix(width))
                let norm = prefix.reduce(0) { $0 + $1 * $1 }.squareRoot()
                for (a, b) in zip(cut, prefix) { #expect(abs(a - b / norm) < 1e-5) }
                #expect(abs(cut.reduce(0) { $0 + $1 * $1 } - 1) < 1e-4)
            }
            let b64 = try await live.post(
                "/v1/embeddings", #"{"input":"hello there","dimensions":8,"encoding_format":"base64"}"#)
            let data = try #require(Data(base64Encoded: b64.json?["data"]?[0]?["embedding"]?.stringValue ?? ""))
            #expect(data.count == 8 * 4)
            let same = try await live.post("/v1/embeddings", #"{"input":"hello there","dimensions":32,"user":"u-1"}"#)
            #expect(vector(same) == full)
            expectOpenAIError(
                try await live.post("/v1/embeddings", #"{"input":"a","dimensions":12}"#), 422, param: "dimensions")
            expectOpenAIError(
                try await live.post("/v1/embeddings", #"{"input":"a","dimensions":64}"#), 422, param: "dimensions")
        }
    }

    @Test func dimensions_IsRefused_WhenModelIsNotMatryoshka() async throws {
        try await LiveService.with { live in
            let reply = try await live.post("/v1/embeddings", #"{"input":"a","dimensions":16}"#)
            expectOpenAIError(reply, 422, param: "dimensions")
            #expect(reply.text.contains("matryoshka_dimensions"))
            #expect(try await live.post("/v1/embeddings", #"{"input":"a","dimensions":32}"#).status == 200)
        }
    }

    @Test func models_ListsInOpenAIShape() async throws {
        try await LiveService.with { live in
            let reply = try await live.call("GET", "/v1/models")
            #expect(reply.status == 200)
            #expect(reply.json?["object"] == .string("list"))
            let data = reply.json?["data"]?.array ?? []
            #expect(data.map { $0["id"]?.stringValue } == ["tiny", "other"])
            for model in data {
                #expect(model["object"] == .string("model"))
                #expect(model["owned_by"] == .string("attend"))
                #expect((model["created"]?.number ?? 0) > 1_600_000_000)
            }
            let one = try await live.call("GET", "/v1/models/other")
            #expect(one.json?["id"] == .string("other"))
            expectOpenAIError(try await live.call("GET", "/v1/models/nope"), 404)
        }
    }

    @Test func errors_AreInOpenAIShape_OnEveryV1Answer() async throws {
        try await LiveService.with { live in
            expectOpenAIError(try await live.post("/v1/embeddings", #"{"input":"a""#), 400)
            expectOpenAIError(try await live.post("/v1/embeddings", #"{"input":"a","nope":1}"#), 400, param: "nope")
            expectOpenAIError(
                try await live.post("/v1/embeddings", #"{"input":"a","encoding_format":3}"#), 400,
                param: "encoding_format")
            expectOpenAIError(try await live.post("/v1/embeddings", #"{"input":"a","model":"nope"}"#), 404)
            expectOpenAIError(try await live.post("/v1/embeddings", #"{"input":[1,999]}"#), 422, param: "input_ids")
            expectOpenAIError(try await live.call("GET", "/v1/nothing"), 404)
            let wrongMethod = try await live.call("GET", "/v1/embeddings")
            expectOpenAIError(wrongMethod, 405)
            #expect(wrongMethod.header("allow") == "POST")
            expectOpenAIError(
                try await live.call("POST", "/v1/embeddings", json: #"{"input":"a"}"#, contentType: "text/plain"), 415)
            // Attend's own routes keep Attend's envelope.
            let attend = try await live.post("/attend", #"{"text":"a","nope":1}"#)
            #expect(attend.json?["error"]?["type"] == nil && attend.errorCode == "unknown_field")
        }
        try await LiveService.with(configure: { $0.server.apiKeys = ["k"] }) { live in
            let reply = try await live.post("/v1/embeddings", #"{"input":"a"}"#)
            expectOpenAIError(reply, 401, type: "authentication_error")
            #expect(reply.header("www-authenticate") == "Bearer")
            let ok = try await live.post("/v1/embeddings", #"{"input":"a"}"#, headers: [("Authorization", "Bearer k")])
            #expect(ok.status == 200)
        }
    }

    @Test func configuration_ReadsMatryoshkaDimensions() throws {
        let json = #"{"models":[{"name":"m","checkpoint":"x","matryoshka_dimensions":[256,128]}]}"#
        let c = try ServiceConfiguration.parse(json: Array(json.utf8))
        #expect(c.core.models[0].matryoshkaDimensions == [256, 128])
        let bad = #"{"models":[{"name":"m","checkpoint":"x","matryoshka_dimensions":[0]}]}"#
        #expect(throws: ConfigurationError.self) { try ServiceConfiguration.parse(json: Array(bad.utf8)) }
    }
}
