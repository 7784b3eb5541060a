import Foundation
import Testing

@testable import Transformer

/// The MLM head against `transformers`' `BertForMaskedLM` (`scripts/make-mlm-fixture.py`, `Fixtures/mlm/`).
@Suite struct MaskedLMTests {
    struct Case {
        var ids: [Int32]
        var masks: [Int]
        var top: [(position: Int, ids: [Int32], probabilities: [Float])]
    }

    static func cases(_ checkpoint: String) throws -> [Case] {
        let index = try FixtureSupport.json(FixtureSupport.fixture("mlm/expected.json"))
        let checkpoints = try #require(index["checkpoints"] as? [String: Any])
        let entry = try #require(checkpoints[checkpoint] as? [String: Any])
        let cases = try #require(entry["cases"] as? [[String: Any]])
        return try cases.map { c in
            let top = try #require(c["top"] as? [[String: Any]]).map { t in
                (
                    position: t["position"] as? Int ?? -1, ids: (t["ids"] as? [Int] ?? []).map(Int32.init),
                    probabilities: (t["probabilities"] as? [Double] ?? []).map(Float.init)
                )
            }
            return Case(
                ids: try #require(c["ids"] as? [Int]).map(Int32.init), masks: c["masks"] as? [Int] ?? [], top: top)
        }
    }

    static let expected = Result { try SafetensorsFile(path: FixtureSupport.fixture("mlm/expected.safetensors")) }

    @Test(arguments: ["tied", "untied"])
    func maskedLMHead_MatchesTransformersLogits_ForEveryPositionAndHiddenState(checkpoint: String) throws {
        let model = try CheckpointLoader.load(directory: FixtureSupport.fixture("mlm/\(checkpoint)"))
        let head = try #require(model.maskedLMHead)
        #expect(head.tied == (checkpoint == "tied"))
        let expected = try Self.expected.get()
        var report = GoldenReport("mlm \(checkpoint)")
        for (c, testCase) in try Self.cases(checkpoint).enumerated() {
            let n = testCase.ids.count
            let output = try #require(
                try model.encoder.forward(
                    [EncoderInput(ids: testCase.ids, keep: KeptOutputs(hiddenStates: true))], options: ForwardOptions()
                ).first)
            let logits = head.logits(output.lastHiddenState, rows: Array(0..<n), encoder: model.encoder)
            report.compare(
                "case\(c).logits", kind: "logits", logits, try expected.tensor("\(checkpoint).case\(c).logits"),
                tolerance: 1e-4)
            let lens = try expected.tensor("\(checkpoint).case\(c).lens")
            let states = try #require(output.hiddenStates)
            #expect(states.count == lens.shape[0])
            let v = lens.shape[2]
            for (l, state) in states.enumerated() {
                let layerLogits = head.logits(state, rows: Array(0..<n), encoder: model.encoder)
                let golden = Tensor(shape: [n, v], storage: Array(lens.storage[(l * n * v)..<((l + 1) * n * v)]))
                report.compare("case\(c).lens.\(l)", kind: "lens", layerLogits, golden, tolerance: 1e-4)
            }
        }
        report.print()
    }

    @Test(arguments: ["tied", "untied"])
    func maskedLMHead_TopKMatchesTransformers_AtEveryMask(checkpoint: String) throws {
        let model = try CheckpointLoader.load(directory: FixtureSupport.fixture("mlm/\(checkpoint)"))
        let head = try #require(model.maskedLMHead)
        for testCase in try Self.cases(checkpoint) {
            let output = try #require(
                try model.encoder.forward([EncoderInput(ids: testCase.ids)], options: ForwardOptions()).first)
            let predictions = MaskedLMHead.top(
                head.logits(output.lastHiddenState, rows: testCase.masks, encoder: model.encoder), k: 5)
            #expect(predictions.count == testCase.top.count)
            for (prediction, golden) in zip(predictions, testCase.top) {
                #expect(prediction.ids == golden.ids, "position \(golden.position)")
                #expect(goldenMaxDifference(prediction.probabilities, golden.probabilities) < 1e-5)
                #expect(zip(prediction.probabilities, prediction.probabilities.dropFirst()).allSatisfy { $0 >= $1 })
            }
        }
    }

    @Test func maskedLMHead_TopKIsTheWholeSortedSoftmax_WhenKIsTheVocabulary() {
        let logits = Tensor(shape: [1, 4], storage: [1, 3, 3, -2])
        let top = MaskedLMHead.top(logits, k: 10)
        #expect(top.first?.ids == [1, 2, 0, 3])
        let total = top.first?.probabilities.reduce(0, +) ?? 0
        #expect(abs(total - 1) < 1e-6)
        let z = exp(1.0) + 2 * exp(3.0) + exp(-2.0)
        #expect(abs(Double(top.first?.probabilities[0] ?? 0) - exp(3.0) / z) < 1e-6)
    }

    @Test func checkpointLoader_HasNoMaskedLMHead_WhenCheckpointLacksClsPredictions() throws {
        let model = try CheckpointLoader.load(directory: FixtureSupport.fixture("tiny-bert"))
        #expect(model.maskedLMHead == nil)
    }

    @Test func checkpointLoader_ThrowsShapeMismatch_WhenHeadDenseWeightIsMisshaped() throws {
        let directory = try FixtureSupport.copy(fixture: "mlm/untied")
        defer { FixtureSupport.remove(directory) }
        try rewriteSafetensorsHeader(directory + "/model.safetensors") { header in
            guard var entry = header["cls.predictions.transform.dense.weight"] as? [String: Any] else { return }
            entry["shape"] = [16, 64]
            header["cls.predictions.transform.dense.weight"] = entry
        }
        #expect(
            throws: TransformerError.shapeMismatch(
                file: directory + "/model.safetensors", tensor: "cls.predictions.transform.dense.weight",
                expected: [32, 32], actual: [16, 64])
        ) { try CheckpointLoader.load(directory: directory) }
    }
}
