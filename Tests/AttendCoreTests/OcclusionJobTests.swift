import AttendCore
import TestSupport
import Testing
import Transformer

/// `"occlusion": true` in the core: which sequences the pass runs, what the answer holds (importances equal to
/// the occluded sequences run alone, attributions and their Spearman correlations), the estimate and the caps.
@Suite struct OcclusionJobTests {
    func withEngine<T>(
        _ configuration: CoreConfiguration = CoreConfiguration(), _ body: (AttendEngine) async throws -> T
    ) async throws -> T {
        let engine = AttendEngine(configuration: configuration, registry: ModelRegistry(models: [TestModels.tiny]))
        defer { engine.shutdown() }
        return try await body(engine)
    }

    func request(
        _ texts: [String] = ["the dog chased the ball", "a cat"], analysis: Bool = true,
        contributions: [ContributionMeasure] = [.alti, .normHeads], rollout: Bool = false
    ) -> AttendRequest {
        var r = AttendRequest(source: .texts(texts))
        r.occlusion = true
        r.analysis = analysis
        r.contributions = contributions
        r.contributionRollout = rollout
        return r
    }

    @Test func passInputs_AddOneSequencePerOccludedToken_WhenOcclusionIsOn() async throws {
        try await withEngine { engine in
            let job = try await engine.prepare(request())
            let positions = job.occlusionPositions
            for (e, p) in zip(job.input.encodings, positions) {
                // [CLS] and [SEP] stay: every other position is occluded once.
                #expect(p == Array(1..<(e.count - 1)))
            }
            let extra = job.occlusionInputs
            #expect(extra.count == positions.reduce(0) { $0 + $1.count })
            #expect(extra.allSatisfy { $0.keep == .lastHiddenState })
            #expect(job.passInputs.count == job.input.encodings.count + extra.count)
            #expect(
                extra[0].ids == Array(job.input.encodings[0].ids.enumerated().filter { $0.offset != 1 }.map(\.element)))
            var plain = request()
            plain.occlusion = false
            let without = try await engine.prepare(plain)
            #expect(without.passInputs == without.encoderInputs && without.occlusionInputs.isEmpty)
            #expect(job.estimate.memoryBytes - without.estimate.memoryBytes >= job.model.encoder.keptBytes(for: extra))
            #expect(job.estimate.responseBytes > without.estimate.responseBytes)
        }
    }

    /// Each importance equals 1 − cos of the whole sequence's pooled vector and the one of that sequence without
    /// the token, each run alone; special tokens are null; the attributions are wᵀR of the analysis rollout and of
    /// ALTI's rollout (computed though not returned) and each Spearman is the one of those vectors.
    @Test func importance_EqualsEachOccludedSequenceRunAlone_WhenBatched() async throws {
        try await withEngine { engine in
            let job = try await engine.prepare(request())
            let results = try await engine.run(job)
            #expect(results.count == job.input.encodings.count)
            let encoder = job.model.encoder
            for (k, (e, result)) in zip(job.input.encodings, results).enumerated() {
                let o = try #require(result.occlusion)
                #expect(o.pooling == .mean && o.importance.count == e.count)
                #expect(o.importance.first! == nil && o.importance.last! == nil)
                #expect(o.attributions.map(\.name) == ["attention_rollout", "alti"])
                #expect(result.contributionRollouts.isEmpty)
                let whole = try #require(
                    try encoder.forward([EncoderInput(ids: e.ids)], options: ForwardOptions()).first)
                let reference = try #require(OcclusionAnalysis.pooled(whole.lastHiddenState, .mean))
                for p in job.occlusionPositions[k] {
                    var ids = e.ids
                    ids.remove(at: p)
                    let alone = try #require(
                        try encoder.forward([EncoderInput(ids: ids)], options: ForwardOptions()).first)
                    let vector = try #require(OcclusionAnalysis.pooled(alone.lastHiddenState, .mean))
                    let want = OcclusionAnalysis.importance(reference, vector)
                    let got = try #require(o.importance[p])
                    #expect(abs(got - want) < 1e-6, "input \(k) position \(p): \(got) vs \(want)")
                }
                let weights = OcclusionAnalysis.poolingWeights(result.output.lastHiddenState, .mean)
                let rollout = try #require(result.summary?.rollout)
                #expect(o.attributions[0].values == OcclusionAnalysis.attribution(rollout, weights: weights))
                let alti = try #require(ContributionAnalysis.rollout(result.output, measure: .alti, layers: job.layers))
                #expect(o.attributions[1].values == OcclusionAnalysis.attribution(alti, weights: weights))
                let positions = job.occlusionPositions[k]
                let importance = positions.compactMap { o.importance[$0] }
                for a in o.attributions {
                    #expect(a.spearman == OcclusionAnalysis.spearman(positions.map { a.values[$0] }, importance))
                }
            }
            // "a cat" has 2 occluded tokens: a correlation exists (±1); a 1-token text has none.
            let one = try await engine.run(try await engine.prepare(request(["dog"])))
            let o = try #require(one.first?.occlusion)
            #expect(o.importance.compactMap { $0 }.count == 1)
            #expect(o.attributions.allSatisfy { $0.spearman == nil })
        }
    }

    /// The same input in a batch with another, or alone, gets the same occlusion.
    @Test func occlusion_IsTheSame_WhenRunAloneOrInABatch() async throws {
        try await withEngine { engine in
            let both = try await engine.run(try await engine.prepare(request(["the dog chased the ball", "a cat"])))
            let alone = try await engine.run(try await engine.prepare(request(["the dog chased the ball"])))
            let a = try #require(both.first?.occlusion?.importance)
            let b = try #require(alone.first?.occlusion?.importance)
            for (x, y) in zip(a, b) {
                #expect((x == nil) == (y == nil))
                if let x, let y { #expect(abs(x - y) < 1e-6) }
            }
        }
    }

    /// Without analysis or contributions only the importances come back; with the rollout returned it is the
    /// same vector.
    @Test func attributions_FollowWhatTheRequestComputed_WhenSelected() async throws {
        try await withEngine { engine in
            let bare = try await engine.run(try await engine.prepare(request(analysis: false, contributions: [])))
            #expect(bare.allSatisfy { $0.occlusion?.attributions.isEmpty == true })
            let rolled = try await engine.run(
                try await engine.prepare(request(analysis: false, contributions: [.norm, .globenc], rollout: true)))
            let first = try #require(rolled.first)
            let o = try #require(first.occlusion)
            #expect(o.attributions.map(\.name) == ["norm", "globenc"])
            let weights = OcclusionAnalysis.poolingWeights(first.output.lastHiddenState, .mean)
            let norm = try #require(first.contributionRollouts[.norm])
            #expect(o.attributions[0].values == OcclusionAnalysis.attribution(norm, weights: weights))
        }
    }

    /// The occluded sequences count in `compute.max_request_tokens`: refused before computing, saying how to shrink.
    @Test func prepare_RefusesOcclusion_WhenTheOccludedTokensPassTheCap() async throws {
        var configuration = CoreConfiguration()
        configuration.compute.maxRequestTokens = 40
        try await withEngine(configuration) { engine in
            var plain = request(["the dog chased the ball and the cat"])
            plain.occlusion = false
            _ = try await engine.prepare(plain)
            await #expect {
                _ = try await engine.prepare(request(["the dog chased the ball and the cat"]))
            } throws: { error in
                guard case CoreError.requestTooLarge(let message) = error else { return false }
                return message.contains("occlusion") && message.contains("max_request_tokens")
            }
        }
    }

    /// The occluded sequences count in the memory budget: a budget the plain request fits but occlusion does not
    /// is refused before computing.
    @Test func prepare_RefusesOcclusion_WhenTheBudgetCannotHoldIt() async throws {
        let texts = ["the dog chased the ball and the cat sat on the mat near the door"]
        var plain = request(texts, analysis: false, contributions: [])
        plain.occlusion = false
        plain.attentions = false
        let size = try await withEngine { engine in try await engine.prepare(plain).estimate.memoryBytes }
        var occluded = plain
        occluded.occlusion = true
        let needed = try await withEngine { engine in try await engine.prepare(occluded).estimate.memoryBytes }
        #expect(needed > size)
        var configuration = CoreConfiguration()
        configuration.compute.maxMemoryBytes = (size + needed) / 2
        try await withEngine(configuration) { engine in
            _ = try await engine.prepare(plain)
            await #expect {
                _ = try await engine.prepare(occluded)
            } throws: { error in
                guard case CoreError.responseTooLarge = error else { return false }
                return true
            }
        }
    }
}
