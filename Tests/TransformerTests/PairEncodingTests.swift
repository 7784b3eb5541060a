import Foundation
import Testing

@testable import Transformer

/// Text pairs against `Fixtures/pairs/` (made by `scripts/make-pair-fixtures.py` with Hugging Face's fast
/// tokenizer and MiniLM): encoding, `longest_first` truncation on both sides, and MiniLM's maps with token types.
@Suite struct PairEncodingTests {
    struct Case {
        var first: String
        var second: String
        var addSpecialTokens: Bool
        var maxLength: Int?
        var keepingEnd: Bool
        var ids: [Int32]
        var tokens: [String]
        var typeIDs: [Int32]
        var offsets: [Range<Int>?]
        var sequenceIDs: [Int?]
    }

    static func document() throws -> [String: Any] {
        try FixtureSupport.json(FixtureSupport.fixture("pairs/pairs.json"))
    }

    static func cases() throws -> [Case] {
        try #require(try document()["cases"] as? [[String: Any]]).map { c in
            Case(
                first: try #require(c["first"] as? String), second: try #require(c["second"] as? String),
                addSpecialTokens: try #require(c["add_special_tokens"] as? Bool), maxLength: c["max_length"] as? Int,
                keepingEnd: c["side"] as? String == "left",
                ids: try #require(c["ids"] as? [Int]).map(Int32.init),
                tokens: try #require(c["tokens"] as? [String]),
                typeIDs: try #require(c["type_ids"] as? [Int]).map(Int32.init),
                offsets: try #require(c["offsets"] as? [Any]).map { item in
                    (item as? [Int]).map { $0[0]..<$0[1] }
                },
                sequenceIDs: try #require(c["sequence_ids"] as? [Any]).map { $0 as? Int })
        }
    }

    @Test func encodePair_MatchesHuggingFace_ForFixturePairsWithAndWithoutTruncation() throws {
        let tokenizer = try WordPieceTokenizerTests.miniLMTokenizer()
        let cases = try Self.cases()
        #expect(cases.count >= 50)
        #expect(cases.contains { $0.maxLength != nil && $0.keepingEnd })
        for c in cases {
            let what =
                "\(c.first) | \(c.second) specials \(c.addSpecialTokens) max \(c.maxLength ?? -1) left \(c.keepingEnd)"
            let e = tokenizer.encode(
                c.first, pair: c.second, addSpecialTokens: c.addSpecialTokens, maxLength: c.maxLength,
                keepingEnd: c.keepingEnd)
            #expect(e.ids == c.ids, "ids: \(what)")
            #expect(e.tokens == c.tokens, "tokens: \(what)")
            #expect(e.typeIDs == c.typeIDs, "types: \(what)")
            #expect(e.offsets == c.offsets, "offsets: \(what)")
            #expect(e.sequenceIDs == c.sequenceIDs, "sequence ids: \(what)")
            #expect(e.secondSegmentStart == c.sequenceIDs.firstIndex { $0 == 1 }, "second start: \(what)")
            if let maxLength = c.maxLength { #expect(e.count <= maxLength, "length: \(what)") }
        }
    }

    @Test func longestFirst_KeepsTheTotalWithinTheBudget_ForEveryLengthPair() {
        for budget in 0...12 {
            for a in 0...14 {
                for b in 0...14 {
                    let (x, y) = Encoding.longestFirst(a, b, maxLength: budget)
                    if a + b <= budget {
                        #expect(x == a && y == b)
                        continue
                    }
                    #expect(x + y == budget, "\(a), \(b) in \(budget)")
                    #expect(x <= a && y <= b, "\(a), \(b) in \(budget): \(x), \(y)")
                    // The shorter is cut only when the longer has come down to its length (they then differ by ≤ 1).
                    if x < min(a, b) || y < min(a, b) { #expect(abs(x - y) <= 1) }
                }
            }
        }
    }

    @Test func encodePair_GivesTypesAndStart_WhenHashingTokenizer() {
        let e = HashingTokenizer(vocabularySize: 100).encode("a b", pair: "c")
        #expect(e.tokens.first == "[CLS]" && e.tokens.last == "[SEP]")
        #expect(e.typeIDs == [0, 0, 0, 0, 1, 1])
        #expect(e.secondSegmentStart == 4)
        #expect(e.sequenceIDs == [nil, 0, 0, nil, 1, nil])
        #expect(e.offsets[4] == 0..<1)
    }

    @Test(
        .enabled(
            if: FixtureSupport.miniLMAvailable,
            "models/all-MiniLM-L6-v2 is absent — run scripts/fetch-model to enable the MiniLM pair test"))
    func miniLM_MatchesHuggingFace_ForAPairWithTokenTypes() throws {
        let model = try CheckpointLoader.load(directory: FixtureSupport.miniLMDirectory)
        let reference = try #require(try Self.document()["model"] as? [String: Any])
        let expected = try SafetensorsFile(path: FixtureSupport.fixture("pairs/minilm-pair.safetensors"))
        let encoding = model.tokenizer.encode(
            try #require(reference["first"] as? String), pair: try #require(reference["second"] as? String))
        #expect(encoding.ids == (try #require(reference["ids"] as? [Int])).map(Int32.init))
        #expect(encoding.typeIDs == (try #require(reference["type_ids"] as? [Int])).map(Int32.init))
        #expect(encoding.secondSegmentStart == reference["sentence_b_start"] as? Int)
        let layers = model.encoder.configuration.layers
        let options = ForwardOptions(attentionLayers: Set(0..<layers))
        let typed = try model.encoder.forward(
            [EncoderInput(ids: encoding.ids, typeIds: encoding.typeIDs)], options: options)[0]
        let untyped = try model.encoder.forward([EncoderInput(ids: encoding.ids)], options: options)[0]
        var report = GoldenReport("all-MiniLM-L6-v2, a text pair")
        report.compare("hidden", kind: "hidden", typed.lastHiddenState, try expected.tensor("hidden"), tolerance: 1e-4)
        for layer in 0..<layers {
            let map = try #require(typed.attentions[layer])
            report.compare(
                "attention.\(layer)", kind: "attention", map, try expected.tensor("attention.\(layer)"),
                tolerance: 1e-5)
            let n = map.shape[1]
            for row in 0..<(map.shape[0] * n) {
                let sum = map.storage[(row * n)..<((row + 1) * n)].reduce(0, +)
                #expect(abs(sum - 1) < 1e-4, "layer \(layer) row \(row) sums to \(sum)")
            }
        }
        let untypedMap = try #require(untyped.attentions[0])
        report.compare(
            "attention_untyped.0", kind: "attention", untypedMap, try expected.tensor("attention_untyped.0"),
            tolerance: 1e-5)
        report.print()
        // The types reach the token-type embeddings: without them layer 0 is measurably other.
        let typedMap = try #require(typed.attentions[0])
        #expect(goldenMaxDifference(typedMap, untypedMap) > 1e-3)
    }
}
