import Foundation
import Testing

@testable import Transformer

/// Token contributions (``ContributionMeasure``) against `Fixtures/contributions/`, made from the papers' equations
/// on Hugging Face `transformers` by `scripts/make-contributions-fixture.py`, plus invariants.
@Suite struct ContributionTests {
    static let measures = ContributionMeasure.allCases

    struct Case {
        var ids: [Int32]
        var typeIds: [Int32]?
    }

    static func cases(_ name: String) throws -> [Case] {
        let index = try FixtureSupport.json(FixtureSupport.fixture("contributions/index.json"))
        return try #require(index[name] as? [[String: Any]]).map { item in
            Case(
                ids: try #require(item["ids"] as? [Int]).map(Int32.init),
                typeIds: (item["type_ids"] as? [Int])?.map(Int32.init))
        }
    }

    static func keepAll(_ c: EncoderConfiguration, measures: [ContributionMeasure] = measures) -> KeptOutputs {
        KeptOutputs(
            attentionLayers: Set(0..<c.layers), contributions: Set(measures), contributionLayers: Set(0..<c.layers))
    }

    /// The measures that decompose the centred vectors γ₁ ⊙ C f_h(x_j): kept without norm, norm_heads and value
    /// zeroing, the pass takes them straight from the product with Ŵ_O = W_O C Γ₁ (``ContributionOperands``)
    /// instead of centring f_h(x_j), a path the all-measure comparisons do not take.
    static let centredMeasures: [ContributionMeasure] = [.normResLN, .alti, .globenc]

    /// 1e-5; for the measures that are not normalised (norms of vectors, up to ~20 for MiniLM, where a float32
    /// ulp is 2e-6) 1e-5 relative to the tensor's largest value.
    static func tolerance(_ measure: ContributionMeasure, _ expected: Tensor) -> Float {
        switch measure {
        case .alti, .globenc, .valueZeroing: return 1e-5
        case .norm, .normHeads, .normResLN: return 1e-5 * max(1, expected.storage.map(abs).max() ?? 0)
        }
    }

    /// Compares every measure of `measures` (by default all) of every layer and its rollout with the fixture.
    static func compare(
        _ encoder: Encoder, cases: [Case], fixture: String, title: String, batched: Bool,
        measures: [ContributionMeasure] = measures
    ) throws {
        let expected = try SafetensorsFile(path: FixtureSupport.fixture("contributions/\(fixture).safetensors"))
        let c = encoder.configuration
        let keep = keepAll(c, measures: measures)
        let inputs = cases.map { EncoderInput(ids: $0.ids, typeIds: $0.typeIds, keep: keep) }
        let outputs =
            batched
            ? try encoder.forward(inputs, options: ForwardOptions())
            : try inputs.map { try #require(try encoder.forward([$0], options: ForwardOptions()).first) }
        var report = GoldenReport(title)
        for (i, output) in outputs.enumerated() {
            for measure in measures {
                for l in 0..<c.layers {
                    let name = "case\(i).\(measure.rawValue).\(l)"
                    let want = try expected.tensor(name)
                    report.compare(
                        name, kind: measure.rawValue, try #require(output.contributions[measure]?[l], "\(name)"),
                        want, tolerance: tolerance(measure, want))
                }
                guard measure != .normHeads else { continue }
                let rolled = try #require(
                    ContributionAnalysis.rollout(output, measure: measure, layers: Array(0..<c.layers)))
                report.compare(
                    "case\(i).\(measure.rawValue).rollout", kind: measure.rawValue + ".rollout", rolled,
                    try expected.tensor("case\(i).\(measure.rawValue).rollout"), tolerance: 1e-5)
            }
        }
        report.print()
    }

    @Test func contributions_MatchReference_ForTinyBertCasesAlone() throws {
        let model = try CheckpointLoader.load(directory: FixtureSupport.fixture("tiny-bert"))
        try Self.compare(
            model.encoder, cases: try Self.cases("tiny-bert"), fixture: "tiny-bert", title: "contributions tiny-bert",
            batched: false)
    }

    @Test func contributions_MatchReference_ForTinyBertCasesInOneBatch() throws {
        let model = try CheckpointLoader.load(directory: FixtureSupport.fixture("tiny-bert"))
        try Self.compare(
            model.encoder, cases: try Self.cases("tiny-bert"), fixture: "tiny-bert",
            title: "contributions tiny-bert batched", batched: true)
    }

    @Test(
        .enabled(
            if: FixtureSupport.miniLMAvailable,
            "models/all-MiniLM-L6-v2 is absent — run scripts/fetch-model to enable the MiniLM contribution test"))
    func contributions_MatchReference_ForMiniLMSentence() throws {
        let model = try CheckpointLoader.load(directory: FixtureSupport.miniLMDirectory)
        try Self.compare(
            model.encoder, cases: try Self.cases("minilm"), fixture: "minilm", title: "contributions all-MiniLM-L6-v2",
            batched: false)
    }

    @Test func centredMeasures_MatchReference_WhenKeptWithoutNormForTinyBert() throws {
        let model = try CheckpointLoader.load(directory: FixtureSupport.fixture("tiny-bert"))
        try Self.compare(
            model.encoder, cases: try Self.cases("tiny-bert"), fixture: "tiny-bert",
            title: "centred contributions tiny-bert", batched: false, measures: Self.centredMeasures)
        for measure in Self.centredMeasures {
            try Self.compare(
                model.encoder, cases: try Self.cases("tiny-bert"), fixture: "tiny-bert",
                title: "\(measure.rawValue) alone, tiny-bert batched", batched: true, measures: [measure])
        }
        #expect(model.encoder.contributionOperands.builtKinds == [.centred])
        // norm_heads alone takes ‖f_h(x_j)‖ from the heads' Gram matrices instead of f_h(x_j).
        try Self.compare(
            model.encoder, cases: try Self.cases("tiny-bert"), fixture: "tiny-bert",
            title: "norm_heads alone, tiny-bert", batched: false, measures: [.normHeads])
        #expect(model.encoder.contributionOperands.builtKinds == [.centred, .headGrams])
    }

    @Test(
        .enabled(
            if: FixtureSupport.miniLMAvailable,
            "models/all-MiniLM-L6-v2 is absent — run scripts/fetch-model to enable the MiniLM contribution test"))
    func centredMeasures_MatchReference_WhenKeptWithoutNormForMiniLM() throws {
        let model = try CheckpointLoader.load(directory: FixtureSupport.miniLMDirectory)
        try Self.compare(
            model.encoder, cases: try Self.cases("minilm"), fixture: "minilm",
            title: "centred contributions all-MiniLM-L6-v2", batched: false, measures: Self.centredMeasures)
        try Self.compare(
            model.encoder, cases: try Self.cases("minilm"), fixture: "minilm",
            title: "norm_heads alone, all-MiniLM-L6-v2", batched: false, measures: [.normHeads])
    }

    @Test func contributions_AreUnchanged_WhenScratchIsReusedFromALongerPass() throws {
        // The second pass takes the first one's pooled scratch (stale α, F, W_O of every layer); a fresh encoder's
        // scratch is new: the matrices must be bit for bit the same.
        let directory = FixtureSupport.fixture("tiny-bert")
        let reused = try CheckpointLoader.load(directory: directory).encoder
        let fresh = try CheckpointLoader.load(directory: directory).encoder
        let keep = Self.keepAll(reused.configuration)
        let long: [Int32] = [2] + (40..<70).map { Int32($0) } + [3]
        let short: [Int32] = [2, 77, 80, 81, 90, 3]
        _ = try reused.forward([EncoderInput(ids: long, keep: keep)], options: .init())
        #expect(reused.contributionWorkspaces.cachedWorkspace?.length == long.count)
        let again = try #require(try reused.forward([EncoderInput(ids: short, keep: keep)], options: .init()).first)
        let want = try #require(try fresh.forward([EncoderInput(ids: short, keep: keep)], options: .init()).first)
        #expect(again.contributions.count == Self.measures.count)
        for measure in Self.measures {
            #expect(again.contributions[measure] == want.contributions[measure], "\(measure)")
        }
    }

    @Test func contributions_EqualSoloRun_WhenBatchedWithSequencesKeepingNoneOrMaps() throws {
        // Contributing sequences run their attention apart from the others (to hand α over); the batch's other
        // sequences, with or without kept maps, and the contributing one must equal their solo runs.
        let encoder = try CheckpointLoader.load(directory: FixtureSupport.fixture("tiny-bert")).encoder
        let c = encoder.configuration
        let inputs = [
            EncoderInput(ids: [2, 40, 41, 42, 3]),
            EncoderInput(ids: [2, 77, 80, 81, 90, 91, 3], keep: Self.keepAll(c)),
            EncoderInput(ids: [2, 50, 51, 3], keep: KeptOutputs(attentionLayers: [0, 1])),
        ]
        let batched = try encoder.forward(inputs, options: .init())
        for (k, input) in inputs.enumerated() {
            let solo = try #require(try encoder.forward([input], options: .init()).first)
            let diff = zip(batched[k].lastHiddenState.storage, solo.lastHiddenState.storage).map { abs($0 - $1) }
            #expect((diff.max() ?? 0) < 1e-5, "sequence \(k)")
            #expect(batched[k].attentions.keys.sorted() == solo.attentions.keys.sorted())
            for measure in solo.contributions.keys {
                for (l, want) in try #require(solo.contributions[measure]) {
                    let got = try #require(batched[k].contributions[measure]?[l])
                    let worst = zip(got.storage, want.storage).map { abs($0 - $1) }.max() ?? 0
                    #expect(worst < 1e-5, "sequence \(k) \(measure) layer \(l): \(worst)")
                }
            }
        }
        #expect(batched[1].contributions.count == Self.measures.count)
    }

    @Test(arguments: [1, 2])
    func forward_HiddenStatesAreBitIdentical_WhenContributionsAreKept(workers: Int) throws {
        // A measure that needs the attention block's output leaves LN₁(x + ctx·W_O + b_O) in x for the layer's tail,
        // which then skips its own product: every hidden state must be the bare pass's, bit for bit.
        let encoder = try CheckpointLoader.load(directory: FixtureSupport.fixture("tiny-bert")).encoder
        let c = encoder.configuration
        let ids: [Int32] = [2] + (40..<78).map { Int32($0) } + [3]
        let options = ForwardOptions(workers: workers)
        let bare = try #require(
            try encoder.forward([EncoderInput(ids: ids, keep: KeptOutputs(hiddenStates: true))], options: options)
                .first)
        let layers = Set(0..<c.layers)
        for measures in [[ContributionMeasure.norm], [.normResLN], [.alti], [.globenc], Self.measures] {
            let keep = KeptOutputs(hiddenStates: true, contributions: Set(measures), contributionLayers: layers)
            let kept = try #require(try encoder.forward([EncoderInput(ids: ids, keep: keep)], options: options).first)
            #expect(kept.lastHiddenState.storage == bare.lastHiddenState.storage, "\(measures)")
            #expect(
                kept.hiddenStates?.map(\.storage) == bare.hiddenStates?.map(\.storage), "\(measures) hidden states")
        }
    }

    @Test func contributions_AgreeWithinTolerance_WhenSplitOverOneOrTwoWorkers() throws {
        // Keys (F's rows and the per-key forms) and the block's rows are split over the workers (the pass itself
        // is not bit for bit the same at 1 and 2 workers, so neither are its contributions).
        let encoder = try CheckpointLoader.load(directory: FixtureSupport.fixture("tiny-bert")).encoder
        let ids: [Int32] = [2] + (40..<78).map { Int32($0) } + [3]
        for measures in [Self.measures, Self.centredMeasures] {
            let keep = Self.keepAll(encoder.configuration, measures: measures)
            let one = try #require(
                try encoder.forward([EncoderInput(ids: ids, keep: keep)], options: ForwardOptions(workers: 1)).first)
            let two = try #require(
                try encoder.forward([EncoderInput(ids: ids, keep: keep)], options: ForwardOptions(workers: 2)).first)
            for measure in measures {
                for (l, want) in try #require(one.contributions[measure]) {
                    let got = try #require(two.contributions[measure]?[l])
                    let worst = zip(got.storage, want.storage).map { abs($0 - $1) }.max() ?? 0
                    #expect(worst < Self.tolerance(measure, want), "\(measure) layer \(l): \(worst)")
                }
            }
        }
    }

    @Test func pending_LeavesOutReadyRows_WhenTheyOverlapTheBlock() {
        #expect(Encoder.pending(0..<10, ready: []) == [0..<10])
        #expect(Encoder.pending(0..<10, ready: [0..<10]) == [])
        #expect(Encoder.pending(0..<10, ready: [2..<4, 6..<8]) == [0..<2, 4..<6, 8..<10])
        #expect(Encoder.pending(5..<12, ready: [0..<6, 11..<20]) == [6..<11])
        #expect(Encoder.pending(5..<12, ready: [0..<5, 12..<20]) == [5..<12])
    }

    @Test func altiGlobEncAndValueZeroing_RowsAreNonNegativeAndSumToOne() throws {
        let model = try CheckpointLoader.load(directory: FixtureSupport.fixture("tiny-bert"))
        let c = model.encoder.configuration
        let ids: [Int32] = [2, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 3]
        let keep = KeptOutputs(contributions: [.alti, .globenc, .valueZeroing], contributionLayers: Set(0..<c.layers))
        let output = try #require(
            try model.encoder.forward([EncoderInput(ids: ids, keep: keep)], options: .init()).first)
        let n = ids.count
        for measure in [ContributionMeasure.alti, .globenc, .valueZeroing] {
            for l in 0..<c.layers {
                let map = try #require(output.contributions[measure]?[l])
                FixtureSupport.expectRowStochastic(map, n: n, "\(measure) layer \(l)")
            }
            let rolled = try #require(ContributionAnalysis.rollout(output, measure: measure, layers: [0, 1]))
            for i in 0..<n {
                #expect(abs(rolled.storage[(i * n)..<((i + 1) * n)].reduce(0, +) - 1) < 1e-5)
            }
        }
    }

    @Test func normHeads_EqualsWeightTimesTransformedNorm_AndSumsBelowHeadSum() throws {
        // α^h_ij ‖f_h(x_j)‖ from the returned attention maps and ‖f_h(x_j)‖ recomputed here from the weights.
        let directory = FixtureSupport.fixture("tiny-bert")
        let model = try CheckpointLoader.load(directory: directory)
        let c = model.encoder.configuration
        let weights = try CheckpointLoader.weights(
            from: try SafetensorsFile(path: directory + "/model.safetensors"), configuration: c)
        let ids: [Int32] = [2, 77, 80, 81, 90, 3]
        let n = ids.count
        let d = c.hiddenSize
        let dh = d / c.heads
        let keep = KeptOutputs(
            attentionLayers: [0], hiddenStates: true, contributions: [.norm, .normHeads], contributionLayers: [0])
        let output = try #require(
            try model.encoder.forward([EncoderInput(ids: ids, keep: keep)], options: .init()).first)
        let x = try #require(output.hiddenStates?[0])
        let layer = weights.layers[0]
        let alpha = try #require(output.attentions[0])
        let perHead = try #require(output.contributions[.normHeads]?[0])
        let summed = try #require(output.contributions[.norm]?[0])
        var worst: Float = 0
        for h in 0..<c.heads {
            for j in 0..<n {
                // v = x_j W_Vᵀ + b_V restricted to head h; f = v W_O,h (PyTorch [out, in] weights).
                var v = [Float](repeating: 0, count: dh)
                for e in 0..<dh {
                    var total = layer.valueBias.storage[h * dh + e]
                    for k in 0..<d { total += x.storage[j * d + k] * layer.valueWeight.storage[(h * dh + e) * d + k] }
                    v[e] = total
                }
                var squares: Float = 0
                for o in 0..<d {
                    var total: Float = 0
                    for e in 0..<dh { total += v[e] * layer.attentionOutputWeight.storage[o * d + h * dh + e] }
                    squares += total * total
                }
                let fNorm = squares.squareRoot()
                for i in 0..<n {
                    let want = alpha.storage[(h * n + i) * n + j] * fNorm
                    worst = max(worst, abs(perHead.storage[(h * n + i) * n + j] - want))
                }
            }
        }
        print("[contributions] norm_heads vs α·‖f_h(x_j)‖: max |Δ| = \(worst)")
        #expect(worst < 1e-5)
        // The triangle inequality: ‖Σ_h α f_h‖ ≤ Σ_h α ‖f_h‖.
        for i in 0..<n {
            for j in 0..<n {
                var total: Float = 0
                for h in 0..<c.heads { total += perHead.storage[(h * n + i) * n + j] }
                #expect(summed.storage[i * n + j] <= total + 1e-5)
            }
        }
    }

    @Test(arguments: [ContributionMeasure.norm, .normResLN, .alti, .globenc, .valueZeroing])
    func rollout_OfIdentityMaps_IsIdentity(measure: ContributionMeasure) {
        let n = 5
        var identity = Tensor(zeros: [n, n])
        for i in 0..<n { identity[i, i] = 1 }
        let rolled = ContributionAnalysis.rollout([identity, identity, identity], measure: measure)
        #expect(rolled == identity)
    }

    @Test func rollout_IsEmpty_ForNormHeadsOrMismatchedMaps() {
        #expect(ContributionAnalysis.rollout([Tensor(zeros: [2, 2])], measure: .normHeads).shape == [0, 0])
        #expect(
            ContributionAnalysis.rollout([Tensor(zeros: [2, 2]), Tensor(zeros: [3, 3])], measure: .alti).shape == [
                0, 0,
            ])
        #expect(ContributionAnalysis.rollout([], measure: .alti).shape == [0, 0])
    }

    @Test func keptBytes_CountsContributionMatrices() throws {
        let model = try CheckpointLoader.load(directory: FixtureSupport.fixture("tiny-bert"))
        let c = model.encoder.configuration
        let ids: [Int32] = [2, 77, 80, 81, 3]
        let plain = model.encoder.keptBytes(for: EncoderInput(ids: ids))
        let keep = KeptOutputs(heads: [0, 1], contributions: [.alti, .normHeads], contributionLayers: [0, 1, 7])
        let bytes = model.encoder.keptBytes(for: EncoderInput(ids: ids, keep: keep))
        // alti: 2 layers × n²; norm_heads: 2 layers × 2 heads × n² (layer 7 is out of range).
        #expect(bytes - plain == (2 * 25 + 2 * 2 * 25) * 4)
        let output = try #require(
            try model.encoder.forward([EncoderInput(ids: ids, keep: keep)], options: .init()).first)
        let floats = output.contributions.values.flatMap(\.values).reduce(0) { $0 + $1.count }
        #expect(floats * 4 == bytes - plain)
        #expect(c.normPlacement == .post)
    }

    @Test func contributions_AreEmpty_ForPreNormEncoder() throws {
        let c = tinyConfiguration(norm: .pre)
        let encoder = try Encoder(configuration: c, weights: randomisedWeights(c))
        let keep = KeptOutputs(contributions: [.alti], contributionLayers: [0, 1])
        let output = try #require(
            try encoder.forward([EncoderInput(ids: [1, 2, 3], keep: keep)], options: .init()).first)
        #expect(output.contributions.isEmpty)
        #expect(
            encoder.keptBytes(for: EncoderInput(ids: [1, 2, 3], keep: keep))
                == encoder.keptBytes(for: EncoderInput(ids: [1, 2, 3])))
    }
}
