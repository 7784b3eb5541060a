import Foundation
import Testing

@testable import Transformer

@Suite struct ModelTests {
    static let small = EncoderConfiguration(
        layers: 2, heads: 2, hiddenSize: 16, intermediateSize: 32, maxPositions: 32, vocabularySize: 100,
        typeVocabularySize: 2, seed: 7)

    @Test func model_PairsSeededEncoderWithHashingTokenizer_WhenSeeded() throws {
        let model = try Model.seeded(Self.small)
        #expect(model.source == .seeded)
        #expect(model.defaultPooling == .mean)
        #expect(!model.defaultNormalize)
        #expect(model.tokenizer.vocabularySize == 100)
        #expect(model.tokenizer is HashingTokenizer)
        let encoding = model.tokenizer.encode("The dog chased the ball.", addSpecialTokens: true)
        let output = try model.encoder.forward(
            [EncoderInput(ids: encoding.ids)], options: ForwardOptions(pooling: .mean))
        #expect(output[0].lastHiddenState.shape == [encoding.count, 16])
        #expect(output[0].pooled?.count == 16)
    }

    @Test func model_ThrowsInvalidConfiguration_WhenSeededConfigurationBad() {
        var bad = Self.small
        bad.heads = 3
        let error = #expect(throws: TransformerError.self) { try Model.seeded(bad) }
        guard case .invalidConfiguration(let field, _) = error else {
            Issue.record("expected .invalidConfiguration, got \(String(describing: error))")
            return
        }
        #expect(field == "hidden_size")
    }

    @Test func wordPieceLoading_ReadsCasedSettings_FromTokenizerConfig() throws {
        let directory = try FixtureSupport.temporaryDirectory()
        defer { FixtureSupport.remove(directory) }
        let vocabulary = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "Café", "café", "cafe", "<unk>"]
        try (vocabulary.joined(separator: "\n") + "\n").write(
            toFile: directory + "/vocab.txt", atomically: true, encoding: .utf8)
        try #"{"do_lower_case": false, "unk_token": {"content": "<unk>"}}"#.write(
            toFile: directory + "/tokenizer_config.json", atomically: true, encoding: .utf8)
        let cased = try WordPieceTokenizer.load(directory: directory)
        #expect(!cased.options.lowercase)
        #expect(cased.encode("Café café CAFE", addSpecialTokens: false).tokens == ["Café", "café", "<unk>"])
        // tokenizer.json's BertNormalizer overrides tokenizer_config.json (it is what the fast tokenizer runs).
        try #"{"normalizer": {"type": "BertNormalizer", "lowercase": true, "strip_accents": false}}"#.write(
            toFile: directory + "/tokenizer.json", atomically: true, encoding: .utf8)
        let lowered = try WordPieceTokenizer.load(directory: directory)
        #expect(lowered.options.lowercase && lowered.options.stripAccents == false)
        #expect(lowered.encode("Café CAFE", addSpecialTokens: false).tokens == ["café", "cafe"])
    }

    @Test func wordPieceLoading_UsesTokenizerJSONVocabulary_WhenVocabTxtAbsent() throws {
        let directory = try FixtureSupport.temporaryDirectory()
        defer { FixtureSupport.remove(directory) }
        let json = """
            {"normalizer": {"type": "BertNormalizer", "lowercase": true},
             "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
                       "max_input_chars_per_word": 100,
                       "vocab": {"[PAD]": 0, "[UNK]": 1, "[CLS]": 2, "[SEP]": 3, "hi": 4, "##s": 5}}}
            """
        try json.write(toFile: directory + "/tokenizer.json", atomically: true, encoding: .utf8)
        let tokenizer = try WordPieceTokenizer.load(directory: directory)
        #expect(tokenizer.encode("His").ids == [2, 4, 5, 3])
        try "{ broken".write(toFile: directory + "/tokenizer.json", atomically: true, encoding: .utf8)
        #expect(throws: TransformerError.invalidHeader(file: directory + "/tokenizer.json", detail: "not valid JSON")) {
            try WordPieceTokenizer.load(directory: directory)
        }
    }
}

@Suite struct SafetensorsRobustnessTests {
    /// Every prefix and many random corruptions of a valid file either parse or throw a TransformerError.
    @Test func safetensors_NeverCrashes_OnCorruptedBytes() throws {
        let header = """
            {"__metadata__":{"format":"pt"},"a":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]},\
            "b":{"dtype":"F16","shape":[3],"data_offsets":[16,22]}}
            """
        let valid = safetensorsImage(header: header, data: floatBytes([1, 2, 3, 4]) + [0, 60, 0, 60, 0, 60])
        var parsed = 0
        var rejected = 0
        func attempt(_ bytes: [UInt8]) {
            do {
                let file = try SafetensorsFile(bytes: bytes, path: "fuzz")
                for name in file.tensorNames { _ = try? file.tensor(name) }
                parsed += 1
            } catch {
                rejected += 1
            }
        }
        for length in 0..<valid.count { attempt(Array(valid.prefix(length))) }
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            var bytes = valid
            for _ in 0..<Int.random(in: 1...4, using: &generator) {
                let index = Int.random(in: 0..<bytes.count, using: &generator)
                bytes[index] = UInt8.random(in: 0...255, using: &generator)
            }
            attempt(bytes)
        }
        attempt(valid)
        #expect(parsed >= 1)
        #expect(rejected >= valid.count)
    }
}
