import Foundation
import Testing

@testable import Transformer

/// `tokenizer.json` tokenizers against `Fixtures/tokenizers/` (made by `scripts/make-tokenizer-fixtures.py` with
/// the `tokenizers` package): every corpus text, texts without special tokens, pairs and pre-split words, for a
/// WordPiece, a byte-level BPE, a Unigram, a mixed-components tokenizer and a real SentencePiece conversion (XLM-R
/// style, with a `Precompiled` normalizer); MiniLM's `tokenizer.json` against its
/// `vocab.txt`; unsupported components and malformed files.
@Suite struct HuggingFaceTokenizerTests {
    /// One expected encoding of the fixture.
    struct Expected {
        var ids: [Int32]
        var tokens: [String]
        var offsets: [Range<Int>?]
        var wordIDs: [Int?]
        var typeIDs: [Int32]?

        init(_ json: Any?) throws {
            let object = try #require(json as? [String: Any])
            ids = try #require(object["ids"] as? [Int]).map(Int32.init)
            tokens = try #require(object["tokens"] as? [String])
            offsets = try #require(object["offsets"] as? [Any]).map { item in
                (item as? Int).map { ($0 / 10000)..<($0 % 10000) }
            }
            wordIDs = try #require(object["word_ids"] as? [Any]).map { $0 as? Int }
            typeIDs = (object["type_ids"] as? [Int])?.map(Int32.init)
        }

