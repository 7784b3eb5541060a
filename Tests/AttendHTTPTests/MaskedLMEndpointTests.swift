import AttendCore
import Foundation
import JSON
import TestSupport
import Testing
import Transformer

@testable import AttendHTTP

/// `POST /attend` with `"predictions"` and `"analysis": ["heads"]` on the tiny BertForMaskedLM fixture
/// (`scripts/make-mlm-fixture.py`): the answers against `transformers` and numpy, in JSON, streamed and safetensors.
@Suite struct MaskedLMEndpointTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("TransformerTests/Fixtures/mlm").path

    static func model() throws -> ServedModel {
        ServedModel(name: "mlm", model: try CheckpointLoader.load(directory: fixtures + "/tied"))
    }

    static func golden() throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: fixtures + "/expected.json"))
        let index = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let checkpoints = try #require(index["checkpoints"] as? [String: Any])
        return try #require(checkpoints["tied"] as? [String: Any])
    }

    static func cases() throws -> [[String: Any]] { try #require(try golden()["cases"] as? [[String: Any]]) }

    static func idsBody(_ cases: [[String: Any]]) -> String {
        let lists = cases.map { "[" + ($0["ids"] as? [Int] ?? []).map(String.init).joined(separator: ",") + "]" }
        return "\"input_ids\":[" + lists.joined(separator: ",") + "]"
    }

    static func floats(_ value: JSONValue?) -> [Float] {
        (value?.array ?? []).map { v in
            if case .number(let n) = v { return Float(n.double) }
            return .nan
        }
    }

    @Test func predictions_MatchTransformersTopK_AtEveryMaskOfEveryInput() async throws {
        let cases = try Self.cases()
        try await LiveService.with(models: [try Self.model(), TestModels.tiny]) { live in
            let reply = try await live.post(
                "/attend", "{\"model\":\"mlm\",\(Self.idsBody(cases)),\"attentions\":false,\"predictions\":true}")
            #expect(reply.status == 200, "\(reply.text.prefix(300))")
            let results = try #require(reply.json?["results"]?.array)
            #expect(results.count == cases.count)
            for (result, golden) in zip(results, cases) {
                let predictions = result["predictions"]?.array ?? []
                let top = golden["top"] as? [[String: Any]] ?? []
                #expect(predictions.count == top.count)
                #expect(result["attentions"] == nil)
                for (prediction, expected) in zip(predictions, top) {
                    #expect(prediction["position"]?.number == Double(expected["position"] as? Int ?? -1))
                    let ids = (prediction["ids"]?.array ?? []).compactMap { $0.number.map(Int.init) }
                    #expect(ids == expected["ids"] as? [Int])
                    let tokens = (prediction["tokens"]?.array ?? []).compactMap(\.stringValue)
                    #expect(tokens == expected["tokens"] as? [String])
                    let golden = (expected["probabilities"] as? [Double] ?? []).map(Float.init)
                    let probabilities = Self.floats(prediction["probabilities"])
                    #expect(probabilities.count == golden.count)
                    for (p, g) in zip(probabilities, golden) { #expect(abs(p - g) < 1e-5) }
                    #expect(prediction["lens"] == nil)
                }
            }
        }
    }

    @Test func predictions_LogitLensEndsAtTheLastLayersPrediction_WhenAskedAtGivenPositions() async throws {
        try await LiveService.with(models: [try Self.model()]) { live in
            let reply = try await live.post(
                "/attend",
                #"{"input_ids":[[2,12,13,4,3]],"attentions":false,"predictions":{"top_k":3,"positions":[3,-1,3],"logit_lens":true}}"#
            )
            #expect(reply.status == 200, "\(reply.text.prefix(300))")
            let predictions = try #require(reply.json?["results"]?[0]?["predictions"]?.array)
            #expect(predictions.map { $0["position"]?.number } == [3, 4])
            #expect(reply.json?["results"]?[0]?["hidden_states"] == nil)
            for prediction in predictions {
                let lens = try #require(prediction["lens"]?.array)
                #expect(lens.count == 3)  // embeddings + 2 layers
                #expect(lens.last?["ids"] == prediction["ids"])
                #expect(lens.last?["probabilities"] == prediction["probabilities"])
                #expect(lens.allSatisfy { $0["ids"]?.array?.count == 3 })
            }
        }
    }

    @Test func predictions_AreRefused_WhenTheModelHasNoHeadOrAPositionIsOutside() async throws {
        try await LiveService.with(models: [try Self.model(), TestModels.tiny]) { live in
            let none = try await live.post("/attend", #"{"model":"tiny","text":"a b","predictions":{"top_k":2}}"#)
            #expect(none.status == 422)
            #expect(none.errorCode == "no_mlm_head")
            let outside = try await live.post(
                "/attend", #"{"model":"mlm","input_ids":[[2,12,3]],"predictions":{"positions":[3]}}"#)
            #expect(outside.status == 422, "\(outside.text)")
            let unknown = try await live.post(
                "/attend", #"{"model":"mlm","input_ids":[[2,12,3]],"predictions":{"k":3}}"#)
            #expect(unknown.status == 400)
            #expect(unknown.text.contains("predictions.k"))
            let badK = try await live.post(
                "/attend", #"{"model":"mlm","input_ids":[[2,12,3]],"predictions":{"top_k":0}}"#)
            #expect(badK.status == 400)
            let models = try await live.call("GET", "/models")
            let heads = (models.json?["models"]?.array ?? []).map { $0["mlm_head"] }
            #expect(heads == [.bool(true), .bool(false)])
        }
    }

    @Test func headRoles_MatchNumpy_PerInputAndOverTheBatch() async throws {
        let golden = try Self.golden()
        let cases = try Self.cases()
        try await LiveService.with(models: [try Self.model()]) { live in
            let reply = try await live.post(
                "/attend", "{\(Self.idsBody(cases)),\"attentions\":false,\"analysis\":[\"heads\"]}")
            #expect(reply.status == 200, "\(reply.text.prefix(300))")
            let json = try #require(reply.json)
            func check(_ roles: JSONValue?, _ expected: [String: Any], _ label: String) {
                for measure in HeadRoles.Measure.allCases.map(\.rawValue) {
                    let want = (expected[measure] as? [[Any]] ?? []).map { $0.map { ($0 as? Double).map(Float.init) } }
                    let got = (roles?[measure]?.array ?? []).map(Self.floats)
                    #expect(got.count == want.count, "\(label) \(measure)")
                    for (g, w) in zip(got.joined(), want.joined()) {
                        if let w { #expect(abs(g - w) <= 1e-5, "\(label) \(measure)") } else { #expect(g.isNaN) }
                    }
                }
                let tags = (roles?["tag"]?.array ?? []).map { $0.array?.map(\.stringValue) ?? [] }
                let want = (expected["tag"] as? [[Any]] ?? []).map { $0.map { $0 as? String } }
                #expect(tags == want, "\(label) tags")
            }
            for (c, result) in (json["results"]?.array ?? []).enumerated() {
                #expect(result["attentions"] == nil)
                #expect(result["analysis"] == nil)
                check(result["head_roles"], cases[c]["head_roles"] as? [String: Any] ?? [:], "case \(c)")
            }
            check(json["head_roles"], golden["head_roles_mean"] as? [String: Any] ?? [:], "batch")
            #expect(json["head_roles"]?["inputs"]?.number == Double(cases.count))
        }
    }

    @Test func analysis_AcceptsAListOfParts_AndRefusesUnknownOnes() async throws {
        try await LiveService.with(models: [try Self.model()]) { live in
            let both = try await live.post("/attend", #"{"input_ids":[[2,12,3]],"analysis":["rollout","heads"]}"#)
            #expect(both.status == 200)
            #expect(both.json?["results"]?[0]?["analysis"]?["rollout"] != nil)
            #expect(both.json?["results"]?[0]?["head_roles"] != nil)
            #expect(both.json?["results"]?[0]?["attentions"] != nil)
            let plain = try await live.post("/attend", #"{"input_ids":[[2,12,3]],"analysis":true}"#)
            #expect(plain.json?["head_roles"] == nil)
            #expect(plain.json?["results"]?[0]?["head_roles"] == nil)
            let unknown = try await live.post("/attend", #"{"input_ids":[[2,12,3]],"analysis":["nope"]}"#)
            #expect(unknown.status == 422)
            let wrong = try await live.post("/attend", #"{"input_ids":[[2,12,3]],"analysis":3}"#)
            #expect(wrong.status == 400)
        }
    }

    @Test func streamedAnswer_IsByteIdenticalToTheWholeOne_WithRolesAndPredictions() async throws {
        let app = AttendApp(configuration: ServiceConfiguration(), registry: ModelRegistry(models: [try Self.model()]))
        defer { app.shutdown() }
        let body =
            "{\(Self.idsBody(try Self.cases())),\"analysis\":[\"heads\",\"entropy\"],"
            + "\"predictions\":{\"top_k\":4,\"logit_lens\":true},\"precision\":4}"
        let typed = try AttendRequest.decode(Array(body.utf8), registry: app.engine.registry, limits: app.engine.limits)
        let job = try await app.engine.prepare(typed)
        let results = try await app.engine.run(job)
        let whole = JSONWriter()
        AttendResponseWriter.write(job, results: results, into: whole)
        #expect((try? JSONParser().parse(whole.bytes)) != nil)
        for (window, target) in [(1, 1), (4, 4096)] {
            let stream = AttendResponseStream.make(
                job, results: results, lease: nil, workers: app.engine.workers, window: window, target: target)
            #expect(try await stream.collect() == whole.bytes)
        }
        #expect(job.estimate.responseBytes >= whole.bytes.count)
    }

    @Test func estimate_CountsPredictionsAndRoles_AndRefusesBeforeComputing_WhenTooLarge() async throws {
        var configuration = ServiceConfiguration()
        configuration.server.maxResponseBytes = 256 << 10
        let app = AttendApp(configuration: configuration, registry: ModelRegistry(models: [try Self.model()]))
        defer { app.shutdown() }
        func prepare(_ extra: String) async throws -> AttendJob {
            let ids = "[" + (0..<30).map { _ in "4" }.joined(separator: ",") + "]"
            let body = "{\"input_ids\":[\(ids),\(ids)],\"attentions\":false\(extra)}"
            let typed = try AttendRequest.decode(
                Array(body.utf8), registry: app.engine.registry, limits: app.engine.limits)
            return try await app.engine.prepare(typed)
        }
        let plain = try await prepare("")
        let roles = try await prepare(#","analysis":["heads"]"#)
        let top = try await prepare(#","predictions":{"top_k":5}"#)
        // Head roles keep 2 layers × 2 heads × 30² floats per input for the pass.
        #expect(roles.estimate.memoryBytes - plain.estimate.memoryBytes >= 2 * 2 * 2 * 900 * 4)
        #expect(roles.estimate.responseBytes > plain.estimate.responseBytes)
        // 60 masks × 5 entries, each at least an id, a probability and a token.
        #expect(top.estimate.responseBytes - plain.estimate.responseBytes >= 60 * 5 * 20)
        await #expect {
            _ = try await prepare(#","predictions":{"top_k":100,"logit_lens":true}"#)
        } throws: { error in
            guard case CoreError.responseTooLarge(let message) = error else { return false }
            return message.contains("bytes")
        }
    }

    @Test func safetensorsAnswer_HoldsRolesAndPredictions() async throws {
        try await LiveService.with(models: [try Self.model()]) { live in
            let reply = try await live.post(
                "/attend",
                #"{"input_ids":[[2,12,13,4,3],[2,4,3]],"format":"safetensors","analysis":["heads"],"predictions":{"top_k":3,"logit_lens":true}}"#
            )
            #expect(reply.status == 200)
            let file = try SafetensorsFile(bytes: reply.body, path: "answer")
            #expect(file.entries["results.0.head_roles"]?.shape == [7, 2, 2])
            #expect(file.entries["head_roles"]?.shape == [7, 2, 2])
            #expect(file.entries["results.0.predictions.ids"]?.shape == [1, 3])
            #expect(file.entries["results.1.predictions.positions"]?.shape == [1])
            #expect(file.entries["results.1.predictions.lens.probabilities"]?.shape == [1, 3, 3])
            #expect(file.metadata["head_roles.inputs"] == "2")
            #expect(file.metadata["results.0.predictions.tokens"]?.hasPrefix("[[") == true)
        }
    }
}
