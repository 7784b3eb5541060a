import Foundation
import Testing

@testable import Transformer

/// Every tokenizer reports its special tokens (``Tokenizer/specialTokenIDs(_:)``), and ``HeadRoles`` takes `[CLS]`
/// and `[SEP]` from them: `<s>`/`</s>` for RoBERTa-style tokenizers, none for GPT-2's.
@Suite struct SpecialTokenTests {
    static func tokenizerJSON(_ kind: String) throws -> HuggingFaceTokenizer {
        try HuggingFaceTokenizer(file: FixtureSupport.fixture("tokenizers/\(kind)/tokenizer.json"))
    }

    /// GPT-2's arrangement: the RoBERTa-style byte-level BPE with a `ByteLevel` post-processor (no special tokens
    /// added) and `<|endoftext|>` as its only special token.
    static func gpt2Style() throws -> HuggingFaceTokenizer {
        var json = try FixtureSupport.json(FixtureSupport.fixture("tokenizers/bytebpe/tokenizer.json"))
        json["post_processor"] = [
            "type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": true,
        ]
        json["added_tokens"] = [
            [
                "id": 1500, "content": "<|endoftext|>", "single_word": false, "lstrip": false, "rstrip": false,
                "normalized": false, "special": true,
            ]
        ]
        return try HuggingFaceTokenizer(json: json, file: "gpt2-style tokenizer.json")
    }

    @Test func specialTokenIDs_AreClsAndSep_ForWordPieceVocabulary() throws {
        let tokenizer = try TokenizerLoader.load(directory: FixtureSupport.fixture("tiny-bert"))
        let cls = try #require(tokenizer.id(for: "[CLS]"))
        let sep = try #require(tokenizer.id(for: "[SEP]"))
        #expect(tokenizer.specialTokenIDs(.classToken) == [cls])
        #expect(tokenizer.specialTokenIDs(.separator) == [sep])
        let encoding = tokenizer.encode("the dog")
        #expect(tokenizer.specialTokenRole(of: encoding.ids[0]) == .classToken)
        #expect(tokenizer.specialTokenRole(of: encoding.ids[encoding.count - 1]) == .separator)
        #expect(tokenizer.specialTokenRole(of: encoding.ids[1]) == nil)
    }

