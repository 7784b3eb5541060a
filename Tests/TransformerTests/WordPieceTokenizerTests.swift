import Foundation
import Testing

@testable import Transformer

/// One expected encoding of `tokenizer/corpus.json`.
struct CorpusCase: Decodable {
    var text: String?
    var words: [String]?
    var ids: [Int32]
    var tokens: [String]
    var offsets: [[Int]?]
    var wordIDs: [Int?]

    enum CodingKeys: String, CodingKey {
        case text, words, ids, tokens, offsets
        case wordIDs = "word_ids"
    }

    var expectedOffsets: [Range<Int>?] { offsets.map { $0.map { $0[0]..<$0[1] } } }
}

struct Corpus: Decodable {
    var lines: [CorpusCase]
    var words: [CorpusCase]

    static func load() throws -> Corpus {
        let data = try Data(contentsOf: URL(fileURLWithPath: FixtureSupport.fixture("tokenizer/corpus.json")))
        return try JSONDecoder().decode(Corpus.self, from: data)
    }
}

@Suite struct WordPieceTokenizerTests {
    static func miniLMTokenizer() throws -> WordPieceTokenizer {
        try WordPieceTokenizer.load(directory: FixtureSupport.fixture("tokenizer"))
    }

    @Test func wordPiece_MatchesHuggingFaceIDsAndOffsets_ForWholeCorpus() throws {
        let tokenizer = try Self.miniLMTokenizer()
        let corpus = try Corpus.load()
        #expect(corpus.lines.count >= 200)
        var idMismatches = 0
        var offsetMismatches = 0
        var wordMismatches = 0
        for line in corpus.lines {
            let text = try #require(line.text)
            let encoding = tokenizer.encode(text, addSpecialTokens: true)
            if encoding.ids != line.ids {
                idMismatches += 1
                Issue.record("ids differ for \(text.debugDescription): \(encoding.tokens) vs \(line.tokens)")
                continue
            }
            #expect(encoding.tokens == line.tokens, "tokens for \(text.debugDescription)")
            if encoding.offsets != line.expectedOffsets {
                offsetMismatches += 1
                Issue.record(
                    "offsets differ for \(text.debugDescription): \(encoding.offsets) vs \(line.expectedOffsets)")
            }
            if encoding.wordIDs != line.wordIDs {
                wordMismatches += 1
                Issue.record("word ids differ for \(text.debugDescription): \(encoding.wordIDs) vs \(line.wordIDs)")
            }
            #expect(encoding.specialTokensMask.first == true && encoding.specialTokensMask.last == true)
            #expect(encoding.specialTokensMask.dropFirst().dropLast().allSatisfy { !$0 })
        }
        print(
            "[tokenizer] \(corpus.lines.count) lines: \(idMismatches) id, \(offsetMismatches) offset, "
                + "\(wordMismatches) word-id mismatches")
    }

    @Test func wordPiece_MatchesHuggingFace_InWordsMode() throws {
        let tokenizer = try Self.miniLMTokenizer()
        for item in try Corpus.load().words {
            let words = try #require(item.words)
            let encoding = tokenizer.encode(words: words, addSpecialTokens: true)
            #expect(encoding.ids == item.ids, "ids for \(words)")
            #expect(encoding.offsets == item.expectedOffsets, "offsets for \(words)")
            #expect(encoding.wordIDs == item.wordIDs, "word ids for \(words)")
        }
    }

    @Test func wordPiece_OmitsSpecials_WhenNotRequested() throws {
        let tokenizer = try Self.miniLMTokenizer()
        let encoding = tokenizer.encode("Hello, world!", addSpecialTokens: false)
        #expect(encoding.tokens == ["hello", ",", "world", "!"])
        #expect(encoding.offsets == [0..<5, 5..<6, 7..<12, 12..<13])
        #expect(encoding.wordIDs == [0, 1, 2, 3])
        #expect(tokenizer.token(for: 101) == "[CLS]")
        #expect(tokenizer.token(for: -1) == nil)
        #expect(tokenizer.vocabularySize == 30522)
    }

    /// Documented deviation: lower-casing is per scalar, as in the fast tokenizer (Rust `char::to_lowercase`), so a
    /// word-final capital sigma becomes σ, not the ς that Python's `str.lower()` in the slow tokenizer produces.
    @Test func wordPiece_LowercasesPerScalar_LikeFastTokenizer() throws {
        let tokenizer = try Self.miniLMTokenizer()
        let encoding = tokenizer.encode("ΟΔΟΣ")
        #expect(encoding.ids == [101, 1169, 29722, 29730, 29733, 102])
        #expect(encoding.offsets == [nil, 0..<1, 1..<2, 2..<3, 3..<4, nil])
    }

