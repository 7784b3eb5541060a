import Foundation
import Testing

@testable import Transformer

/// sentence-transformers/all-MiniLM-L6-v2 against the reference tensors in `Fixtures/minilm/`.
///
/// The weights are not committed: `scripts/fetch-model` puts them in `models/all-MiniLM-L6-v2` (CI runs it). Without
/// that folder these tests are skipped with a message saying so.
@Suite(
    .enabled(
        if: FixtureSupport.miniLMAvailable,
        "models/all-MiniLM-L6-v2 is absent — run scripts/fetch-model to enable the MiniLM golden tests"))
struct MiniLMTests {
    struct Case {
        var text: String
        var ids: [Int32]
    }

    static func cases() throws -> [Case] {
        let index = try FixtureSupport.json(FixtureSupport.fixture("minilm/expected.json"))
        return try #require(index["cases"] as? [[String: Any]]).map { item in
            Case(
                text: try #require(item["text"] as? String),
                ids: try #require(item["ids"] as? [Int]).map(Int32.init))
        }
    }

    @Test func miniLM_LoadsAsSentenceTransformer_WithMeanPoolingAndNormalize() throws {
        let model = try CheckpointLoader.load(directory: FixtureSupport.miniLMDirectory)
        #expect(model.encoder.configuration == EncoderConfiguration())
        #expect(model.defaultPooling == .mean)
        #expect(model.defaultNormalize)
        #expect(model.tokenizer.vocabularySize == 30522)
    }

    @Test func miniLM_TokenizerFromModelFolder_MatchesCorpus() throws {
        // The model folder also has tokenizer.json, whose BertNormalizer settings take precedence.
        let tokenizer = try WordPieceTokenizer.load(directory: FixtureSupport.miniLMDirectory)
        #expect(tokenizer.options == WordPieceTokenizer.Options())
        for line in try Corpus.load().lines {
            let encoding = tokenizer.encode(line.text ?? "")
            #expect(encoding.ids == line.ids, "ids for \((line.text ?? "").debugDescription)")
            #expect(encoding.offsets == line.expectedOffsets, "offsets for \((line.text ?? "").debugDescription)")
        }
    }

    @Test func miniLM_MatchesHuggingFace_ForReferenceSentences() throws {
        let model = try CheckpointLoader.load(directory: FixtureSupport.miniLMDirectory)
        let expected = try SafetensorsFile(path: FixtureSupport.fixture("minilm/expected.safetensors"))
        let cases = try Self.cases()
        #expect(cases.contains { $0.text == "The dog chased the ball because it was fast." })
        for item in cases {
            #expect(model.tokenizer.encode(item.text, addSpecialTokens: true).ids == item.ids, "ids of \(item.text)")
        }
        let layers = model.encoder.configuration.layers
        let options = ForwardOptions(
            attentionLayers: Set(0..<layers), hiddenStates: true, pooling: model.defaultPooling,
            normalize: model.defaultNormalize)
        // All sentences in one padded batch; the references were computed one sentence at a time.
        let batched = try model.encoder.forward(cases.map { EncoderInput(ids: $0.ids) }, options: options)
        let solo = try model.encoder.forward([EncoderInput(ids: cases[0].ids)], options: options)
        var report = GoldenReport("all-MiniLM-L6-v2")
        for (i, output) in batched.enumerated() {
            try report.compareLayers(case: i, output, layers: layers, expected: expected)
            let embedding = try #require(output.pooled)
            report.compare(
                "case\(i).embedding", kind: "embedding", Tensor(shape: [embedding.count], storage: embedding),
                try expected.tensor("case\(i).embedding"), tolerance: 1e-5)
        }
        let soloEmbedding = try #require(solo[0].pooled)
        report.compare(
            "case0.embedding (solo)", kind: "embedding", Tensor(shape: [soloEmbedding.count], storage: soloEmbedding),
            try expected.tensor("case0.embedding"), tolerance: 1e-5)
        report.print()
    }
}
