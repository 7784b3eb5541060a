import Foundation
import Testing

@testable import Transformer

/// `decode(ids:skipSpecialTokens:)` of `tokenizer.json` tokenizers against `tokenizers`' `decode` (made by
/// `scripts/make-tokenizer-fixtures.py`): each fixture file's own decoder on the ids of every corpus text, and the
/// other decoders (`Fixtures/tokenizers/decoders.json`) on the first 150; texts compared byte for byte.
@Suite struct TokenDecoderTests {
    static func same(_ a: String, _ b: String) -> Bool { a.utf8.elementsEqual(b.utf8) }

    @Test(arguments: HuggingFaceTokenizerTests.kinds)
    func decode_MatchesTokenizers_WithTheFilesDecoder(kind: String) throws {
        let (tokenizer, expected) = try HuggingFaceTokenizerTests.load(kind)
        let singles = try #require(expected["singles"] as? [Any])
        let decoded = try #require(expected["decoded"] as? [[String]])
        try #require(decoded.count == singles.count)
        var failures: [String] = []
        for (json, texts) in zip(singles, decoded) {
            let ids = try HuggingFaceTokenizerTests.Expected(json).ids
            for (skip, want) in zip([true, false], texts) {
                let got = tokenizer.decode(ids: ids, skipSpecialTokens: skip)
                if !Self.same(got, want) {
                    failures.append("\(ids) skip \(skip): \(got.debugDescription) expected \(want.debugDescription)")
                }
            }
        }
        HuggingFaceTokenizerTests.check(failures, decoded.count, "decodings")
    }

    @Test func decode_MatchesTokenizers_WithOtherDecoders() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: FixtureSupport.fixture("tokenizers/decoders.json")))
        let cases = try #require(try JSONSerialization.jsonObject(with: data) as? [[String: Any]])
        #expect(cases.count >= 6)
        for entry in cases {
            let kind = try #require(entry["kind"] as? String)
            var json = try FixtureSupport.json(FixtureSupport.fixture("tokenizers/\(kind)/tokenizer.json"))
            json["decoder"] = entry["decoder"] ?? NSNull()
            let tokenizer = try HuggingFaceTokenizer(json: json, file: kind)
            let items = try #require(entry["cases"] as? [[Any]])
            var failures: [String] = []
            for item in items {
                let ids = try #require(item[0] as? [Int]).map(Int32.init)
                for (skip, want) in zip([true, false], [item[1], item[2]]) {
                    let want = try #require(want as? String)
                    let got = tokenizer.decode(ids: ids, skipSpecialTokens: skip)
                    if !Self.same(got, want) {
                        failures.append("skip \(skip): \(got.debugDescription) expected \(want.debugDescription)")
                    }
                }
            }
            HuggingFaceTokenizerTests.check(
                failures, items.count, "\(kind) \(String(describing: entry["decoder"])) decodings")
        }
    }

    @Test func decode_FollowsEachDecodersRules_OnHandPickedTokens() {
        #expect(
            TokenDecoder.byteFallback.decode(["a", "<0xE2>", "<0x82>", "<0xAC>", "b", "<0xE2>", "<0x82>", "<0x4>"])
                == "a€b\u{FFFD}\u{FFFD}<0x4>")
        #expect(TokenDecoder.bpe(suffix: "</w>").decode(["a</w>b</w>", "c</w>", "d</w>"]) == "a b c d")
        #expect(
            TokenDecoder.metaspace(replacement: "\u{2581}", prependScheme: .always).decode([
                "\u{2581}a\u{2581}b", "\u{2581}c",
            ]) == "ab c")
        #expect(
            TokenDecoder.metaspace(replacement: "\u{2581}", prependScheme: .never).decode(["\u{2581}a", "\u{2581}c"])
                == " a c")
        #expect(
            TokenDecoder.ctc(pad: "<pad>", wordDelimiter: "|", cleanup: true).decode([
                "a", "a", "<pad>", "b", "|", "|", "c", " .",
            ]) == "ab c.")
        #expect(TokenDecoder.strip(content: "a", start: 0, stop: 2).decode(["a", "baaa", ""]) == "ba")
        #expect(
            TokenDecoder.byteLevel.decode(["\u{120}hello", "\u{120}\u{C3}\u{A9}", "\u{FF}", "\u{4E00}"])
                == " hello é\u{FFFD}一")
    }

    @Test(arguments: [
        (#"{"type": "Nope"}"#, "Nope"),
        (#"{"type": "Sequence", "decoders": [{"type": "Fuse"}, {"type": "Mystery"}]}"#, "Mystery"),
    ])
    func load_ThrowsNamingDecoder_WhenUnsupported(decoder: String, name: String) throws {
        var json = HuggingFaceTokenizerTests.wordPieceJSON()
        json["decoder"] = try JSONSerialization.jsonObject(with: Data(decoder.utf8))
        let error = try #require(HuggingFaceTokenizerTests.error(json))
        #expect(error.description.contains("unsupported decoder type '\(name)'"), "\(error)")
        #expect(error.description.contains("x/tokenizer.json"), "\(error)")
    }

    @Test(arguments: [
        #"{"type": "Strip", "content": "ab", "start": 1, "stop": 0}"#,
        #"{"type": "Strip", "content": " ", "start": -1, "stop": 0}"#,
        #"{"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "sometimes"}"#,
        #"{"type": "Sequence"}"#,
        #"{"type": "Replace", "pattern": {"String": "a"}}"#,
        "{\"prefix\": \"##\"}",
    ])
    func load_Throws_WhenDecoderIsMalformed(decoder: String) throws {
        var json = HuggingFaceTokenizerTests.wordPieceJSON()
        json["decoder"] = try JSONSerialization.jsonObject(with: Data(decoder.utf8))
        let error = try #require(HuggingFaceTokenizerTests.error(json))
        #expect(error.description.contains("decoder"), "\(error)")
    }

    @Test func decode_UsesWordPieceJoining_WhenVocabularyFile() throws {
        let tokenizer = try WordPieceTokenizer(
            vocabulary: ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "it", "##'s", "do", "n't", "fine", "."])
        #expect(tokenizer.decode(ids: [2, 5, 6, 9, 10, 3], skipSpecialTokens: true) == "it's fine.")
        #expect(tokenizer.decode(ids: [2, 7, 8, 3], skipSpecialTokens: false) == "[CLS] don't [SEP]")
    }
}
