import Foundation
import Testing

@testable import Transformer

/// Token → id lookups are byte-exact: vocabularies, merges and added tokens holding both U+00E9 and `e` + U+0301
/// (canonically equivalent, so one Swift `String`) keep two entries with their own ids, as in `tokenizers`
/// (`Fixtures/tokenizers/exact/`, made by `scripts/make-tokenizer-fixtures.py`).
@Suite struct ExactVocabularyTests {
    static let kinds = ["bpe", "wordpiece", "unigram"]

    static func bytes(_ strings: [String]) -> [[UInt8]] { strings.map { Array($0.utf8) } }

    @Test(arguments: kinds)
    func encode_KeepsCanonicallyEquivalentTokensApart_WhenVocabularyHoldsBoth(kind: String) throws {
        let tokenizer = try HuggingFaceTokenizer(file: FixtureSupport.fixture("tokenizers/exact/\(kind).json"))
        let expected = try #require(
            FixtureSupport.json(FixtureSupport.fixture("tokenizers/exact/expected.json"))[kind] as? [String: Any])
        let cases = try #require(expected["texts"] as? [[Any]])
        #expect(cases.count >= 5)
        for item in cases {
            let text = try #require(item[0] as? String)
            let want = try HuggingFaceTokenizerTests.Expected(item[1])
            let encoding = tokenizer.encode(text)
            #expect(encoding.ids == want.ids, "\(text.unicodeScalars.map(\.value))")
            #expect(Self.bytes(encoding.tokens) == Self.bytes(want.tokens), "\(text.unicodeScalars.map(\.value))")
            #expect(encoding.offsets == want.offsets, "\(text.unicodeScalars.map(\.value))")
        }
    }

    @Test(arguments: kinds)
    func idForToken_GivesTokenizersIDs_WhenEntriesAreCanonicallyEquivalent(kind: String) throws {
        let tokenizer = try HuggingFaceTokenizer(file: FixtureSupport.fixture("tokenizers/exact/\(kind).json"))
        let expected = try #require(
            FixtureSupport.json(FixtureSupport.fixture("tokenizers/exact/expected.json"))[kind] as? [String: Any])
        let vocabulary = try #require(expected["vocab"] as? [[Any]])
        #expect(tokenizer.vocabularySize == vocabulary.count)
        var equivalent = 0
        for entry in vocabulary {
            let token = try #require(entry[0] as? String)
            let id = Int32(try #require(entry[1] as? Int))
            #expect(tokenizer.id(for: token) == id, "\(token.unicodeScalars.map(\.value))")
            #expect(tokenizer.token(for: id).map { Array($0.utf8) } == Array(token.utf8))
            if vocabulary.contains(where: { ($0[0] as? String) == token && ($0[1] as? Int) != Int(id) }) {
                equivalent += 1
            }
        }
        #expect(equivalent >= 4, "the fixture must hold canonically equivalent pairs")
    }

    @Test func scan_DecodesEscapedKeys_InFileOrder() throws {
        let text =
            #"{"x": [1, {"vocab": 3}], "model": {"type": "WordPiece", "vocab": {"\u00e9": 0, "e\u0301": 1, "\ud83d\ude00": 2, "a\"b": 3}}}"#
        let entries = try #require(VocabularyEntries.scan(Array(text.utf8))).entries
        #expect(entries.map { Array($0.token.utf8) } == Self.bytes(["\u{E9}", "e\u{301}", "😀", "a\"b"]))
        #expect(entries.map { $0.value as? Int } == [0, 1, 2, 3])
        #expect(VocabularyEntries.scan(Array(#"{"model": {"vocab": {"a": 1,}}"#.utf8)) == nil)
        #expect(VocabularyEntries.scan(Array(#"{"model": {"vocab": [["a"]]}}"#.utf8)) == nil)
    }

    /// Foundation's JSON parser reads -7.142621575153762 one unit in the last place off, which made the Unigram
    /// fixture's corpus text 269 tie the other way; the scanned scores are correctly rounded.
    @Test func scan_ParsesUnigramScoresCorrectlyRounded() throws {
        let text = #"{"model": {"type": "Unigram", "vocab": [["a", -7.142621575153762], ["\u00e9", -1e-3]]}}"#
        let entries = try #require(VocabularyEntries.scan(Array(text.utf8))).entries
        #expect(entries.map { Array($0.token.utf8) } == Self.bytes(["a", "\u{E9}"]))
        let scores = entries.compactMap { ($0.value as? NSNumber)?.doubleValue }
        #expect(scores.map(\.bitPattern) == [(-7.142621575153762).bitPattern, (-1e-3).bitPattern])
    }
}
