import Foundation
import Testing

@testable import Transformer

@Suite struct UnigramModelTests {
    @Test func unigram_MatchesTokenizers_ForEveryCorpusWordOfEveryVariant() throws {
        let variants = try subwordVariants("unigram.json")
        #expect(variants.count == 2)
        for variant in variants {
            let model = try UnigramModel(json: variant.model)
            #expect(variant.words.count > 900, "\(variant.name)")
            let mismatches = try subwordMismatches(model, variant.words)
            #expect(mismatches.isEmpty, "\(variant.name): \(mismatches.count) words differ: \(mismatches.prefix(5))")
            #expect(try subwordMismatches(model, variant.words).count == mismatches.count, "\(variant.name)")
        }
    }

    @Test func unigram_FusesUnknownCharacters_AndFallsBackToBytes() throws {
        let pieces: [[Any]] = [
            ["<unk>", 0.0], ["a", -1.0], ["b", -2.0], ["ab", -2.5], ["<0xC3>", -5.0], ["<0xA9>", -5.0],
        ]
        let model = try UnigramModel(json: ["type": "Unigram", "unk_id": 0, "vocab": pieces])
        #expect(model.tokenize("ab").map(\.value) == ["ab"])
        let unknown = model.tokenize("aéèb")
        #expect(unknown.map(\.id) == [1, 0, 2] && unknown.map(\.value) == ["a", "éè", "b"])
        #expect(unknown.map(\.bytes) == [0..<1, 1..<5, 5..<6])
        let bytes = try UnigramModel(json: ["unk_id": 0, "vocab": pieces, "byte_fallback": true])
        #expect(bytes.tokenize("é").map(\.value) == ["<0xC3>", "<0xA9>"])
        #expect(bytes.tokenize("é").map(\.bytes) == [0..<2, 0..<2])
        #expect(bytes.tokenize("è").map(\.id) == [0])  // a byte is missing: the unknown piece
        #expect(model.vocabularySize == 6 && model.id(of: "ab") == 3 && model.token(of: 3) == "ab")
    }

    @Test func unigram_Throws_WhenUnknownIDIsOutsideVocabulary() {
        #expect(
            throws: TransformerError.invalidConfiguration(
                field: "model.unk_id", reason: "5 is not an index of the 1 pieces")
        ) {
            try UnigramModel(json: ["unk_id": 5, "vocab": [["a", -1.0]]])
        }
        #expect(throws: TransformerError.self) { try UnigramModel(json: ["vocab": [["a"]]]) }
    }
}
