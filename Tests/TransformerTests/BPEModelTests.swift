import Foundation
import Testing

@testable import Transformer

/// The variants of a `tokenizers/subword/*.json` fixture: name → (model object, recorded words).
func subwordVariants(_ file: String) throws -> [(name: String, model: [String: Any], words: [[Any]])] {
    let root = try FixtureSupport.json(FixtureSupport.fixture("tokenizers/subword/" + file))
    return try root.keys.sorted().map { name in
        let variant = try #require(root[name] as? [String: Any])
        return (name, try #require(variant["model"] as? [String: Any]), try #require(variant["words"] as? [[Any]]))
    }
}

/// The words whose tokens differ from the recorded `model.tokenize(word)` of `tokenizers` (ids, values compared
/// byte for byte, UTF-8 offsets), described for the failure message.
func subwordMismatches(_ model: some SubwordModel, _ words: [[Any]]) throws -> [String] {
    var mismatches: [String] = []
    for entry in words {
        let word = try #require(entry[0] as? String)
        let ids = try #require(entry[1] as? [NSNumber]).map(\.int32Value)
        let flat = try #require(entry[2] as? [NSNumber]).map(\.intValue)
        let offsets = stride(from: 0, to: flat.count, by: 2).map { flat[$0]..<flat[$0 + 1] }
        let values = try entry.count > 3 ? #require(entry[3] as? [String]) : ids.map { model.token(of: $0) ?? "?" }
        let tokens = model.tokenize(word)
        let same =
            tokens.map(\.id) == ids && tokens.map(\.bytes) == offsets
            && tokens.map { Array($0.value.utf8) } == values.map { Array($0.utf8) }
        if !same {
            mismatches.append(
                "\(word.debugDescription): \(tokens.map { ($0.id, $0.bytes) }) expected \(ids) \(offsets)")
        }
    }
    return mismatches
}

@Suite struct BPEModelTests {
    @Test func bpe_MatchesTokenizers_ForEveryCorpusWordOfEveryVariant() throws {
        let variants = try subwordVariants("bpe.json")
        #expect(variants.count == 5)
        for variant in variants {
            let model = try BPEModel(json: variant.model)
            #expect(variant.words.count > 900, "\(variant.name)")
            let mismatches = try subwordMismatches(model, variant.words)
            #expect(mismatches.isEmpty, "\(variant.name): \(mismatches.count) words differ: \(mismatches.prefix(5))")
            // A second pass answers from the word cache: the same tokens.
            #expect(try subwordMismatches(model, variant.words).count == mismatches.count, "\(variant.name)")
        }
    }

    @Test func bpe_MergesLongWordWithoutRescans_WhenWordIsThousandsOfCharacters() throws {
        let variants = try subwordVariants("bpe.json")
        let byteLevel = try #require(variants.first { $0.name == "byte-level" })
        let model = try BPEModel(json: byteLevel.model)
        let word = String(repeating: "the", count: 4000)
        let tokens = model.tokenize(word)
        // The tokens tile the word and spell it.
        #expect(tokens.first?.bytes.lowerBound == 0 && tokens.last?.bytes.upperBound == word.utf8.count)
        #expect(zip(tokens, tokens.dropFirst()).allSatisfy { $0.bytes.upperBound == $1.bytes.lowerBound })
        #expect(tokens.map(\.value).joined() == word)
        #expect(tokens.count < word.utf8.count / 2)
    }

    @Test func bpe_NamesAndCountsVocabulary() throws {
        let variants = try subwordVariants("bpe.json")
        let classic = try #require(variants.first { $0.name == "classic" })
        let model = try BPEModel(json: classic.model)
        let vocab = try #require(classic.model["vocab"] as? [String: Any])
        #expect(model.vocabularySize == vocab.count)
        for (token, id) in vocab {
            let id = try #require(id as? NSNumber).int32Value
            #expect(model.id(of: token) == id && model.token(of: id) == token)
        }
        #expect(model.token(of: -1) == nil && model.token(of: Int32(vocab.count)) == nil)
        #expect(model.tokenize("").isEmpty)
    }

    @Test func bpe_Throws_WhenMergeNamesMissingToken() {
        let json: [String: Any] = ["type": "BPE", "vocab": ["a": 0, "b": 1, "ab": 2], "merges": ["a b", "a c"]]
        #expect(
            throws: TransformerError.invalidConfiguration(
                field: "model.merges", reason: "merge 1 uses 'c', which is not in the vocabulary")
        ) {
            try BPEModel(json: json)
        }
        let unmerged: [String: Any] = ["vocab": ["a": 0, "b": 1], "merges": [["a", "b"]]]
        #expect(
            throws: TransformerError.invalidConfiguration(
                field: "model.merges", reason: "merge 0 makes 'ab', which is not in the vocabulary")
        ) {
            try BPEModel(json: unmerged)
        }
        #expect(throws: TransformerError.self) {
            try BPEModel(json: ["type": "WordPiece", "vocab": [:], "merges": []])
        }
        #expect(throws: TransformerError.self) { try BPEModel(json: ["vocab": ["a": 0], "merges": ["ab"]]) }
    }

    @Test func bpe_PrefersLowestRankThenLeftmost_WhenMergesCompete() throws {
        // "aaa": the (a, a) merge applies at the leftmost pair first → "aa" "a".
        let json: [String: Any] = ["vocab": ["a": 0, "aa": 1, "b": 2, "ab": 3], "merges": ["a a", "a b"]]
        let model = try BPEModel(json: json)
        #expect(model.tokenize("aaa").map(\.value) == ["aa", "a"])
        #expect(model.tokenize("aab").map(\.value) == ["aa", "b"])
        #expect(model.tokenize("aab").map(\.bytes) == [0..<2, 2..<3])
    }
}
