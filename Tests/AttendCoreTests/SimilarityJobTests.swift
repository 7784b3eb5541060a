import AttendCore
import TestSupport
import Testing
import Transformer

/// `/similarity`'s job in the core: what the pass keeps, the size estimate, the cap on `b`, and the comparisons
/// the engine computes (one batch for `a` and every `b`).
@Suite struct SimilarityJobTests {
    func withEngine<T>(_ body: (AttendEngine) async throws -> T) async throws -> T {
        let engine = AttendEngine(
            configuration: CoreConfiguration(), registry: ModelRegistry(models: [TestModels.tiny]))
        defer { engine.shutdown() }
        return try await body(engine)
    }

    func request(explain: Bool = false, perLayer: Bool = false, b: [String] = ["a cat sat", "the dog"])
        -> SimilarityRequest
    {
        var r = SimilarityRequest(a: "the dog chased the ball", b: b)
        r.explain = explain
        r.perLayer = perLayer
        return r
    }

    @Test func job_KeepsOnlyWhatItReturns_WhenPrepared() async throws {
        try await withEngine { engine in
            let layers = TestModels.configuration.layers
            let bare = try await engine.prepare(request())
            #expect(bare.keep == KeptOutputs())
            let explained = try await engine.prepare(request(explain: true))
            #expect(explained.keep == KeptOutputs(headMeanLayers: Set(0..<layers)))
            let perLayer = try await engine.prepare(request(perLayer: true))
            #expect(perLayer.keep == KeptOutputs(hiddenStates: true))
            #expect(explained.input.encodings.count == 3 && explained.comparisons == 2)
            #expect(explained.pooling == .mean)
        }
    }

    @Test func estimate_CountsTheMatricesAndLayers_WhenAsked() async throws {
        try await withEngine { engine in
            let bare = try await engine.prepare(request())
            let explained = try await engine.prepare(request(explain: true))
            let perLayer = try await engine.prepare(request(perLayer: true))
            let n = bare.input.encodings[0].count
            let matrices = bare.input.encodings.dropFirst().reduce(0) { $0 + 2 * n * $1.count * 13 }
            #expect(explained.estimate.responseBytes - bare.estimate.responseBytes >= matrices)
            #expect(perLayer.estimate.responseBytes - bare.estimate.responseBytes >= 2 * 4 * 13)
            let kept = explained.model.encoder.keptBytes(for: explained.encoderInputs)
            #expect(explained.estimate.memoryBytes >= kept + explained.estimate.responseBytes)
            #expect(explained.estimate.memoryBytes > bare.estimate.memoryBytes)
        }
    }

    @Test func prepare_RefusesTooManyTexts_WhenBIsOverTheCap() async throws {
        try await withEngine { engine in
            let many = Array(repeating: "w", count: SimilarityRequest.maxComparisons + 1)
            await #expect {
                _ = try await engine.prepare(request(b: many))
            } throws: { error in
                guard case CoreError.requestTooLarge(let message) = error else { return false }
                return message.contains("\(SimilarityRequest.maxComparisons)")
            }
        }
    }

    @Test func similarity_ComparesEveryB_WithSumsEqualToTheCosine() async throws {
        try await withEngine { engine in
            let job = try await engine.prepare(request(explain: true, perLayer: true))
            let comparisons = try await engine.similarity(job) { $0 }
            #expect(comparisons.count == 2)
            for c in comparisons {
                let s = try #require(c.matrix)
                let input = try #require(c.inputMatrix)
                let m = s.shape[1]
                #expect(s.shape[0] == job.input.encodings[0].count && input.shape == s.shape && m > 0)
                let sumS = s.storage.reduce(0.0) { $0 + Double($1) }
                let sumIn = input.storage.reduce(0.0) { $0 + Double($1) }
                #expect(abs(sumS - Double(c.cosine)) < 1e-5 && abs(sumIn - Double(c.cosine)) < 1e-5)
                #expect(c.layers?.count == TestModels.configuration.layers + 1)
                #expect(abs((c.layers?.last ?? 0) - c.cosine) < 1e-6)
            }
        }
    }
}
