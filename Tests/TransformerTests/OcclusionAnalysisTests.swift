import Foundation
import Testing

@testable import Transformer

/// One case of `Fixtures/occlusion.json` (`scripts/make-occlusion-fixture.py`: Hugging Face `transformers` runs
/// every sequence with each token removed; numpy and SciPy compute the importances, attributions and Spearman).
private struct OcclusionCase: Decodable, CustomTestStringConvertible, Sendable {
    var name: String
    var folder: String
    var pooling: String
    var ids: [Int32]
    var type_ids: [Int32]
    var occluded: [Int]
    var importance: [Double?]
    var weights: [Float]
    var attributions: [String: [Float]]
    var spearman: [String: Double?]

    var testDescription: String { name }

    var directory: String {
        folder == "minilm" ? FixtureSupport.miniLMDirectory : FixtureSupport.fixture(folder)
    }

    /// Whether the case can run here (MiniLM's weights are not committed).
    var available: Bool { folder != "minilm" || FixtureSupport.miniLMAvailable }
}

private struct SpearmanCase: Decodable, Sendable {
    var x: [Float]
    var y: [Float]
    var spearman: Double?
}

private struct OcclusionFixture: Decodable {
    var cases: [OcclusionCase]
    var spearman_cases: [SpearmanCase]
}

private func loadFixture() throws -> OcclusionFixture {
    let data = try Data(contentsOf: URL(fileURLWithPath: FixtureSupport.fixture("occlusion.json")))
    return try JSONDecoder().decode(OcclusionFixture.self, from: data)
}

private func loadCases() throws -> [OcclusionCase] { try loadFixture().cases }

/// The smallest distance between two of `values` (∞ for fewer than 2): below ~1e-5 a float32 ulp can swap ranks.
private func smallestGap(_ values: [Float]) -> Float {
    let sorted = values.sorted()
    return zip(sorted, sorted.dropFirst()).map { $1 - $0 }.min() ?? .infinity
}

