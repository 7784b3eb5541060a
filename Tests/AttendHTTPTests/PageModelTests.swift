import AttendCore
import Foundation
import JSON
import TestSupport
import Testing
import Transformer

@testable import AttendHTTP

/// What the page needs from `GET /models`: whether a model's weights are random (seeded) or a real checkpoint.
@Suite("PageModel")
struct PageModelTests {
    /// The committed tiny BERT checkpoint (Tests/TransformerTests/Fixtures/tiny-bert), loaded as a real model.
    static func checkpointModel() throws -> ServedModel {
        let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("TransformerTests/Fixtures/tiny-bert").path
        return ServedModel(name: "real", model: try CheckpointLoader.load(directory: directory))
    }

    @Test func models_MarkRandomWeights_WhenSeededOrCheckpoint() async throws {
        let real = try Self.checkpointModel()
        try await LiveService.with(models: [TestModels.tiny, real]) { live in
            let list = try await live.call("GET", "/models")
            #expect(list.status == 200)
            let models = try #require(list.json?["models"]?.array)
            #expect(models.count == 2)
            for model in models {
                let name = try #require(model["name"])
                let source = try #require(model["source"])
                let expected: JSONValue = .bool(source == .string("seeded"))
                #expect(model["random_weights"] == expected, "\(name) from \(source)")
            }
            let seeded = try await live.call("GET", "/models/tiny")
            #expect(seeded.json?["random_weights"] == .bool(true))
            #expect(seeded.json?["source"] == .string("seeded"))
            let checkpoint = try await live.call("GET", "/models/real")
            #expect(checkpoint.json?["random_weights"] == .bool(false))
            #expect(checkpoint.json?["source"] == .string("checkpoint"))
        }
    }
}
