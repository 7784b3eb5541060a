import AttendCore
import Foundation
import JSON
import TestSupport
import Testing
import Transformer

@testable import AttendHTTP

/// `GET /models` says each model's family and whether it is causal; contributions on the post-LN families answer,
/// GPT-2's pre-LN refuses them with a 422.
@Suite("ModelFamilyEndpoint")
struct ModelFamilyEndpointTests {
    /// A family fixture checkpoint (Tests/TransformerTests/Fixtures/families/NAME) served under its family's name.
    static func family(_ name: String) throws -> ServedModel {
        let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("TransformerTests/Fixtures/families/\(name)").path
        return ServedModel(name: name, model: try CheckpointLoader.load(directory: directory))
    }

    static func models() throws -> [ServedModel] {
        var causal = EncoderConfiguration(
            layers: 2, heads: 2, hiddenSize: 16, intermediateSize: 32, maxPositions: 32, vocabularySize: 200,
            typeVocabularySize: 0, normPlacement: .pre, embeddingNorm: false, causal: true)
        causal.seed = 3
        var causalPostLN = causal
        causalPostLN.normPlacement = .post
        causalPostLN.embeddingNorm = true
        return [
            TestModels.tiny, ServedModel(name: "seeded-causal", model: try Model.seeded(causal)),
            ServedModel(name: "seeded-causal-post", model: try Model.seeded(causalPostLN)),
            try family("roberta"), try family("xlm-roberta"), try family("distilbert"), try family("gpt2"),
        ]
    }

    @Test func models_ReportFamilyAndCausality_ForSeededAndEveryFamilyCheckpoint() async throws {
        try await LiveService.with(models: try Self.models()) { live in
            let list = try await live.call("GET", "/models")
            #expect(list.status == 200)
            let models = try #require(list.json?["models"]?.array)
            var byName: [String: JSONValue] = [:]
            for model in models {
                if case .string(let name)? = model["name"] { byName[name] = model }
            }
            let expected: [(String, String, Bool, Int, String, Bool, String)] = [
                // name, family, causal, position_offset, norm_placement, embedding_norm, pooling
                ("tiny", "seeded", false, 0, "post", true, "mean"),
                ("seeded-causal", "seeded", true, 0, "pre", false, "mean"),
                ("roberta", "roberta", false, 2, "post", true, "mean"),
                ("xlm-roberta", "xlm-roberta", false, 2, "post", true, "mean"),
                ("distilbert", "distilbert", false, 0, "post", true, "mean"),
                ("gpt2", "gpt2", true, 0, "pre", false, "last"),
            ]
            for (name, family, causal, offset, placement, norm, pooling) in expected {
                let model = try #require(byName[name], "\(name) is listed")
                #expect(model["family"] == .string(family), "\(name)")
                #expect(model["causal"] == .bool(causal), "\(name)")
                #expect(model["pooling"] == .string(pooling), "\(name)")
                let architecture = try #require(model["architecture"], "\(name)")
                #expect(architecture["causal"] == .bool(causal), "\(name)")
                #expect(architecture["position_offset"]?.number == Double(offset), "\(name)")
                #expect(architecture["norm_placement"] == .string(placement), "\(name)")
                #expect(architecture["embedding_norm"] == .bool(norm), "\(name)")
            }
            let one = try await live.call("GET", "/models/gpt2")
            #expect(one.json?["family"] == .string("gpt2"))
            #expect(one.json?["causal"] == .bool(true))
        }
    }

    @Test func attend_AnswersContributions_ForPostLNFamilies_And422ForGPT2() async throws {
        try await LiveService.with(models: try Self.models()) { live in
            for name in ["roberta", "xlm-roberta", "distilbert"] {
                let reply = try await live.post(
                    "/attend",
                    #"{"model":"\#(name)","text":"the dog","attentions":false,"contributions":["alti","globenc"]}"#)
                #expect(reply.status == 200, "\(name): \(reply.text)")
                let alti = reply.json?["results"]?[0]?["contributions"]?["alti"]?["layers"]?.array
                #expect(alti?.count == 2, "\(name): two layers of alti")
            }
            for name in ["gpt2", "seeded-causal"] {
                let reply = try await live.post(
                    "/attend", #"{"model":"\#(name)","text":"the dog","attentions":false,"contributions":["alti"]}"#)
                #expect(reply.status == 422, "\(name): \(reply.text)")
                let message = reply.json?["error"]?["message"]?.stringValue ?? ""
                #expect(message.contains("pre-LN"), "\(name): \(message)")
            }
            // Post-LN but causal: the decomposition's recomputed weights have no causal mask, so it refuses too.
            let reply = try await live.post(
                "/attend",
                #"{"model":"seeded-causal-post","text":"the dog","attentions":false,"contributions":["norm"]}"#)
            #expect(reply.status == 422, "\(reply.text)")
            let message = reply.json?["error"]?["message"]?.stringValue ?? ""
            #expect(message.contains("causal"), "\(reply.text)")
            let similarity = try await live.post(
                "/similarity",
                #"{"model":"seeded-causal-post","a":"the dog","b":"a cat","explain":true,"measure":"alti"}"#)
            #expect(similarity.status == 422, "\(similarity.text)")
        }
    }

    @Test func attend_MapsAreLowerTriangular_ForCausalModels() async throws {
        try await LiveService.with(models: try Self.models()) { live in
            for name in ["gpt2", "seeded-causal"] {
                let reply = try await live.post("/attend", #"{"model":"\#(name)","text":"the dog chased the ball"}"#)
                #expect(reply.status == 200, "\(name): \(reply.text)")
                let layers = try #require(reply.json?["results"]?[0]?["attentions"]?.array, "\(name)")
                var above = 0.0
                var diagonal = 0.0
                for layer in layers {
                    for head in layer.array ?? [] {
                        for (i, row) in (head.array ?? []).enumerated() {
                            for (j, cell) in (row.array ?? []).enumerated() {
                                let v = cell.number ?? .nan
                                if j > i { above = max(above, abs(v)) }
                                if i == 0 && j == 0 { diagonal = v }
                            }
                        }
                    }
                }
                #expect(above == 0, "\(name): largest weight above the diagonal \(above)")
                #expect(diagonal == 1, "\(name): the first query sees only itself")
            }
        }
    }
}