    @Test func specialTokenIDs_AreSAndSlashS_ForRobertaStyleTokenizerJSON() throws {
        // bytebpe: RobertaProcessing with cls <s> = 0, sep </s> = 2; unigram: a TemplateProcessing "<s> $A </s>".
        for kind in ["bytebpe", "unigram"] {
            let tokenizer = try Self.tokenizerJSON(kind)
            #expect(tokenizer.specialTokenIDs(.classToken) == [0], "\(kind)")
            #expect(tokenizer.specialTokenIDs(.separator) == [2], "\(kind)")
            let pair = tokenizer.encode("the dog", pair: "a cat")
            let roles = pair.ids.map { tokenizer.specialTokenRole(of: $0) }
            #expect(roles.first == .classToken, "\(kind) \(pair.tokens)")
            #expect(roles.last == .separator, "\(kind) \(pair.tokens)")
            #expect(
                roles.filter { $0 != nil }.count == pair.specialTokensMask.filter { $0 }.count,
                "\(kind): every special token the post-processor added has a role: \(pair.tokens)")
        }
    }

    @Test func specialTokenIDs_AreClsAndSep_ForBertStyleTokenizerJSON() throws {
        // mixed: BertProcessing; wordpiece: TemplateProcessing "[CLS] $A [SEP]" ([CLS] = 2, [SEP] = 3).
        for kind in ["mixed", "wordpiece"] {
            let tokenizer = try Self.tokenizerJSON(kind)
            #expect(tokenizer.specialTokenIDs(.classToken) == [2], "\(kind)")
            #expect(tokenizer.specialTokenIDs(.separator) == [3], "\(kind)")
        }
    }

    @Test func specialTokenIDs_AreEmpty_ForGPT2StyleTokenizer() throws {
        let tokenizer = try Self.gpt2Style()
        #expect(tokenizer.specialTokenIDs(.classToken).isEmpty)
        #expect(tokenizer.specialTokenIDs(.separator).isEmpty)
        let encoding = tokenizer.encode("the dog<|endoftext|>")
        #expect(encoding.ids.allSatisfy { tokenizer.specialTokenRole(of: $0) == nil })
    }

    @Test func specialTokenIDs_AreReservedIDs_ForHashingTokenizer() {
        let tokenizer = HashingTokenizer(vocabularySize: 100)
        #expect(tokenizer.specialTokenIDs(.classToken) == [2])
        #expect(tokenizer.specialTokenIDs(.separator) == [3])
    }

    /// `[layer][head]` mean over query rows of the summed weights of columns `columns`, from `transformers`'
    /// attentions (the family fixture's `case{c}.attention.{l}`).
    static func columnMean(_ map: Tensor, head: Int, columns: [Int]) -> Float {
        let n = map.shape[2]
        var total = 0.0
        for i in 0..<n {
            for j in columns { total += Double(map.storage[head * n * n + i * n + j]) }
        }
        return Float(total / Double(n))
    }

    @Test func headRoles_TakeSAndSlashSAsClsAndSep_ForRobertaCheckpointWithRobertaStyleTokenizer() throws {
        // The RoBERTa family fixture's case 1, <s> A </s> B </s> in RoBERTa's ids (<s> = 0, </s> = 2), run by the
        // encoder; the roles are classed by the RoBERTa-style tokenizer and checked against transformers' maps.
        let directory = FixtureSupport.fixture("families/roberta")
        let model = try CheckpointLoader.load(directory: directory)
        let tokenizer = try Self.tokenizerJSON("bytebpe")
        let expected = try SafetensorsFile(path: directory + "/expected.safetensors")
        let ids: [Int32] = [0, 100, 101, 102, 103, 104, 2, 120, 121, 122, 123, 2]
        let c = model.encoder.configuration
        let keep = KeptOutputs(attentionLayers: Set(0..<c.layers))
        let output = try #require(
            try model.encoder.forward([EncoderInput(ids: ids, keep: keep)], options: .init()).first)
        var encoding = Encoding()
        for id in ids { encoding.append(token: "t\(id)", id: id, offset: nil, wordID: nil, special: false) }
        let classes = TokenClasses(encoding: encoding, tokenizer: tokenizer)
        #expect(classes.cls == ids.map { $0 == 0 })
        #expect(classes.sep == ids.map { $0 == 2 })
        let roles = HeadRoles(maps: (0..<c.layers).compactMap { output.attentions[$0] }, classes: classes)
        var worst: Float = 0
        for l in 0..<c.layers {
            let reference = try expected.tensor("case1.attention.\(l)")
            for h in 0..<c.heads {
                let cls = Self.columnMean(reference, head: h, columns: [0])
                let sep = Self.columnMean(reference, head: h, columns: [6, 11])
                worst = max(worst, abs(roles.values[0][l][h] - cls), abs(roles.values[1][l][h] - sep))
            }
        }
        print("[golden] head roles roberta <s>/</s> vs transformers: max |Δ| = \(worst)")
        #expect(worst <= 1e-5)
    }

    @Test func headRoles_HaveNoClsOrSep_ForGPT2CheckpointWithGPT2StyleTokenizer() throws {
        let model = try CheckpointLoader.load(directory: FixtureSupport.fixture("families/gpt2"))
        let tokenizer = try Self.gpt2Style()
        let ids: [Int32] = [5, 299, 7, 150, 151, 3, 4]
        let c = model.encoder.configuration
        let output = try #require(
            try model.encoder.forward(
                [EncoderInput(ids: ids, keep: KeptOutputs(attentionLayers: Set(0..<c.layers)))], options: .init()
            ).first)
        var encoding = Encoding()
        for id in ids { encoding.append(token: "t\(id)", id: id, offset: nil, wordID: nil, special: false) }
        let classes = TokenClasses(encoding: encoding, tokenizer: tokenizer)
        #expect(!classes.hasClassToken && !classes.hasSeparatorToken)
        let roles = HeadRoles(maps: (0..<c.layers).compactMap { output.attentions[$0] }, classes: classes)
        for l in 0..<c.layers {
            for h in 0..<c.heads {
                #expect(roles.values[0][l][h].isNaN && roles.values[1][l][h].isNaN, "cls/sep are null [\(l)][\(h)]")
                // Causal: P[i, i + 1] lies above the diagonal, an exact 0, so `next` is 0.
                #expect(roles.values[3][l][h] == 0, "next is 0 under causal attention [\(l)][\(h)]")
                #expect(roles.tags[l][h] != .cls && roles.tags[l][h] != .sep)
            }
        }
    }

    @Test func isPunctuation_StripsByteLevelAndSentencePieceMarkers() {
        #expect(TokenClasses.isPunctuation("\u{120},"))
        #expect(TokenClasses.isPunctuation("\u{2581}."))
        #expect(!TokenClasses.isPunctuation("\u{120}"))
        #expect(!TokenClasses.isPunctuation("\u{120}dog"))
        #expect(TokenClasses.isPunctuation("##."))
    }
}
