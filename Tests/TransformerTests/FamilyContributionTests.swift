import Foundation
import Testing

@testable import Transformer

/// Token contributions on the post-LN families other than BERT (RoBERTa, XLM-R, DistilBERT) against
/// `Fixtures/contributions/{family}.safetensors`, computed from the papers' equations on `transformers` with hooks by
/// `scripts/make-contributions-fixture.py` for the checkpoints of `Fixtures/families`; GPT-2 (pre-LN) has none.
@Suite struct FamilyContributionTests {
    static func model(_ family: String) throws -> Model {
        try CheckpointLoader.load(directory: FixtureSupport.fixture("families/\(family)"))
    }

    @Test(arguments: ["roberta", "xlm-roberta", "distilbert"])
    func contributions_MatchReference_ForFamilyCheckpointCasesAlone(family: String) throws {
        let model = try Self.model(family)
        #expect(model.encoder.configuration.normPlacement == .post)
        try ContributionTests.compare(
            model.encoder, cases: try ContributionTests.cases(family), fixture: family,
            title: "contributions \(family)", batched: false)
    }

    @Test(arguments: ["roberta", "distilbert"])
    func contributions_MatchReference_ForFamilyCheckpointCasesInOneBatch(family: String) throws {
        let model = try Self.model(family)
        try ContributionTests.compare(
            model.encoder, cases: try ContributionTests.cases(family), fixture: family,
            title: "contributions \(family) batched", batched: true)
    }

    @Test func contributions_RowsSumToOne_ForDistilBertWithoutTokenTypes() throws {
        let model = try Self.model("distilbert")
        let c = model.encoder.configuration
        #expect(c.typeVocabularySize == 0)
        let ids: [Int32] = [2, 40, 41, 42, 43, 44, 45, 46, 3]
        let keep = KeptOutputs(contributions: [.alti, .globenc, .valueZeroing], contributionLayers: Set(0..<c.layers))
        let output = try #require(
            try model.encoder.forward([EncoderInput(ids: ids, keep: keep)], options: .init()).first)
        let n = ids.count
        for measure in [ContributionMeasure.alti, .globenc, .valueZeroing] {
            for l in 0..<c.layers {
                let map = try #require(output.contributions[measure]?[l])
                FixtureSupport.expectRowStochastic(map, n: n, "\(measure) layer \(l)")
            }
        }
    }

    @Test func contributions_AreNotComputed_ForPreLNGPT2() throws {
        // The decomposition needs the LayerNorm after the residual sum; GPT-2's is before it. The encoder keeps
        // none (KeptOutputs: "ignored for pre-LN") and needs no scratch; the service refuses with a 422
        // (ModelFamilyEndpointTests).
        let model = try Self.model("gpt2")
        let c = model.encoder.configuration
        #expect(c.normPlacement == .pre && c.causal)
        let ids: [Int32] = [5, 299, 7, 150, 151]
        let keep = KeptOutputs(
            attentionLayers: [0], contributions: Set(ContributionMeasure.allCases),
            contributionLayers: Set(0..<c.layers))
        let output = try #require(
            try model.encoder.forward([EncoderInput(ids: ids, keep: keep)], options: .init()).first)
        #expect(output.contributions.isEmpty)
        #expect(model.encoder.contributionWorkspaceBytes(maxLength: ids.count) == 0)
        #expect(output.attentions[0] != nil)
    }
}