    @Test func wordPiece_SplitsGreedily_WithSmallVocabulary() throws {
        let vocabulary = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "un", "##aff", "##able", "a", "##ff", "Ab"]
        let uncased = try WordPieceTokenizer(vocabulary: vocabulary)
        #expect(uncased.encode("unaffable", addSpecialTokens: false).tokens == ["un", "##aff", "##able"])
        #expect(uncased.encode("unaffablex", addSpecialTokens: false).tokens == ["[UNK]"])
        let limited = try WordPieceTokenizer(
            vocabulary: vocabulary, options: .init(maxInputCharactersPerWord: 8))
        #expect(limited.encode("unaffable", addSpecialTokens: false).ids == [1])
        let cased = try WordPieceTokenizer(vocabulary: vocabulary, options: .init(lowercase: false))
        #expect(cased.encode("Ab ab", addSpecialTokens: false).tokens == ["Ab", "[UNK]"])
    }

    @Test func wordPiece_ReadsVocabularyLines_LikePython() throws {
        #expect(WordPieceTokenizer.lines("a\nb\r\nc\rd\n") == ["a", "b", "c", "d"])
        #expect(WordPieceTokenizer.lines("a\n\nb") == ["a", "", "b"])
    }

    @Test func wordPiece_ThrowsInvalidVocabulary_WhenSpecialTokenMissing() {
        #expect(
            throws: TransformerError.invalidVocabulary(
                file: "vocabulary", detail: "unknown token '[UNK]' is not in the vocabulary")
        ) { try WordPieceTokenizer(vocabulary: ["[CLS]", "[SEP]"]) }
        #expect(throws: TransformerError.invalidVocabulary(file: "vocabulary", detail: "no tokens")) {
            try WordPieceTokenizer(vocabulary: [])
        }
    }

    @Test func wordPiece_ThrowsMissingVocabulary_WhenFolderHasNone() throws {
        let directory = try FixtureSupport.temporaryDirectory()
        defer { FixtureSupport.remove(directory) }
        #expect(throws: TransformerError.missingVocabulary(file: directory + "/vocab.txt")) {
            try WordPieceTokenizer.load(directory: directory)
        }
    }
}

@Suite struct HashingTokenizerTests {
    @Test func hashing_UsesDocumentedFNV1a_AndReservesSpecials() {
        #expect(HashingTokenizer.fnv1a64([UInt8]()) == 0xcbf2_9ce4_8422_2325)
        #expect(HashingTokenizer.fnv1a64(Array("a".utf8)) == 0xaf63_dc4c_8601_ec8c)
        #expect(HashingTokenizer.fnv1a64(Array("foobar".utf8)) == 0x8594_4171_f739_67e8)
        let tokenizer = HashingTokenizer(vocabularySize: 1000)
        let encoding = tokenizer.encode("Héllo, World [MASK]")
        #expect(encoding.tokens == ["[CLS]", "hello", ",", "world", "[MASK]", "[SEP]"])
        #expect(encoding.ids[0] == 2 && encoding.ids[5] == 3 && encoding.ids[4] == 4)
        #expect(encoding.ids[1] == Int32(5 + HashingTokenizer.fnv1a64(Array("hello".utf8)) % 995))
        #expect(encoding.ids.allSatisfy { $0 >= 0 && $0 < 1000 })
        #expect(encoding.offsets == [nil, 0..<5, 5..<6, 7..<12, 13..<19, nil])
        #expect(encoding.wordIDs == [nil, 0, 1, 2, 3, nil])
        #expect(tokenizer.token(for: 3) == "[SEP]")
        #expect(tokenizer.token(for: 77) == nil)
    }

    @Test func hashing_IsDeterministic_AndSplitsWords() {
        let a = HashingTokenizer(vocabularySize: 50)
        let b = HashingTokenizer(vocabularySize: 50)
        #expect(a.encode("the same text") == b.encode("the same text"))
        let words = a.encode(words: ["New", "York-based"], addSpecialTokens: false)
        #expect(words.tokens == ["new", "york", "-", "based"])
        #expect(words.wordIDs == [0, 1, 1, 1])
        #expect(words.offsets == [0..<3, 0..<4, 4..<5, 5..<10])
        #expect(HashingTokenizer(vocabularySize: 5).encode("x", addSpecialTokens: false).ids == [1])
    }
}
