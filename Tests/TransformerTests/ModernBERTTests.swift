import Foundation
import Testing

@testable import Transformer

/// ModernBERT (``ModelFamily/modernbert``) beyond the golden comparison of ``FamilyCheckpointTests``: its
/// configuration mapping, the local window's exact zeros, strict loading, errors naming the `config.json` key, the
/// refusal of contributions, and the seeded encoder's rotary / local / gated switches against ``ReferenceEncoder``.
@Suite struct ModernBERTTests {
    static let directory = FixtureSupport.fixture("families/modernbert")

    @Test func checkpointLoader_MapsModernBERTConfiguration_ForFixture() throws {
        let model = try CheckpointLoader.load(directory: Self.directory)
        let expected = EncoderConfiguration(
            layers: 3, heads: 2, hiddenSize: 32, intermediateSize: 64, maxPositions: 64, vocabularySize: 300,
            typeVocabularySize: 0, positionalEncoding: .rotary, normPlacement: .pre, activation: .gelu,
            layerNormEpsilon: 1e-5, ropeTheta: 160_000, localRopeTheta: 10_000, localAttention: 4,
            globalAttentionEvery: 2, gatedFeedForward: true, firstAttentionNorm: false)
        #expect(model.encoder.configuration == expected)
        #expect(model.defaultPooling == .mean && !model.defaultNormalize)
        #expect(!expected.isLocal(layer: 0) && expected.isLocal(layer: 1) && !expected.isLocal(layer: 2))
        #expect(!expected.supportsContributions)
    }

    @Test func encoder_RotaryTablesMatchTransformersFloat32_AtLongPositions() throws {
        let json = try FixtureSupport.json(Self.directory + "/rotary.json")
        let dh = try #require(json["head_size"] as? Int)
        let positions = try #require(json["positions"] as? [Int])
        let count = 8192
        for key in ["global", "local"] {
            let entry = try #require(json[key] as? [String: Any])
            let theta = try #require(entry["theta"] as? Double)
            let cosines = try #require(entry["cos"] as? [[Double]])
            let sines = try #require(entry["sin"] as? [[Double]])
            var table = [Float](repeating: 0, count: 2 * count * dh / 2)
            table.withUnsafeMutableBufferPointer {
                Encoder.rotaryTable(positions: count, headSize: dh, theta: theta, into: $0.baseAddress!)
            }
            var worst: Float = 0
            for (row, p) in positions.enumerated() {
                for k in 0..<dh / 2 {
                    worst = Swift.max(worst, abs(table[p * dh / 2 + k] - Float(cosines[row][k])))
                    worst = Swift.max(worst, abs(table[(count + p) * dh / 2 + k] - Float(sines[row][k])))
                }
            }
            print("[golden] modernbert rotary \(key) θ \(theta): worst max |Δ| cos/sin \(worst)")
            #expect(worst < 1e-6, "\(key)")
        }
    }

    @Test func encoder_GivesExactZerosOutsideWindowAndRowsSumToOne_OnLocalLayers() throws {
        let model = try CheckpointLoader.load(directory: Self.directory)
        let ids: [Int32] = [5, 299, 7, 150, 151, 3, 4, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20]
        let n = ids.count
        let options = ForwardOptions(attentionLayers: [0, 1, 2])
        let output = try #require(try model.encoder.forward([EncoderInput(ids: ids)], options: options).first)
        for layer in 0..<3 {
            let maps = try #require(output.attentions[layer])
            for h in 0..<2 {
                for i in 0..<n {
                    let row = Array(maps.storage[(h * n + i) * n..<(h * n + i + 1) * n])
                    #expect(abs(row.reduce(0, +) - 1) < 1e-5, "layer \(layer) head \(h) row \(i)")
                    for j in 0..<n {
                        if layer == 1 && abs(i - j) > 2 {
                            #expect(row[j] == 0, "layer 1 head \(h) [\(i), \(j)]")
                        } else {
                            #expect(row[j] > 0, "layer \(layer) head \(h) [\(i), \(j)]")
                        }
                    }
                }
            }
        }
    }

