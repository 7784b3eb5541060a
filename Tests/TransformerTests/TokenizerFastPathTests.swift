import Foundation
import Testing

@testable import Transformer

/// The fast paths of the `tokenizer.json` pipeline against the general code they stand in for, on ASCII and
/// non-ASCII text: remembered scalar normalization, BERT's one-pass clean text and ASCII lower-casing, the
/// byte-level mapping, the WordPiece trie search.
@Suite struct TokenizerFastPathTests {
    /// Scalars the fast paths treat differently: ASCII letters, digits, punctuation, controls and whitespace;
    /// accented, decomposable, compatibility, CJK, Hangul, combining, unassigned, private-use and emoji scalars.
    static let pool: [Unicode.Scalar] = Array(
        ("aZ9 _-'.,!#[]\t\n\r\u{0}\u{1}\u{B}\u{C}\u{1F}\u{7F}\u{85}\u{A0}\u{AD}\u{FFFD}\u{200B}\u{200D}\u{3000}"
            + "éÉÅçñßİıΣσςǅ\u{301}\u{308}\u{323}\u{327}ﬁ①½ｱ㎏한국\u{1100}\u{1161}\u{11A8}中文\u{20000}\u{F900}"
            + "Привет\u{E000}\u{378}\u{2581}Ġ🎉👩🏻‍💻\u{FEFF}").unicodeScalars)

    /// `count` texts of up to 24 scalars of ``pool``, every other one ASCII only.
    static func texts(_ count: Int, seed: UInt64) -> [[Unicode.Scalar]] {
        var random = SplitMix64(seed: seed)
        let ascii = pool.filter(\.isASCII)
        return (0..<count).map { index in
            let source = index.isMultiple(of: 2) ? ascii : pool
            return (0..<Int(random.next() % 25)).map { _ in source[Int(random.next() % UInt64(source.count))] }
        }
    }

    @Test func scalarNormalization_MatchesFoundation_ForEveryFormTwice() {
        let forms: [(ScalarNormalization.Form, (String) -> String)] = [
            (.nfc, { $0.precomposedStringWithCanonicalMapping }),
            (.nfd, { $0.decomposedStringWithCanonicalMapping }),
            (.nfkc, { $0.precomposedStringWithCompatibilityMapping }),
            (.nfkd, { $0.decomposedStringWithCompatibilityMapping }),
        ]
        for (form, foundation) in forms {
            for scalar in Self.pool {
                let expected = Array(foundation(String(scalar)).unicodeScalars)
                #expect(ScalarNormalization.normalize(scalar, form) == expected, "\(form) of \(scalar.value)")
                #expect(ScalarNormalization.normalize(scalar, form) == expected, "\(form) of \(scalar.value) again")
            }
        }
    }

    /// `BertNormalizer` step by step with the general operations (filter, per-scalar map, accents, lower case).
    static func bertByStep(
        _ text: NormalizedText, cleanText: Bool, chinese: Bool, lowercase: Bool
    ) -> NormalizedText {
        var text = text
        if cleanText {
            text.filter { !($0.value == 0 || $0.value == 0xFFFD || TextNormalizer.isControl($0)) }
            text.map { UnicodeClasses.isWhitespace($0) ? [" "] : [$0] }
        }
        if chinese { text.map { BasicTokenizer.isChineseCharacter($0) ? [" ", $0, " "] : [$0] } }
        if lowercase {
            (text.scalars, text.origins) = BasicTokenizer.stripAccents(text.scalars, text.origins)
            (text.scalars, text.origins) = BasicTokenizer.lowercase(text.scalars, text.origins)
        }
        return text
    }