        /// Where `encoding` differs, or `nil`.
        func difference(_ encoding: Encoding) -> String? {
            if encoding.ids != ids { return "ids \(encoding.ids) expected \(ids)" }
            if encoding.tokens != tokens { return "tokens \(encoding.tokens) expected \(tokens)" }
            if encoding.offsets != offsets { return "offsets \(encoding.offsets) expected \(offsets)" }
            if encoding.wordIDs != wordIDs { return "word ids \(encoding.wordIDs) expected \(wordIDs)" }
            if let typeIDs, encoding.typeIDs != typeIDs { return "type ids \(encoding.typeIDs) expected \(typeIDs)" }
            return nil
        }
    }

    static let kinds = ["wordpiece", "bytebpe", "unigram", "mixed", "precompiled"]

    static func corpus() throws -> [String] {
        let data = try Data(contentsOf: URL(fileURLWithPath: FixtureSupport.fixture("tokenizers/corpus.json")))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String])
    }

    static func load(_ kind: String) throws -> (HuggingFaceTokenizer, [String: Any]) {
        let tokenizer = try HuggingFaceTokenizer(file: FixtureSupport.fixture("tokenizers/\(kind)/tokenizer.json"))
        return (tokenizer, try FixtureSupport.json(FixtureSupport.fixture("tokenizers/\(kind)/expected.json")))
    }

    static func check(_ failures: [String], _ total: Int, _ what: String) {
        #expect(total > 0)
        #expect(failures.isEmpty, "\(failures.count) of \(total) \(what) differ: \(failures.prefix(3))")
    }

    @Test(arguments: kinds)
    func encode_MatchesTokenizers_OnEveryCorpusText(kind: String) throws {
        let texts = try Self.corpus()
        #expect(texts.count >= 500)
        let (tokenizer, expected) = try Self.load(kind)
        let singles = try #require(expected["singles"] as? [Any])
        try #require(singles.count == texts.count)
        var failures: [String] = []
        for (text, json) in zip(texts, singles) {
            let difference = try Expected(json).difference(tokenizer.encode(text))
            if let difference {
                failures.append("\(text.debugDescription): \(difference)")
            }
        }
        Self.check(failures, texts.count, "texts")
    }

    @Test(arguments: kinds)
    func encode_MatchesTokenizers_WhenWithoutSpecialTokens(kind: String) throws {
        let texts = try Self.corpus()
        let (tokenizer, expected) = try Self.load(kind)
        let plain = try #require(expected["plain"] as? [Any])
        var failures: [String] = []
        for (text, json) in zip(texts, plain) {
            if let difference = try Expected(json).difference(tokenizer.encode(text, addSpecialTokens: false)) {
                failures.append("\(text.debugDescription): \(difference)")
            }
        }
        Self.check(failures, plain.count, "texts")
    }

    @Test(arguments: kinds)
    func encodePair_MatchesTokenizers_InTypesAndTokens(kind: String) throws {
        let (tokenizer, expected) = try Self.load(kind)
        let pairs = try #require(expected["pairs"] as? [[Any]])
        var failures: [String] = []
        for pair in pairs {
            let first = try #require(pair[0] as? String)
            let second = try #require(pair[1] as? String)
            let encoding = tokenizer.encode(first, pair: second)
            if let difference = try Expected(pair[2]).difference(encoding) {
                failures.append("\(first.debugDescription) + \(second.debugDescription): \(difference)")
            }
            #expect(
                encoding.count == tokenizer.encode(first, addSpecialTokens: false).count
                    + tokenizer.encode(second, addSpecialTokens: false).count + tokenizer.addedTokenCount(pair: true))
        }
        Self.check(failures, pairs.count, "pairs")
    }

    @Test(arguments: kinds)
    func encodeWords_MatchesTokenizers_WhenPretokenized(kind: String) throws {
        let (tokenizer, expected) = try Self.load(kind)
        let cases = try #require(expected["words"] as? [[Any]])
        var failures: [String] = []
        for item in cases {
            let words = try #require(item[0] as? [String])
            if let difference = try Expected(item[1]).difference(tokenizer.encode(words: words, addSpecialTokens: true))
            {
                failures.append("\(words): \(difference)")
            }
        }
        Self.check(failures, cases.count, "word lists")
    }

    @Test func load_MatchesVocabularyFile_WhenMiniLMTokenizerJSON() throws {
        guard FixtureSupport.miniLMAvailable else { return }
        let directory = FixtureSupport.miniLMDirectory
        let json = try HuggingFaceTokenizer(file: directory + "/tokenizer.json")
        let vocabulary = try WordPieceTokenizer.load(directory: directory)
        #expect(json.vocabularySize == vocabulary.vocabularySize)
        var failures: [String] = []
        // vocab.txt follows Python's BertTokenizer, which drops unassigned code points; tokenizers keeps them.
        let texts = try Self.corpus().filter { text in
            !text.unicodeScalars.contains { $0.properties.generalCategory == .unassigned }
        }
        #expect(texts.count >= 500)
        for text in texts {
            let a = json.encode(text)
            let b = vocabulary.encode(text)
            if a.ids != b.ids || a.tokens != b.tokens || a.offsets != b.offsets || a.wordIDs != b.wordIDs
                || a.specialTokensMask != b.specialTokensMask
            {
                failures.append("\(text.debugDescription): \(a.tokens) vs \(b.tokens)")
            }
        }
        Self.check(failures, texts.count, "texts")
        let pair = json.encode(texts[15], pair: texts[16])
        #expect(pair == vocabulary.encode(texts[15], pair: texts[16]))
    }

    @Test func load_PrefersTokenizerJSON_WhenFolderHasBoth() throws {
        let directory = try FixtureSupport.temporaryDirectory()
        defer { FixtureSupport.remove(directory) }
        let vocabulary = FixtureSupport.fixture("tokenizer/vocab.txt")
        try FileManager.default.copyItem(atPath: vocabulary, toPath: directory + "/vocab.txt")
        #expect(try TokenizerLoader.load(directory: directory) is WordPieceTokenizer)
        try FileManager.default.copyItem(
            atPath: FixtureSupport.fixture("tokenizers/unigram/tokenizer.json"),
            toPath: directory + "/tokenizer.json")
        let tokenizer = try TokenizerLoader.load(directory: directory)
        #expect(tokenizer is HuggingFaceTokenizer)
        #expect(tokenizer.encode("hello").tokens.first == "<s>")
    }

    // MARK: - Errors

    static func wordPieceJSON() -> [String: Any] {
        [
            "model": ["type": "WordPiece", "unk_token": "[UNK]", "vocab": ["[UNK]": 0, "a": 1, "##b": 2]],
            "normalizer": NSNull(), "pre_tokenizer": ["type": "WhitespaceSplit"], "post_processor": NSNull(),
        ]
    }

    static func error(_ json: [String: Any]) -> TransformerError? {
        do {
            _ = try HuggingFaceTokenizer(json: json, file: "x/tokenizer.json")
            return nil
        } catch {
            return error
        }
    }

    @Test func wordPieceJSON_Tokenizes_WhenMinimal() throws {
        let tokenizer = try HuggingFaceTokenizer(json: Self.wordPieceJSON(), file: "x/tokenizer.json")
        let encoding = tokenizer.encode("ab  a c")
        #expect(encoding.tokens == ["a", "##b", "a", "[UNK]"])
        #expect(encoding.offsets == [0..<1, 1..<2, 4..<5, 6..<7])
        #expect(encoding.wordIDs == [0, 0, 1, 2])
    }

    static func object(_ json: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
    }

    @Test(arguments: [
        (#"{"normalizer": {"type": "Sequence", "normalizers": [{"type": "NmtNormalizer"}]}}"#, "NmtNormalizer"),
        (#"{"pre_tokenizer": {"type": "UnicodeScripts"}}"#, "UnicodeScripts"),
        (#"{"pre_tokenizer": {"type": "CharDelimiterSplit", "delimiter": "x"}}"#, "CharDelimiterSplit"),
        (
            #"{"pre_tokenizer": {"type": "Split", "pattern": {"Regex": "(?i)ab|c+d"}, "behavior": "Isolated"}}"#,
            "(?i)ab|c+d"
        ),
        (#"{"normalizer": {"type": "Replace", "pattern": {"Regex": "a(b)*"}, "content": ""}}"#, "a(b)*"),
        (#"{"post_processor": {"type": "SomethingNew"}}"#, "SomethingNew"),
        (#"{"model": {"type": "WordLevel", "vocab": {"a": 0}, "unk_token": "a"}}"#, "WordLevel"),
    ])
    func load_ThrowsNamingComponent_WhenUnsupported(change: String, name: String) throws {
        var json = Self.wordPieceJSON()
        json.merge(try Self.object(change)) { $1 }
        let error = try #require(Self.error(json))
        #expect(error.description.contains(name), "\(error)")
        #expect(error.description.contains("x/tokenizer.json"), "\(error)")
    }

    @Test(arguments: [
        "AAAA", "not base64!", "/wAAAAAAAAA=", "BQAAAAAAAAAAAA==", "BAAAAAAAAAD/", "",
    ])
    func load_ThrowsNamingPrecompiled_WhenCharsmapIsBad(charsmap: String) throws {
        var json = Self.wordPieceJSON()
        json["normalizer"] = [
            "type": "Sequence", "normalizers": [["type": "Precompiled", "precompiled_charsmap": charsmap]],
        ]
        let error = try #require(Self.error(json))
        #expect(error.description.contains("Precompiled"), "\(error)")
        #expect(error.description.contains("precompiled_charsmap"), "\(error)")
        #expect(error.description.contains("x/tokenizer.json"), "\(error)")
    }

    @Test(arguments: [
        #"{"model": "WordPiece"}"#,
        #"{"normalizer": {"lowercase": true}}"#,
        #"{"pre_tokenizer": 3}"#,
        #"{"model": {"type": "WordPiece", "vocab": {"a": 0}}}"#,
        #"{"model": {"type": "WordPiece", "unk_token": "[UNK]", "vocab": {"[UNK]": 0, "a": 0}}}"#,
        #"{"model": {"type": "WordPiece", "unk_token": "[UNK]", "vocab": {"[UNK]": 5}}}"#,
        #"{"model": {"type": "BPE", "vocab": "none", "merges": []}}"#,
        #"{"model": {"type": "Unigram", "vocab": [["a"]]}}"#,
        #"{"added_tokens": [{"content": "x"}]}"#,
        #"{"added_tokens": "x"}"#,
        #"{"post_processor": {"type": "TemplateProcessing", "single": [{"SpecialToken": {"id": "X"}}], "pair": []}}"#,
        #"{"post_processor": {"type": "BertProcessing", "cls": ["[CLS]"], "sep": ["[SEP]", 1]}}"#,
        #"{"pre_tokenizer": {"type": "Metaspace", "replacement": "ab"}}"#,
    ])
    func load_Throws_WhenMalformed(change: String) throws {
        var json = Self.wordPieceJSON()
        json.merge(try Self.object(change)) { $1 }
        #expect(Self.error(json) != nil)
    }

    @Test func load_Throws_WhenFileIsNotJSONObject() throws {
        let directory = try FixtureSupport.temporaryDirectory()
        defer { FixtureSupport.remove(directory) }
        for (index, content) in ["{\"model\": ", "[1, 2]", "", "\u{FF}\u{FE}"].enumerated() {
            let path = directory + "/t\(index).json"
            try Data(content.utf8).write(to: URL(fileURLWithPath: path))
            #expect(throws: TransformerError.self) { try HuggingFaceTokenizer(file: path) }
        }
        #expect(throws: TransformerError.fileNotFound(file: directory + "/none.json")) {
            try HuggingFaceTokenizer(file: directory + "/none.json")
        }
    }
}