    @Test func encoder_RefusesContributions_WhenModernBERT() throws {
        let model = try CheckpointLoader.load(directory: Self.directory)
        var input = EncoderInput(ids: [2, 77, 80, 81, 3])
        input.keep = KeptOutputs(contributions: [.norm, .alti, .globenc], contributionLayers: [0, 1, 2])
        let output = try #require(try model.encoder.forward([input], options: ForwardOptions()).first)
        #expect(output.contributions.isEmpty)
        let selection = KeptSelection(try #require(input.keep), configuration: model.encoder.configuration)
        #expect(selection.contributionLayers.isEmpty && selection.contributionMeasures.isEmpty)
    }

    /// Runs `edit` on a copy of the fixture's config.json and returns the load error's field and reason.
    private func configurationError(
        _ edit: (inout [String: Any]) -> Void
    ) throws -> (field: String, reason: String)? {
        let directory = try FixtureSupport.copy(fixture: "families/modernbert")
        defer { FixtureSupport.remove(directory) }
        let path = directory + "/config.json"
        var json = try FixtureSupport.json(path)
        edit(&json)
        try JSONSerialization.data(withJSONObject: json).write(to: URL(fileURLWithPath: path))
        let error = #expect(throws: TransformerError.self) { try CheckpointLoader.load(directory: directory) }
        guard case .invalidConfiguration(let field, let reason) = error else {
            Issue.record("unexpected \(String(describing: error))")
            return nil
        }
        return (field, reason)
    }

    @Test func checkpointLoader_NamesTheKey_WhenModernBERTConfigurationUnsupported() throws {
        let cases: [(String, (inout [String: Any]) -> Void)] = [
            ("local_attention", { $0["local_attention"] = 5 }),
            ("hidden_activation", { $0["hidden_activation"] = "swish" }),
            ("layer_types", { $0["layer_types"] = ["full_attention", "full_attention", "sliding_attention"] }),
            ("rope_parameters", { $0["rope_parameters"] = ["full_attention": ["rope_type": "yarn"]] }),
            ("norm_bias", { $0["norm_bias"] = "no" }),
        ]
        for (key, edit) in cases {
            let error = try configurationError(edit)
            #expect(error?.field == key, "\(key): \(String(describing: error))")
        }
    }

    @Test func checkpointLoader_ReadsOldStyleKeys_WhenLayerTypesAndRopeParametersAbsent() throws {
        let directory = try FixtureSupport.copy(fixture: "families/modernbert")
        defer { FixtureSupport.remove(directory) }
        let path = directory + "/config.json"
        var json = try FixtureSupport.json(path)
        json["layer_types"] = nil
        json["rope_parameters"] = nil
        json["global_attn_every_n_layers"] = 3
        json["global_rope_theta"] = 80_000.0
        json["local_rope_theta"] = 5_000.0
        try JSONSerialization.data(withJSONObject: json).write(to: URL(fileURLWithPath: path))
        let c = try CheckpointLoader.load(directory: directory).encoder.configuration
        #expect(c.globalAttentionEvery == 3 && c.ropeTheta == 80_000 && c.localRopeTheta == 5_000)
    }

    @Test func checkpointLoader_NamesFileAndTensor_WhenModernBERTTensorMissingOrMisshaped() throws {
        let directory = try FixtureSupport.copy(fixture: "families/modernbert")
        defer { FixtureSupport.remove(directory) }
        let path = directory + "/model.safetensors"
        try rewriteSafetensorsHeader(path) { header in
            header["layers.1.attn.Wqkv.weight_renamed"] = header.removeValue(forKey: "layers.1.attn.Wqkv.weight")
        }
        let missing = #expect(throws: TransformerError.self) { try CheckpointLoader.load(directory: directory) }
        guard case .missingTensor(let file, let tensor) = missing else {
            Issue.record("unexpected \(String(describing: missing))")
            return
        }
        #expect(file == path && tensor == "layers.1.attn.Wqkv.weight")

        let shaped = try FixtureSupport.copy(fixture: "families/modernbert")
        defer { FixtureSupport.remove(shaped) }
        try rewriteSafetensorsHeader(shaped + "/model.safetensors") { header in
            guard var entry = header["layers.2.mlp.Wi.weight"] as? [String: Any] else { return }
            entry["shape"] = [32, 128]
            header["layers.2.mlp.Wi.weight"] = entry
        }
        let error = #expect(throws: TransformerError.self) { try CheckpointLoader.load(directory: shaped) }
        guard case .shapeMismatch(_, let name, let expected, let actual) = error else {
            Issue.record("unexpected \(String(describing: error))")
            return
        }
        #expect(name == "layers.2.mlp.Wi.weight" && expected == [128, 32] && actual == [32, 128])
    }

    @Test func checkpointLoader_NamesBias_WhenConfigSaysBiasesButFileHasNone() throws {
        let error = try configurationErrorOrTensor()
        #expect(error == "embeddings.norm.bias")
    }

    /// The bias-free fixture with `norm_bias: true`: the first bias in table order is missing.
    private func configurationErrorOrTensor() throws -> String? {
        let directory = try FixtureSupport.copy(fixture: "families/modernbert")
        defer { FixtureSupport.remove(directory) }
        let path = directory + "/config.json"
        var json = try FixtureSupport.json(path)
        json["norm_bias"] = true
        try JSONSerialization.data(withJSONObject: json).write(to: URL(fileURLWithPath: path))
        let error = #expect(throws: TransformerError.self) { try CheckpointLoader.load(directory: directory) }
        guard case .missingTensor(_, let tensor) = error else { return nil }
        return tensor
    }

    @Test func encoderConfiguration_DecodesRotaryLocalAndGatedSwitches_FromJSON() throws {
        let json = #"""
            {"positional_encoding": "rotary", "rope_theta": 160000, "local_rope_theta": 10000,
             "local_attention": 4, "global_attention_every": 2, "gated_feed_forward": true,
             "first_attention_norm": false, "norm_placement": "pre"}
            """#
        let c = try EncoderConfiguration.decode(json: Array(json.utf8))
        #expect(c.positionalEncoding == .rotary && c.ropeTheta == 160_000 && c.localAttention == 4)
        #expect(c.globalAttentionEvery == 2 && c.gatedFeedForward && !c.firstAttentionNorm)
        let encoded = try JSONEncoder().encode(c)
        #expect(try EncoderConfiguration.decode(json: Array(encoded)) == c)
        for (bad, field) in [
            (#"{"local_attention": 3}"#, "local_attention"),
            (#"{"global_attention_every": 0}"#, "global_attention_every"),
            (#"{"rope_theta": 0}"#, "rope_theta"), (#"{"positional_encoding": "alibi"}"#, "positional_encoding"),
            (#"{"positional_encoding": "rotary", "hidden_size": 36, "heads": 12}"#, "hidden_size"),
        ] {
            let error = #expect(throws: TransformerError.self) {
                try EncoderConfiguration.decode(json: Array(bad.utf8))
            }
            guard case .invalidConfiguration(let name, _) = error else {
                Issue.record("unexpected \(String(describing: error)) for \(bad)")
                continue
            }
            #expect(name == field, "\(bad)")
        }
    }

    @Test(arguments: [false, true])
    func encoder_MatchesReference_WhenSeededRotaryLocalGated(causal: Bool) throws {
        let c = EncoderConfiguration(
            layers: 3, heads: 2, hiddenSize: 32, intermediateSize: 48, maxPositions: 40, vocabularySize: 50,
            typeVocabularySize: 0, positionalEncoding: .rotary, normPlacement: .pre, layerNormEpsilon: 1e-5,
            seed: 7, causal: causal, ropeTheta: 1_000, localRopeTheta: 50, localAttention: 6, globalAttentionEvery: 2,
            gatedFeedForward: true, firstAttentionNorm: false)
        let weights = randomisedWeights(c)
        let encoder = try Encoder(configuration: c, weights: weights)
        let ids: [Int32] = [3, 14, 15, 9, 26, 5, 35, 8, 9, 7, 9, 3, 2, 38, 46, 26, 43, 1, 0, 49, 12, 30]
        let options = ForwardOptions(attentionLayers: [0, 1, 2], hiddenStates: true)
        // Two sequences in one ragged batch: positions restart at 0 for each.
        let outputs = try encoder.forward(
            [EncoderInput(ids: ids), EncoderInput(ids: Array(ids[4..<13]))], options: options)
        for (output, sequence) in zip(outputs, [ids, Array(ids[4..<13])]) {
            let reference = ReferenceEncoder(configuration: c, weights: weights).run(ids: sequence)
            let hidden = try #require(output.hiddenStates)
            for (l, expected) in reference.hiddenStates.enumerated() {
                let difference = goldenMaxDifference(hidden[l].storage, expected.flatMap { $0.map(Float.init) })
                #expect(difference < 1e-4, "hidden \(l): \(difference)")
            }
            for (l, expected) in reference.attentions.enumerated() {
                let maps = try #require(output.attentions[l])
                let flat = expected.flatMap { $0.flatMap { $0.map(Float.init) } }
                #expect(goldenMaxDifference(maps.storage, flat) < 1e-5, "attention \(l)")
                let n = sequence.count
                if l == 1 {
                    for i in 0..<n {
                        for j in 0..<n where abs(i - j) > 3 { #expect(maps.storage[i * n + j] == 0) }
                    }
                }
            }
        }
    }
}
