import Foundation
import Testing

@testable import Transformer

/// Rewrites the JSON header of a safetensors file in place, keeping its data section.
func rewriteSafetensorsHeader(_ path: String, _ transform: (inout [String: Any]) -> Void) throws {
    let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    let length = Int(bytes[0..<8].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) })
    var header = try #require(
        try JSONSerialization.jsonObject(with: Data(bytes[8..<(8 + length)])) as? [String: Any])
    transform(&header)
    let newHeader = [UInt8](try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys]))
    let image = safetensorsImage(
        header: String(decoding: newHeader, as: UTF8.self), data: Array(bytes[(8 + length)...]))
    try Data(image).write(to: URL(fileURLWithPath: path))
}

func editJSON(_ path: String, _ transform: (inout [String: Any]) -> Void) throws {
    var object = try #require(
        try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
    transform(&object)
    try JSONSerialization.data(withJSONObject: object).write(to: URL(fileURLWithPath: path))
}

@Suite struct CheckpointLoaderTests {
    @Test(arguments: [
        ("tiny-bert", Activation.gelu, Pooling.mean, false),
        ("tiny-bert-f16", Activation.geluTanh, Pooling.cls, false),
        ("tiny-bert-bf16", Activation.relu, Pooling.max, true),
    ])
    func checkpointLoader_ReadsConfigurationAndDefaults_ForEachFixture(
        name: String, activation: Activation, pooling: Pooling, normalize: Bool
    ) throws {
        let directory = FixtureSupport.fixture(name)
        let model = try CheckpointLoader.load(directory: directory)
        let c = model.encoder.configuration
        #expect(
            c
                == EncoderConfiguration(
                    layers: 2, heads: 4, hiddenSize: 32, intermediateSize: 64, maxPositions: 64, vocabularySize: 300,
                    typeVocabularySize: 2, positionalEncoding: .learned, normPlacement: .post,
                    activation: activation, layerNormEpsilon: 1e-12, seed: 0))
        #expect(model.defaultPooling == pooling)
        #expect(model.defaultNormalize == normalize)
        #expect(model.source == .checkpoint(directory: directory))
        #expect(model.tokenizer.vocabularySize == 300)
    }

    @Test func checkpointLoader_DefaultsToMiniLMPooling_ForSentenceTransformersFolder() throws {
        // MiniLM's own modules.json: Transformer, Pooling (mean), Normalize.
        let directory = try FixtureSupport.copy(fixture: "tiny-bert")
        defer { FixtureSupport.remove(directory) }
        let modules = #"""
            [{"idx":0,"name":"0","path":"","type":"sentence_transformers.models.Transformer"},
             {"idx":1,"name":"1","path":"1_Pooling","type":"sentence_transformers.models.Pooling"},
             {"idx":2,"name":"2","path":"2_Normalize","type":"sentence_transformers.models.Normalize"}]
            """#
        try modules.write(toFile: directory + "/modules.json", atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: directory + "/1_Pooling", withIntermediateDirectories: true)
        try #"{"word_embedding_dimension":32,"pooling_mode_cls_token":false,"pooling_mode_mean_tokens":true}"#
            .write(toFile: directory + "/1_Pooling/config.json", atomically: true, encoding: .utf8)
        let (pooling, normalize) = try CheckpointLoader.sentencePooling(directory: directory)
        #expect(pooling == .mean && normalize)
    }

    // MARK: - Golden comparisons against Hugging Face (need the encoder's forward pass)

    @Test(arguments: ["tiny-bert", "tiny-bert-f16", "tiny-bert-bf16"])
    func checkpointLoader_MatchesHuggingFace_ForTinyCheckpoint(name: String) throws {
        let directory = FixtureSupport.fixture(name)
        let model = try CheckpointLoader.load(directory: directory)
        let expected = try SafetensorsFile(path: directory + "/expected.safetensors")
        let index = try FixtureSupport.json(directory + "/expected.json")
        let cases = try #require(index["cases"] as? [[String: Any]])
        let inputs = try cases.map { item in
            let ids = try #require(item["ids"] as? [Int]).map(Int32.init)
            let types = (item["type_ids"] as? [Int])?.map(Int32.init)
            return EncoderInput(ids: ids, typeIds: types)
        }
        let layers = model.encoder.configuration.layers
        let options = ForwardOptions(
            attentionLayers: Set(0..<layers), hiddenStates: true, pooling: model.defaultPooling,
            normalize: model.defaultNormalize)
        let outputs = try model.encoder.forward(inputs, options: options)
        try #require(outputs.count == inputs.count)
        var report = GoldenReport(name)
        for (i, output) in outputs.enumerated() {
            let hidden = try #require(output.hiddenStates)
            try #require(hidden.count == layers + 1)
            for layer in 0...layers {
                report.compare(
                    "case\(i).hidden.\(layer)", kind: "hidden", hidden[layer],
                    try expected.tensor("case\(i).hidden.\(layer)"), tolerance: 1e-4)
            }
            report.compare(
                "case\(i).last", kind: "hidden", output.lastHiddenState,
                try expected.tensor("case\(i).hidden.\(layers)"), tolerance: 1e-4)
            for layer in 0..<layers {
                let attention = try #require(output.attentions[layer])
                report.compare(
                    "case\(i).attention.\(layer)", kind: "attention", attention,
                    try expected.tensor("case\(i).attention.\(layer)"), tolerance: 1e-5)
            }
            let suffix = model.defaultNormalize ? ".normalized" : ""
            let pooled = try #require(output.pooled)
            report.compare(
                "case\(i).pooled.\(model.defaultPooling.rawValue)\(suffix)", kind: "pooled",
                Tensor(shape: [pooled.count], storage: pooled),
                try expected.tensor("case\(i).pooled.\(model.defaultPooling.rawValue)\(suffix)"), tolerance: 1e-4)
        }
        report.print()
    }

    // MARK: - Broken inputs: each has its typed error

    @Test func checkpointLoader_ThrowsTruncated_WhenWeightsFileCutShort() throws {
        let directory = try FixtureSupport.copy(fixture: "tiny-bert")
        defer { FixtureSupport.remove(directory) }
        let path = directory + "/model.safetensors"
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: path))
        let error = #expect(throws: TransformerError.self) { try CheckpointLoader.load(directory: directory) }
        guard case .truncated(let file, let detail) = error else {
            Issue.record("expected .truncated, got \(String(describing: error))")
            return
        }
        #expect(file == path)
        #expect(detail.contains("tensor '"))
    }

    @Test func checkpointLoader_ThrowsNonFiniteWeight_WhenWeightsHoldNaN() throws {
        let directory = try FixtureSupport.copy(fixture: "tiny-bert")
        defer { FixtureSupport.remove(directory) }
        let path = directory + "/model.safetensors"
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let length = Int(bytes[0..<8].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) })
        // Every float of the data section becomes a quiet NaN (0x7FC00000, little-endian).
        for i in stride(from: 8 + length, to: bytes.count - 3, by: 4) {
            bytes.replaceSubrange(i..<(i + 4), with: [0x00, 0x00, 0xC0, 0x7F])
        }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let error = #expect(throws: TransformerError.self) { try CheckpointLoader.load(directory: directory) }
        guard case .nonFiniteWeight(let file, let tensor, let index) = error else {
            Issue.record("expected .nonFiniteWeight, got \(String(describing: error))")
            return
        }
        #expect(file == path)
        #expect(tensor.hasSuffix("embeddings.word_embeddings.weight"))
        #expect(index == 0)
    }

    @Test func checkpointLoader_ThrowsTruncated_WhenHeaderLengthPastEnd() throws {
        let directory = try FixtureSupport.copy(fixture: "tiny-bert")
        defer { FixtureSupport.remove(directory) }
        let path = directory + "/model.safetensors"
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let past = UInt64(bytes.count)
        withUnsafeBytes(of: past.littleEndian) { bytes.replaceSubrange(0..<8, with: $0) }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let error = #expect(throws: TransformerError.self) { try CheckpointLoader.load(directory: directory) }
        guard case .truncated(let file, let detail) = error else {
            Issue.record("expected .truncated, got \(String(describing: error))")
            return
        }
        #expect(file == path && detail.contains("header length"))
    }

    @Test func checkpointLoader_ThrowsOutOfBounds_WhenOffsetPastEnd() throws {
        let directory = try FixtureSupport.copy(fixture: "tiny-bert")
        defer { FixtureSupport.remove(directory) }
        let path = directory + "/model.safetensors"
        let name = "encoder.layer.1.output.dense.bias"
        try rewriteSafetensorsHeader(path) { header in
            var entry = header[name] as? [String: Any] ?? [:]
            entry["data_offsets"] = [10_000_000, 10_000_128]
            header[name] = entry
        }
        #expect(throws: TransformerError.tensorOutOfBounds(file: path, tensor: name)) {
            try CheckpointLoader.load(directory: directory)
        }
    }

    @Test func checkpointLoader_ThrowsShapeMismatch_WhenConfigurationDisagrees() throws {
        let directory = try FixtureSupport.copy(fixture: "tiny-bert")
        defer { FixtureSupport.remove(directory) }
        try editJSON(directory + "/config.json") { $0["intermediate_size"] = 48 }
        #expect(
            throws: TransformerError.shapeMismatch(
                file: directory + "/model.safetensors", tensor: "encoder.layer.0.intermediate.dense.weight",
                expected: [48, 32], actual: [64, 32])
        ) { try CheckpointLoader.load(directory: directory) }
    }

    @Test func checkpointLoader_ThrowsUnsupportedDType_WhenTensorIsInteger() throws {
        let directory = try FixtureSupport.copy(fixture: "tiny-bert")
        defer { FixtureSupport.remove(directory) }
        let path = directory + "/model.safetensors"
        let name = "embeddings.LayerNorm.weight"
        try rewriteSafetensorsHeader(path) { header in
            var entry = header[name] as? [String: Any] ?? [:]
            entry["dtype"] = "I32"
            header[name] = entry
        }
        #expect(throws: TransformerError.unsupportedDType(file: path, tensor: name, dtype: "I32")) {
            try CheckpointLoader.load(directory: directory)
        }
    }

    @Test func checkpointLoader_ThrowsMissingTensor_WhenTensorAbsent() throws {
        let directory = try FixtureSupport.copy(fixture: "tiny-bert-f16")
        defer { FixtureSupport.remove(directory) }
        let path = directory + "/model.safetensors"
        try rewriteSafetensorsHeader(path) { $0["bert.encoder.layer.1.attention.self.key.bias"] = nil }
        #expect(
            throws: TransformerError.missingTensor(file: path, tensor: "bert.encoder.layer.1.attention.self.key.bias")
        ) { try CheckpointLoader.load(directory: directory) }
    }

    @Test func checkpointLoader_ThrowsFileNotFound_WhenWeightsAbsent() throws {
        let directory = try FixtureSupport.copy(fixture: "tiny-bert")
        defer { FixtureSupport.remove(directory) }
        try FileManager.default.removeItem(atPath: directory + "/model.safetensors")
        #expect(throws: TransformerError.fileNotFound(file: directory + "/model.safetensors")) {
            try CheckpointLoader.load(directory: directory)
        }
    }

    @Test func checkpointLoader_ThrowsMissingVocabulary_WhenVocabAbsent() throws {
        let directory = try FixtureSupport.copy(fixture: "tiny-bert")
        defer { FixtureSupport.remove(directory) }
        try FileManager.default.removeItem(atPath: directory + "/vocab.txt")
        #expect(throws: TransformerError.missingVocabulary(file: directory + "/vocab.txt")) {
            try CheckpointLoader.load(directory: directory)
        }
    }

    @Test func checkpointLoader_ThrowsInvalidVocabulary_WhenVocabLargerThanModel() throws {
        let directory = try FixtureSupport.copy(fixture: "tiny-bert")
        defer { FixtureSupport.remove(directory) }
        let path = directory + "/vocab.txt"
        let extra = (0..<10).map { "extra\($0)" }.joined(separator: "\n")
        try (String(contentsOfFile: path, encoding: .utf8) + extra + "\n").write(
            toFile: path, atomically: true, encoding: .utf8)
        let error = #expect(throws: TransformerError.self) { try CheckpointLoader.load(directory: directory) }
        guard case .invalidVocabulary(let file, _) = error else {
            Issue.record("expected .invalidVocabulary, got \(String(describing: error))")
            return
        }
        #expect(file == path)
    }

    @Test func checkpointLoader_ThrowsInvalidHeader_WhenConfigIsNotJSON() throws {
        let directory = try FixtureSupport.copy(fixture: "tiny-bert")
        defer { FixtureSupport.remove(directory) }
        try "{ \"hidden_size\": 32,".write(toFile: directory + "/config.json", atomically: true, encoding: .utf8)
        #expect(throws: TransformerError.invalidHeader(file: directory + "/config.json", detail: "not valid JSON")) {
            try CheckpointLoader.load(directory: directory)
        }
    }

    @Test(arguments: [
        ("hidden_act", #""swish""#, "hidden_act"),
        ("num_attention_heads", "5", "hidden_size"),
        ("hidden_size", #""wide""#, "hidden_size"),
        ("model_type", #""t5""#, "model_type"),
        ("position_embedding_type", #""relative_key""#, "position_embedding_type"),
        ("layer_norm_eps", #""tiny""#, "layer_norm_eps"),
        ("num_hidden_layers", "0", "layers"),
        ("hidden_size", "1048576", "hidden_size"),
    ])
    func checkpointLoader_ThrowsInvalidConfiguration_WhenConfigFieldBad(
        key: String, json: String, field: String
    ) throws {
        let directory = try FixtureSupport.copy(fixture: "tiny-bert")
        defer { FixtureSupport.remove(directory) }
        let value = try JSONSerialization.jsonObject(with: Data(json.utf8), options: [.fragmentsAllowed])
        try editJSON(directory + "/config.json") { $0[key] = value }
        let error = #expect(throws: TransformerError.self) { try CheckpointLoader.load(directory: directory) }
        guard case .invalidConfiguration(let reported, _) = error else {
            Issue.record("expected .invalidConfiguration for \(key), got \(String(describing: error))")
            return
        }
        #expect(reported == field)
    }

    @Test func checkpointLoader_ThrowsInvalidConfiguration_WhenConfigFieldMissing() throws {
        let directory = try FixtureSupport.copy(fixture: "tiny-bert")
        defer { FixtureSupport.remove(directory) }
        try editJSON(directory + "/config.json") { $0["vocab_size"] = nil }
        let error = #expect(throws: TransformerError.self) { try CheckpointLoader.load(directory: directory) }
        guard case .invalidConfiguration(let field, _) = error else {
            Issue.record("expected .invalidConfiguration, got \(String(describing: error))")
            return
        }
        #expect(field == "vocab_size")
    }

    @Test func checkpointLoader_ThrowsForBrokenPoolingModule() throws {
        let directory = try FixtureSupport.copy(fixture: "tiny-bert-bf16")
        defer { FixtureSupport.remove(directory) }
        try editJSON(directory + "/1_Pooling/config.json") { $0["pooling_mode_mean_tokens"] = true }
        let error = #expect(throws: TransformerError.self) { try CheckpointLoader.load(directory: directory) }
        guard case .invalidConfiguration(let field, _) = error else {
            Issue.record("expected .invalidConfiguration, got \(String(describing: error))")
            return
        }
        #expect(field == "pooling_mode")
        try FileManager.default.removeItem(atPath: directory + "/1_Pooling/config.json")
        #expect(throws: TransformerError.fileNotFound(file: directory + "/1_Pooling/config.json")) {
            try CheckpointLoader.load(directory: directory)
        }
    }
}

@Suite struct PoolingGoldenTests {
    @Test(arguments: [Pooling.mean, .cls, .max], [false, true])
    func forward_PoolsLikeReference_ForEveryPoolingOption(pooling: Pooling, normalize: Bool) throws {
        let directory = FixtureSupport.fixture("tiny-bert")
        let model = try CheckpointLoader.load(directory: directory)
        let expected = try SafetensorsFile(path: directory + "/expected.safetensors")
        let index = try FixtureSupport.json(directory + "/expected.json")
        let cases = try #require(index["cases"] as? [[String: Any]])
        let inputs = try cases.map { item in
            EncoderInput(
                ids: try #require(item["ids"] as? [Int]).map(Int32.init),
                typeIds: (item["type_ids"] as? [Int])?.map(Int32.init))
        }
        let outputs = try model.encoder.forward(inputs, options: ForwardOptions(pooling: pooling, normalize: normalize))
        var report = GoldenReport("tiny-bert pooling \(pooling.rawValue) normalize \(normalize)")
        for (i, output) in outputs.enumerated() {
            let pooled = try #require(output.pooled)
            let name = "case\(i).pooled.\(pooling.rawValue)\(normalize ? ".normalized" : "")"
            report.compare(
                name, kind: "pooled", Tensor(shape: [pooled.count], storage: pooled), try expected.tensor(name),
                tolerance: normalize ? 1e-5 : 1e-4)
        }
        report.print()
    }
}
