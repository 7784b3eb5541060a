import AttendCore
import Testing
import Transformer

@testable import AttendHTTP

/// The page's needs from the live service: its routes and the `analysis` option of `POST /attend`.
@Suite("PageService")
struct PageServiceTests {
    @Test func attend_ReturnsRolloutAndEntropyOfItsOwnMaps_WhenAnalysisRequested() async throws {
        try await LiveService.with() { live in
            let reply = try await live.post("/attend", #"{"text":"the dog chased the ball","analysis":true}"#)
            #expect(reply.status == 200)
            let json = try #require(reply.json)
            let result = try #require(json["results"]?[0])
            let n = try #require(result["input_ids"]?.array?.count)
            let layers = try #require(result["attentions"]?.array)
            let maps = layers.map { heads in
                let values = (heads.array ?? []).flatMap { ($0.array ?? []).flatMap(\.floats) }
                return Tensor(shape: [heads.array?.count ?? 0, n, n], storage: values)
            }
            let analysis = try #require(result["analysis"])
            let rollout = try #require(analysis["rollout"]?.array)
            #expect(rollout.count == n)
            let expected = AttentionAnalysis.rollout(maps)
            let actual = rollout.flatMap(\.floats)
            #expect(actual.count == n * n)
            #expect(zip(actual, expected.storage).allSatisfy { abs($0 - $1) < 1e-5 })
            let entropy = try #require(analysis["entropy"]?.array)
            #expect(entropy.count == maps.count)
            for (layer, row) in entropy.enumerated() {
                let expectedRow = AttentionAnalysis.entropy(maps[layer])
                #expect(row.floats.count == expectedRow.count)
                #expect(zip(row.floats, expectedRow).allSatisfy { abs($0 - $1) < 1e-5 }, "layer \(layer)")
            }
        }
    }

    @Test func attend_SummarisesSelectedLayersAndHeads_WhenAttentionsAreOff() async throws {
        try await LiveService.with() { live in
            let body = #"{"text":"the dog","analysis":true,"attentions":false,"layers":[-1,0],"heads":[1,3]}"#
            let reply = try await live.post("/attend", body)
            #expect(reply.status == 200)
            let result = try #require(reply.json?["results"]?[0])
            #expect(result["attentions"] == nil)
            let entropy = try #require(result["analysis"]?["entropy"]?.array)
            #expect(entropy.count == 2)
            #expect(entropy.allSatisfy { $0.floats.count == 2 })
            let rollout = try #require(result["analysis"]?["rollout"]?.array)
            let n = try #require(result["input_ids"]?.array?.count)
            #expect(rollout.count == n)
            for row in rollout { #expect(abs(row.floats.reduce(0, +) - 1) < 1e-4) }
        }
    }

    @Test func attend_HasNoAnalysis_WhenNotRequested() async throws {
        try await LiveService.with() { live in
            let reply = try await live.post("/attend", #"{"text":"the dog"}"#)
            #expect(reply.status == 200)
            #expect(reply.json?["results"]?[0]?["analysis"] == nil)
        }
    }

    @Test func page_IsServedWithItsPolicy_WhenTheServiceRuns() async throws {
        try await LiveService.with(configure: { $0.server.apiKeys = ["secret"] }) { live in
            for asset in PageAssets.all {
                let reply = try await live.call("GET", asset.path, contentType: nil)
                #expect(reply.status == 200, "\(asset.path) stays public with API keys")
                #expect(reply.body == asset.body)
                #expect(reply.header("content-type") == asset.contentType)
                #expect(reply.header("content-security-policy") == PageAssets.contentSecurityPolicy)
            }
            let models = try await live.call("GET", "/models", contentType: nil)
            #expect(models.status == 401)
        }
    }
}
