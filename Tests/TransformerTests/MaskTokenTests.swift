import Testing

@testable import Transformer

/// Every tokenizer kind names its mask token the same way (``Tokenizer/maskToken``): probes' `"mask"` and the
/// masked-word predictions find it through the protocol, whichever file the tokenizer came from.
@Suite struct MaskTokenTests {
    static func tokenizer(_ kind: String) throws -> any Tokenizer {
        try TokenizerLoader.load(directory: FixtureSupport.fixture("tokenizers/" + kind))
    }

    @Test(arguments: [("wordpiece", "[MASK]", Int32(4)), ("bytebpe", "<mask>", 1500), ("unigram", "<mask>", 137)])
    func maskToken_IsTheAddedToken_ForTokenizerJSON(kind: String, token: String, id: Int32) throws {
        let tokenizer = try Self.tokenizer(kind)
        let mask = try #require(tokenizer.maskToken)
        #expect(mask.token == token)
        #expect(mask.id == id)
        #expect(tokenizer.id(for: token) == id)
        #expect(tokenizer.id(for: "no such entry, surely") == nil)
    }

    @Test func maskToken_IsReservedIdFour_ForTheHashingTokenizer() throws {
        let tokenizer = HashingTokenizer(vocabularySize: 1000)
        let mask = try #require(tokenizer.maskToken)
        #expect(mask.token == "[MASK]" && mask.id == 4)
        #expect(tokenizer.id(for: "[CLS]") == 2)
        #expect(tokenizer.id(for: "dog") == nil)
    }

    @Test(.enabled(if: FixtureSupport.miniLMAvailable, "models/all-MiniLM-L6-v2 is absent"))
    func maskToken_IsTheSameForMiniLMsTokenizerJSONAndVocabTxt() throws {
        let fromJSON = try TokenizerLoader.load(directory: FixtureSupport.miniLMDirectory)
        let fromVocab = try WordPieceTokenizer.load(directory: FixtureSupport.miniLMDirectory)
        let json = try #require(fromJSON.maskToken)
        let vocab = try #require(fromVocab.maskToken)
        #expect(json.token == "[MASK]" && vocab.token == "[MASK]")
        #expect(json.id == 103 && vocab.id == 103)
    }
}
