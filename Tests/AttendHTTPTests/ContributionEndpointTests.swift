import AttendCore
import Foundation
import JSON
import TestSupport
import Testing
import Transformer

@testable import AttendHTTP

/// `"contributions"` on `POST /attend` over loopback (README "Token contributions"): the answer holds what the
/// encoder computes for the same ids, in JSON and safetensors, and bad measure names are refused.
@Suite("ContributionEndpoint")
struct ContributionEndpointTests {
    /// The tiny model's contributions for `ids`, computed directly.
    static func direct(_ ids: [Int32], measures: Set<ContributionMeasure>, layers: Set<Int>, heads: [Int]) throws
        -> EncoderOutput
    {
        let keep = KeptOutputs(heads: heads, contributions: measures, contributionLayers: layers)
        return try #require(
            try TestModels.tiny.encoder.forward([EncoderInput(ids: ids, keep: keep)], options: .init()).first)
    }

    @Test func attend_ReturnsEncoderContributionsAndRollouts_WhenRequested() async throws {
        try await LiveService.with() { live in
            let body =
                #"{"text":"the dog chased the ball","attentions":false,"layers":[2,0],"heads":[1],"#
                + #""contributions":["alti","norm_heads","value_zeroing","norm","globenc","norm_res_ln"],"#
                + #""contribution_rollout":true}"#
            let reply = try await live.post("/attend", body)
            #expect(reply.status == 200)
            let result = try #require(reply.json?["results"]?[0])
            let ids = try #require(result["input_ids"]?.array).compactMap(\.number).map { Int32($0) }
            let n = ids.count
            let want = try Self.direct(ids, measures: Set(ContributionMeasure.allCases), layers: [0, 2], heads: [1])
            guard case .object(let members) = try #require(result["contributions"]) else {
                Issue.record("\"contributions\" is not an object")
                return
            }
            #expect(members.map(\.key) == ContributionMeasure.allCases.map(\.rawValue))
            var worst: Float = 0
            for measure in ContributionMeasure.allCases {
                let entry = try #require(result["contributions"]?[measure.rawValue])
                let layers = try #require(entry["layers"]?.array)
                #expect(layers.count == 2)
                for (slot, layer) in [2, 0].enumerated() {
                    let expected = try #require(want.contributions[measure]?[layer])
                    let values = Self.flatten(layers[slot])
                    #expect(values.count == expected.count, "\(measure) layer \(layer)")
                    worst = max(worst, zip(values, expected.storage).map { abs($0 - $1) }.max() ?? 0)
                }
                if measure == .normHeads {
                    #expect(entry["rollout"] == nil)
                    continue
                }
                let rollout = Self.flatten(try #require(entry["rollout"]))
                let expected = try #require(ContributionAnalysis.rollout(want, measure: measure, layers: [0, 2]))
                #expect(rollout.count == n * n)
                worst = max(worst, zip(rollout, expected.storage).map { abs($0 - $1) }.max() ?? 0)
                for i in 0..<n { #expect(abs(rollout[(i * n)..<((i + 1) * n)].reduce(0, +) - 1) < 1e-4) }
            }
            print("[contributions] JSON vs encoder: max |Δ| = \(worst)")
            #expect(worst < 1e-5)
        }
    }

    @Test func attend_WritesContributionTensors_WhenSafetensorsAsked() async throws {
        try await LiveService.with() { live in
            let body = #"{"text":"a cat","layers":[1],"contributions":["alti"],"contribution_rollout":true,"#
            let json = try #require(try await live.post("/attend", body + #""attentions":false}"#).json)
            let reply = try await live.post("/attend", body + #""attentions":false,"format":"safetensors"}"#)
            #expect(reply.status == 200)
            let file = try SafetensorsFile(bytes: reply.body, path: "response")
            let layer = try file.tensor("results.0.contributions.alti.1")
            let rollout = try file.tensor("results.0.contributions.alti.rollout")
            let entry = try #require(json["results"]?[0]?["contributions"]?["alti"])
            #expect(layer.storage == Self.flatten(try #require(entry["layers"]?[0])))
            #expect(rollout.storage == Self.flatten(try #require(entry["rollout"])))
            #expect(layer.shape == rollout.shape)
        }
    }

    @Test func attend_Refuses_UnknownMeasureWith422NamingTheAllowedOnes() async throws {
        try await LiveService.with() { live in
            let reply = try await live.post("/attend", #"{"text":"a cat","contributions":["alti","shapley"]}"#)
            #expect(reply.status == 422)
            let message = reply.json?["error"]?["message"]?.stringValue ?? ""
            #expect(message.contains("shapley"))
            for measure in ContributionMeasure.allCases { #expect(message.contains(measure.rawValue)) }
            let wrongType = try await live.post("/attend", #"{"text":"a cat","contributions":"alti"}"#)
            #expect(wrongType.status == 400)
            let lonely = try await live.post("/attend", #"{"text":"a cat","contribution_rollout":true}"#)
            #expect(lonely.status == 400)
        }
    }

    @Test func attend_EstimateGrows_WithContributions() async throws {
        let engine = AttendEngine(
            configuration: CoreConfiguration(), registry: ModelRegistry(models: [TestModels.tiny]))
        defer { engine.shutdown() }
        var request = AttendRequest(source: .texts(["the dog chased the ball"]))
        request.attentions = false
        let plain = try await engine.prepare(request).estimate
        request.contributions = [.alti, .normHeads]
        request.contributionRollout = true
        let job = try await engine.prepare(request)
        let n = job.input.encodings[0].count
        let floats = (3 * (1 + 4) + 1) * n * n  // 3 layers × (alti + 4 heads of norm_heads) + one rollout
        #expect(job.estimate.responseBytes - plain.responseBytes >= floats * 13)
        #expect(
            job.estimate.memoryBytes - plain.memoryBytes
                >= floats * 4 + TestModels.tiny.encoder.contributionWorkspaceBytes(maxLength: n))
    }

    /// Every number of a nested JSON array, in order.
    static func flatten(_ value: JSONValue) -> [Float] {
        if let array = value.array { return array.flatMap(flatten) }
        return value.number.map { [Float($0)] } ?? []
    }
}

extension ContributionEndpointTests {
    @Test func attend_RefusesValueZeroing_OverItsLengthLimit() async throws {
        var c = TestModels.configuration
        c.maxPositions = 80
        let model = ServedModel(name: "long", model: try Model.seeded(c))
        let engine = AttendEngine(configuration: CoreConfiguration(), registry: ModelRegistry(models: [model]))
        defer { engine.shutdown() }
        let limit = ContributionMeasure.valueZeroingMaxLength
        var request = AttendRequest(source: .ids([[Int](repeating: 7, count: limit + 1)]))
        request.addSpecialTokens = false
        request.contributions = [.valueZeroing]
        do {
            _ = try await engine.prepare(request)
            Issue.record("value_zeroing over \(limit) tokens was accepted")
        } catch let error as CoreError {
            guard case .unsupported(let message, let field) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(field == "contributions")
            #expect(message.contains("\(limit)"))
        }
        request.source = .ids([[Int](repeating: 7, count: limit)])
        #expect(try await engine.prepare(request).contributions == [.valueZeroing])
    }
}
