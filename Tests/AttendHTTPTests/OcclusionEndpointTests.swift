import AttendCore
import Foundation
import JSON
import TestSupport
import Testing
import Transformer

@testable import AttendHTTP

/// `"occlusion": true` on `POST /attend` over loopback (README "Occlusion"): the JSON member, the same numbers
/// streamed and in safetensors, and the refusals.
@Suite("OcclusionEndpoint")
struct OcclusionEndpointTests {
    static let body =
        #"{"text":["the dog chased the ball","a cat"],"attentions":false,"analysis":true,"#
        + #""contributions":["alti","norm_heads"],"occlusion":true"#

    @Test func attend_ReturnsImportanceAttributionsAndSpearman_WhenOcclusionIsOn() async throws {
        try await LiveService.with() { live in
            let reply = try await live.post("/attend", Self.body + "}")
            #expect(reply.status == 200)
            let results = try #require(reply.json?["results"]?.array)
            #expect(results.count == 2)
            for result in results {
                let n = try #require(result["input_ids"]?.array).count
                let o = try #require(result["occlusion"])
                #expect(o["pooling"]?.stringValue == "mean")
                let importance = try #require(o["importance"]?.array)
                #expect(importance.count == n)
                // [CLS] and [SEP] are not occluded; every other token is, with 0 ≤ importance ≤ 2.
                #expect(importance.first == .null && importance.last == .null)
                for value in importance.dropFirst().dropLast() {
                    let v = try #require(value.number, "\(value)")
                    #expect(v >= -1e-6 && v <= 2)
                }
                guard case .object(let attributions) = try #require(o["attributions"]),
                    case .object(let spearman) = try #require(o["spearman"])
                else {
                    Issue.record("attributions or spearman is not an object")
                    return
                }
                #expect(attributions.map(\.key) == ["attention_rollout", "alti"])
                #expect(spearman.map(\.key) == ["attention_rollout", "alti"])
                for (_, values) in attributions {
                    let a = try #require(values.array).compactMap(\.number)
                    #expect(a.count == n)
                    // Mean pooling over row-stochastic rollouts: the attribution sums to 1.
                    #expect(abs(a.reduce(0, +) - 1) < 1e-4)
                }
                for (_, rho) in spearman where rho != .null {
                    let r = try #require(rho.number)
                    #expect(r >= -1 && r <= 1)
                }
            }
            // The second text has two occluded tokens: a correlation of ±1 or none (tied values).
            let plain = try await live.post("/attend", #"{"text":"a cat","attentions":false}"#)
            #expect(plain.json?["results"]?[0]?["occlusion"] == nil)
        }
    }

    /// The streamed writer produces the whole writer's bytes with occlusion too.
    @Test func streamedJSON_IsByteIdenticalToWholeWriter_WithOcclusion() async throws {
        let app = AttendApp(configuration: ServiceConfiguration(), registry: ModelRegistry(models: [TestModels.tiny]))
        defer { app.shutdown() }
        for body in [Self.body + "}", #"{"text":"the dog runs","occlusion":true,"precision":3,"layers":[1]}"#] {
            let typed = try AttendRequest.decode(
                Array(body.utf8), registry: app.engine.registry, limits: app.engine.limits)
            let job = try await app.engine.prepare(typed)
            let results = try await app.engine.run(job)
            let whole = JSONWriter()
            AttendResponseWriter.write(job, results: results, into: whole)
            for (window, target) in [(1, 1), (4, 4096)] {
                let stream = AttendResponseStream.make(
                    job, results: results, lease: nil, workers: app.engine.workers, window: window, target: target)
                #expect(try await stream.collect() == whole.bytes, "\(body) window \(window)")
            }
            #expect((try? JSONParser().parse(whole.bytes)) != nil)
            #expect(whole.bytes.count <= job.estimate.responseBytes)
        }
    }

    /// Safetensors: `results.{i}.occlusion.importance` (NaN where not occluded) and one tensor per attribution,
    /// the pooling and Spearman figures in the metadata; the same numbers as the JSON answer.
    @Test func attend_WritesOcclusionTensors_WhenSafetensorsAsked() async throws {
        try await LiveService.with() { live in
            let json = try #require(try await live.post("/attend", Self.body + "}").json)
            let reply = try await live.post("/attend", Self.body + #","format":"safetensors"}"#)
            #expect(reply.status == 200)
            let file = try SafetensorsFile(bytes: reply.body, path: "response")
            for i in 0..<2 {
                let prefix = "results.\(i).occlusion."
                let o = try #require(json["results"]?[i]?["occlusion"])
                let importance = try file.tensor(prefix + "importance")
                let expected = try #require(o["importance"]?.array)
                #expect(importance.shape == [expected.count])
                for (value, want) in zip(importance.storage, expected) {
                    if let want = want.number { #expect(value == Float(want)) } else { #expect(value.isNaN) }
                }
                for name in ["attention_rollout", "alti"] {
                    let tensor = try file.tensor(prefix + "attributions." + name)
                    let want = try #require(o["attributions"]?[name]?.array).compactMap(\.number).map { Float($0) }
                    #expect(tensor.storage == want)
                }
                #expect(file.metadata[prefix + "pooling"] == "mean")
                let spearman = try #require(file.metadata[prefix + "spearman"])
                let parsed = try JSONParser().parse(Array(spearman.utf8))
                #expect(parsed["alti"] == o["spearman"]?["alti"])
            }
        }
    }

    @Test func attend_RefusesOcclusion_WhenMistypedBertvizOrOverTheCap() async throws {
        try await LiveService.with(configure: { $0.compute.maxRequestTokens = 40 }) { live in
            let typed = try await live.post("/attend", #"{"text":"a cat","occlusion":"yes"}"#)
            #expect(typed.status == 400)
            let bertviz = try await live.post("/attend", #"{"text":"a cat","occlusion":true,"format":"bertviz"}"#)
            #expect(bertviz.status == 422)
            #expect(bertviz.json?["error"]?["message"]?.stringValue?.contains("occlusion") == true)
            let long = #"{"text":"the dog chased the ball and the cat","occlusion":true}"#
            let refused = try await live.post("/attend", long)
            #expect(refused.status == 413)
            #expect(refused.json?["error"]?["message"]?.stringValue?.contains("occlusion") == true)
        }
    }
}