@Suite struct OcclusionAnalysisTests {
    /// The whole sequence and every occluded one in one batch (the occluded ones keep only their last hidden
    /// state), then the importances, the pooling weights and the attention rollout's attribution against the
    /// fixture within 1e-5; the contribution rollouts' attributions within 1e-5 where the fixture has them; the
    /// Spearman correlations of the fixture's own vectors exactly (to 1e-6), and of the Swift vectors when no two
    /// values are closer than 1e-4 (else float32 rounding may legitimately swap two ranks).
    @Test(arguments: try loadCases())
    fileprivate func occlusion_MatchesTransformers_WhenEachTokenIsDropped(_ fixture: OcclusionCase) throws {
        guard fixture.available else { return }
        let model = try CheckpointLoader.load(directory: fixture.directory)
        let encoder = model.encoder
        let c = encoder.configuration
        let pooling = try #require(Pooling(rawValue: fixture.pooling))
        let measures = fixture.attributions.keys.compactMap(ContributionMeasure.init(rawValue:))
        let keep = KeptOutputs(
            headMeanLayers: Set(0..<c.layers), contributions: Set(measures),
            contributionLayers: measures.isEmpty ? [] : Set(0..<c.layers))
        let base = EncoderInput(ids: fixture.ids, typeIds: fixture.type_ids, keep: keep)
        var inputs = [base]
        for p in fixture.occluded {
            var dropped = try #require(OcclusionAnalysis.dropping(base, at: p))
            dropped.keep = .lastHiddenState
            #expect(dropped.ids.count == fixture.ids.count - 1)
            inputs.append(dropped)
        }
        let outputs = try encoder.forward(inputs, options: ForwardOptions())
        let whole = outputs[0]
        let reference = try #require(OcclusionAnalysis.pooled(whole.lastHiddenState, pooling))
        var importance = [Float?](repeating: nil, count: fixture.ids.count)
        for (p, output) in zip(fixture.occluded, outputs.dropFirst()) {
            #expect(output.attentionMeans.isEmpty && output.hiddenStates == nil && output.contributions.isEmpty)
            let vector = try #require(OcclusionAnalysis.pooled(output.lastHiddenState, pooling))
            importance[p] = OcclusionAnalysis.importance(reference, vector)
        }
        var report = GoldenReport("occlusion \(fixture.name)")
        for i in 0..<fixture.ids.count {
            #expect((importance[i] == nil) == (fixture.importance[i] == nil), "position \(i)")
        }
        let occluded = fixture.occluded
        let mine = occluded.compactMap { importance[$0] }
        let want = occluded.compactMap { fixture.importance[$0].map(Float.init) }
        report.compare(
            "importance", kind: "importance", Tensor(shape: [mine.count], storage: mine),
            Tensor(shape: [want.count], storage: want), tolerance: 1e-5)
        let weights = OcclusionAnalysis.poolingWeights(whole.lastHiddenState, pooling)
        report.compare(
            "weights", kind: "weights", Tensor(shape: [weights.count], storage: weights),
            Tensor(shape: [fixture.weights.count], storage: fixture.weights), tolerance: 1e-6)
        let means = try (0..<c.layers).map { try #require(whole.attentionMeans[$0]) }
        var rollouts = ["attention_rollout": AttentionAnalysis.rollout(means)]
        for m in measures {
            let rollout = try #require(ContributionAnalysis.rollout(whole, measure: m, layers: Array(0..<c.layers)))
            rollouts[m.rawValue] = rollout
        }
        for (name, expected) in fixture.attributions.sorted(by: { $0.key < $1.key }) {
            let rollout = try #require(rollouts[name], "\(name)")
            let values = OcclusionAnalysis.attribution(rollout, weights: weights)
            report.compare(
                name, kind: "attribution", Tensor(shape: [values.count], storage: values),
                Tensor(shape: [expected.count], storage: expected), tolerance: 1e-5)
            let expectedRho = fixture.spearman[name] ?? nil
            let fromFixture = OcclusionAnalysis.spearman(occluded.map { expected[$0] }, want)
            #expect((fromFixture == nil) == (expectedRho == nil), "\(name): defined")
            if let fromFixture, let expectedRho { #expect(abs(Double(fromFixture) - expectedRho) < 1e-6, "\(name)") }
            let picked = occluded.map { values[$0] }
            if smallestGap(picked) > 1e-4 && smallestGap(mine) > 1e-4 {
                let swift = OcclusionAnalysis.spearman(picked, mine)
                #expect((swift == nil) == (expectedRho == nil), "\(name): end to end defined")
                if let swift, let expectedRho {
                    #expect(abs(Double(swift) - expectedRho) < 1e-6, "\(name): end to end \(swift) vs \(expectedRho)")
                }
            }
        }
        report.print()
    }

    /// SciPy's `spearmanr` on vectors with ties (average ranks), reversed and constant ones.
    @Test func spearman_MatchesSciPy_WhenValuesTie() throws {
        for item in try loadFixture().spearman_cases {
            let rho = OcclusionAnalysis.spearman(item.x, item.y)
            #expect((rho == nil) == (item.spearman == nil), "\(item.x) \(item.y)")
            if let rho, let want = item.spearman { #expect(abs(Double(rho) - want) < 1e-6, "\(item.x) \(item.y)") }
        }
    }

    /// A vector against itself is 1, against its reverse −1, against any increasing map of itself 1; a constant
    /// side or fewer than 2 values have none.
    @Test func spearman_IsOneForItself_WhenRanksAgree() {
        let x: [Float] = [0.3, -1, 2, 0.3, 5, 4]
        #expect(OcclusionAnalysis.spearman(x, x) == 1)
        #expect(OcclusionAnalysis.spearman(x, x.map { $0 * $0 * $0 + 7 }) == 1)
        #expect(OcclusionAnalysis.spearman([1, 2, 3], [3, 2, 1]) == -1)
        #expect(OcclusionAnalysis.spearman([1, 1, 1], [1, 2, 3]) == nil)
        #expect(OcclusionAnalysis.spearman([1], [1]) == nil)
        #expect(OcclusionAnalysis.spearman([1, 2], [1, 2, 3]) == nil)
    }

    /// Ties share the mean of their ranks and the ranks keep their sum n(n+1)/2.
    @Test func averageRanks_ShareTheMeanRank_WhenValuesTie() {
        #expect(OcclusionAnalysis.averageRanks([5, 1, 5, 3, 5]) == [4, 1, 4, 2, 4])
        #expect(OcclusionAnalysis.averageRanks([2, 2]) == [1.5, 1.5])
        #expect(OcclusionAnalysis.averageRanks([]) == [])
    }

    /// Dropping removes the id and its token type and keeps the selection; a single token cannot be dropped.
    @Test func dropping_RemovesTheTokenAndItsType_WhenInRange() throws {
        let input = EncoderInput(ids: [2, 7, 8, 3], typeIds: [0, 0, 1, 1], keep: .lastHiddenState)
        let dropped = try #require(OcclusionAnalysis.dropping(input, at: 2))
        #expect(dropped.ids == [2, 7, 3] && dropped.typeIds == [0, 0, 1] && dropped.keep == .lastHiddenState)
        #expect(OcclusionAnalysis.dropping(input, at: 4) == nil)
        #expect(OcclusionAnalysis.dropping(EncoderInput(ids: [5]), at: 0) == nil)
        #expect(OcclusionAnalysis.dropping(EncoderInput(ids: [5, 6]), at: 0)?.ids == [6])
    }

    /// The same vector has importance 0, the opposite one 2; the weights of each pooling sum to 1 and the
    /// attribution of a row-stochastic rollout sums to 1.
    @Test func importance_IsZeroForTheSameVector_WhenNothingChanges() {
        let v: [Float] = [0.5, -2, 3]
        #expect(abs(OcclusionAnalysis.importance(v, v)) < 1e-7)
        #expect(abs(OcclusionAnalysis.importance(v, v.map { -$0 }) - 2) < 1e-7)
        let hidden = Tensor(shape: [3, 4], storage: [1, 5, 0, 2, 3, 5, -1, 2, 0, 1, 9, 2])
        for pooling in [Pooling.mean, .cls, .max, .none] {
            let w = OcclusionAnalysis.poolingWeights(hidden, pooling)
            #expect(abs(w.reduce(0, +) - 1) < 1e-6, "\(pooling)")
        }
        // Max: column 0 → row 1, column 1 → row 0 (first of the tie), column 2 → row 2, column 3 → row 0.
        #expect(OcclusionAnalysis.poolingWeights(hidden, .max) == [0.5, 0.25, 0.25])
        let rollout = Tensor(shape: [3, 3], storage: [0.5, 0.5, 0, 0, 1, 0, 0.2, 0.3, 0.5])
        let a = OcclusionAnalysis.attribution(rollout, weights: [0.5, 0.25, 0.25])
        #expect(abs(a.reduce(0, +) - 1) < 1e-6)
        #expect(abs(a[0] - 0.3) < 1e-6 && abs(a[1] - 0.575) < 1e-6 && abs(a[2] - 0.125) < 1e-6)
    }
}
