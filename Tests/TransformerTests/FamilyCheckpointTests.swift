import Foundation
import Testing

@testable import Transformer

/// The encoder families (``ModelFamily``) against `Fixtures/families/<family>/`: tiny random checkpoints made and
/// saved by `scripts/make-family-fixtures.py` with Hugging Face `transformers`, and the golden hidden states and
/// attentions of its eager fp32 forward pass on each case run alone.
@Suite struct FamilyCheckpointTests {
    static let families = ["roberta", "xlm-roberta", "distilbert", "gpt2", "modernbert", "modernbert-biases"]

    @Test(arguments: families)
    func checkpointLoader_MatchesHuggingFace_ForFamily(name: String) throws {
        let directory = FixtureSupport.fixture("families/" + name)
        let model = try CheckpointLoader.load(directory: directory)
        let expected = try SafetensorsFile(path: directory + "/expected.safetensors")
        let index = try FixtureSupport.json(directory + "/expected.json")
        let cases = try #require(index["cases"] as? [[String: Any]])
        let inputs = try cases.map { EncoderInput(ids: try #require($0["ids"] as? [Int]).map(Int32.init)) }
        let layers = model.encoder.configuration.layers
        let options = ForwardOptions(attentionLayers: Set(0..<layers), hiddenStates: true, pooling: .none)
        // All cases in one ragged batch: each must equal its solo Hugging Face run.
        let outputs = try model.encoder.forward(inputs, options: options)
        try #require(outputs.count == inputs.count)
        var report = GoldenReport(name)
        for (i, output) in outputs.enumerated() {
            try report.compareLayers(case: i, output, layers: layers, expected: expected)
        }
        report.print()
    }

    @Test func checkpointLoader_MapsFamilyConfigurations_ForEachFixture() throws {
        func configuration(_ name: String) throws -> EncoderConfiguration {
            try CheckpointLoader.load(directory: FixtureSupport.fixture("families/" + name)).encoder.configuration
        }
        let roberta = EncoderConfiguration(
            layers: 2, heads: 2, hiddenSize: 32, intermediateSize: 64, maxPositions: 64, vocabularySize: 300,
            typeVocabularySize: 1, layerNormEpsilon: 1e-5, positionOffset: 2)
        #expect(try configuration("roberta") == roberta)
        #expect(try configuration("xlm-roberta") == roberta)
        #expect(
            try configuration("distilbert")
                == EncoderConfiguration(
                    layers: 2, heads: 2, hiddenSize: 32, intermediateSize: 64, maxPositions: 64, vocabularySize: 300,
                    typeVocabularySize: 0))
        #expect(
            try configuration("gpt2")
                == EncoderConfiguration(
                    layers: 2, heads: 2, hiddenSize: 32, intermediateSize: 128, maxPositions: 64, vocabularySize: 300,
                    typeVocabularySize: 0, normPlacement: .pre, activation: .geluTanh, layerNormEpsilon: 1e-5,
                    embeddingNorm: false, causal: true))
    }

    @Test func checkpointLoader_PoolsLastTokenAndMasksTheFuture_ForGPT2() throws {
        let model = try CheckpointLoader.load(directory: FixtureSupport.fixture("families/gpt2"))
        #expect(model.defaultPooling == .last)
        #expect(!model.defaultNormalize)
        let ids: [Int32] = [5, 299, 7, 150, 151, 3, 4, 9]
        let options = ForwardOptions(attentionLayers: [0, 1], pooling: .last)
        let output = try #require(try model.encoder.forward([EncoderInput(ids: ids)], options: options).first)
        let n = ids.count
        for layer in 0..<2 {
            let maps = try #require(output.attentions[layer])
            for h in 0..<2 {
                for i in 0..<n {
                    let row = Array(maps.storage[(h * n + i) * n..<(h * n + i + 1) * n])
                    #expect(row[(i + 1)...].allSatisfy { $0 == 0 }, "layer \(layer) head \(h) row \(i)")
                    #expect(abs(row.reduce(0, +) - 1) < 1e-5)
                }
            }
        }
        let d = output.lastHiddenState.shape[1]
        #expect(output.pooled == Array(output.lastHiddenState.storage[(n - 1) * d..<n * d]))
        // Causal: a prefix's states do not depend on what follows it.
        let prefix = try model.encoder.forward([EncoderInput(ids: Array(ids[0..<3]))], options: options)
        let head = Array(output.lastHiddenState.storage[0..<3 * d])
        #expect(goldenMaxDifference(prefix[0].lastHiddenState.storage, head) < 1e-5)
    }

    @Test func checkpointLoader_NamesTheTypeAndListsSupported_WhenModelTypeUnknown() throws {
        let directory = try FixtureSupport.copy(fixture: "families/roberta")
        defer { FixtureSupport.remove(directory) }
        let path = directory + "/config.json"
        let text = try String(contentsOfFile: path, encoding: .utf8)
        try text.replacingOccurrences(of: "\"roberta\"", with: "\"t5\"").write(
            toFile: path, atomically: true, encoding: .utf8)
        let error = #expect(throws: TransformerError.self) { try CheckpointLoader.load(directory: directory) }
        guard case .invalidConfiguration(let field, let reason) = error else {
            Issue.record("unexpected \(String(describing: error))")
            return
        }
        #expect(field == "model_type")
        #expect(reason.contains("t5") && reason.contains("bert, roberta, xlm-roberta, distilbert, gpt2, modernbert"))
    }

    @Test func checkpointLoader_NamesFileAndTensor_WhenGPT2FusedWeightMissing() throws {
        let directory = try FixtureSupport.copy(fixture: "families/gpt2")
        defer { FixtureSupport.remove(directory) }
        let path = directory + "/model.safetensors"
        try rewriteSafetensorsHeader(path) { header in
            header["h.1.attn.c_attn.weight_renamed"] = header.removeValue(forKey: "h.1.attn.c_attn.weight")
        }
        let error = #expect(throws: TransformerError.self) { try CheckpointLoader.load(directory: directory) }
        guard case .missingTensor(let file, let tensor) = error else {
            Issue.record("unexpected \(String(describing: error))")
            return
        }
        #expect(file == path && tensor == "h.1.attn.c_attn.weight")
    }

    @Test func checkpointLoader_NamesShape_WhenGPT2WeightNotInConv1DLayout() throws {
        let directory = try FixtureSupport.copy(fixture: "families/gpt2")
        defer { FixtureSupport.remove(directory) }
        let path = directory + "/model.safetensors"
        try rewriteSafetensorsHeader(path) { header in
            guard var entry = header["h.0.mlp.c_fc.weight"] as? [String: Any] else { return }
            entry["shape"] = [128, 32]
            header["h.0.mlp.c_fc.weight"] = entry
        }
        let error = #expect(throws: TransformerError.self) { try CheckpointLoader.load(directory: directory) }
        guard case .shapeMismatch(_, let tensor, let expected, let actual) = error else {
            Issue.record("unexpected \(String(describing: error))")
            return
        }
        #expect(tensor == "h.0.mlp.c_fc.weight" && expected == [32, 128] && actual == [128, 32])
    }
}