    @Test func bertNormalizer_MatchesStepByStep_OnASCIIAndNonASCIIText() {
        for scalars in Self.texts(400, seed: 14) {
            for (clean, chinese, lowercase) in [(true, true, true), (true, false, false), (false, true, true)] {
                var fast = NormalizedText(scalars, start: 3)
                let normalizer = TextNormalizer.bert(
                    cleanText: clean, chineseCharacters: chinese, stripAccents: nil, lowercase: lowercase)
                normalizer.apply(&fast)
                let general = Self.bertByStep(
                    NormalizedText(scalars, start: 3), cleanText: clean, chinese: chinese, lowercase: lowercase)
                #expect(fast == general, "\(scalars.map(\.value)) clean \(clean) chinese \(chinese)")
            }
        }
    }

    @Test func lowercaseNormalizer_MatchesScalarMapping_OnASCIIAndNonASCIIText() {
        for scalars in Self.texts(200, seed: 15) {
            var fast = NormalizedText(scalars)
            TextNormalizer.lowercase.apply(&fast)
            let (lowered, origins) = BasicTokenizer.lowercase(scalars, Array(scalars.indices))
            #expect(fast == NormalizedText(scalars: lowered, origins: origins), "\(scalars.map(\.value))")
        }
    }

    @Test func byteLevelMapped_MatchesAlphabetEncode_OnASCIIAndNonASCIIText() {
        for scalars in Self.texts(200, seed: 16) {
            var expected = NormalizedText(scalars, start: 5)
            expected.map { scalar in
                var bytes: [UInt8] = []
                UTF8.encode(scalar) { bytes.append($0) }
                return Array(ByteLevelAlphabet.encode(bytes).unicodeScalars)
            }
            #expect(PreTokenizer.byteLevelMapped(NormalizedText(scalars, start: 5)) == expected)
        }
    }

    @Test func wordPieceModel_MatchesLongestMatchFirst_OnWordsOfVocabularyPieces() throws {
        let tokenizer = try HuggingFaceTokenizer(
            file: FixtureSupport.fixture("tokenizers/wordpiece/tokenizer.json"))
        let model = try #require(tokenizer.model as? WordPieceModel)
        var ids: [[UInt8]: Int32] = [:]
        var longest = 1
        var bodies: [String] = []
        for id in 0..<Int32(model.vocabularySize) {
            let token = try #require(model.token(of: id))
            ids[Array(token.utf8)] = id
            longest = max(longest, token.unicodeScalars.count)
            bodies.append(token.hasPrefix("##") ? String(token.dropFirst(2)) : token)
        }
        let unknown = try #require(ids[Array("[UNK]".utf8)])
        var random = SplitMix64(seed: 17)
        var checked = 0
        for round in 0..<600 {
            let parts = 1 + Int(random.next() % 4)
            var word = (0..<parts).map { _ in bodies[Int(random.next() % UInt64(bodies.count))] }.joined()
            if round.isMultiple(of: 3) {
                word.unicodeScalars.append(Self.pool[Int(random.next() % UInt64(Self.pool.count))])
            }
            guard !word.isEmpty, !word.unicodeScalars.contains(where: UnicodeClasses.isWhitespace) else { continue }
            let bytes = Array(word.utf8)
            var boundaries = [0]
            for scalar in word.unicodeScalars {
                boundaries.append(boundaries[boundaries.count - 1] + UTF8.width(scalar))
            }
            let expected =
                boundaries.count - 1 > 100
                ? nil
                : WordPieceTokenizer.longestMatchFirst(
                    bytes, boundaries: boundaries, prefix: Array("##".utf8), longestPiece: longest, ids: ids
                )?.map { ($0.id, boundaries[$0.range.lowerBound]..<boundaries[$0.range.upperBound]) }
            let tokens = model.tokenize(word)
            if let expected {
                #expect(tokens.map(\.id) == expected.map(\.0), "\(word.debugDescription)")
                #expect(tokens.map(\.bytes) == expected.map(\.1), "\(word.debugDescription)")
            } else {
                #expect(tokens.map(\.id) == [unknown], "\(word.debugDescription)")
            }
            checked += 1
        }
        #expect(checked > 500)
    }
}
