import Foundation
import Testing

@testable import Transformer

/// The family switches on the seeded encoder (``EncoderConfiguration``'s `causal`, `position_offset`,
/// `embedding_norm`): decoded from JSON, validated, and checked by invariants of the forward pass.
@Suite struct FamilySeededTests {
    static let small = EncoderConfiguration(
        layers: 2, heads: 2, hiddenSize: 32, intermediateSize: 64, maxPositions: 32, vocabularySize: 50,
        typeVocabularySize: 0)

    @Test func encoderConfiguration_DecodesFamilySwitches_FromJSON() throws {
        let json = #"{"causal": true, "position_offset": 2, "embedding_norm": false, "norm_placement": "pre"}"#
        let c = try EncoderConfiguration.decode(json: Array(json.utf8))
        #expect(c.causal && c.positionOffset == 2 && !c.embeddingNorm && c.normPlacement == .pre)
        let defaults = try EncoderConfiguration.decode(json: Array("{}".utf8))
        #expect(!defaults.causal && defaults.positionOffset == 0 && defaults.embeddingNorm)
        let encoded = try JSONEncoder().encode(c)
        #expect(try EncoderConfiguration.decode(json: Array(encoded)) == c)
    }

    @Test func encoderConfiguration_RejectsBadSwitch_WhenTypeOrRangeWrong() throws {
        for (json, field) in [
            (#"{"causal": "yes"}"#, "causal"), (#"{"position_offset": -1}"#, "position_offset"),
            (#"{"rotary": true}"#, "rotary"),
        ] {
            let error = #expect(throws: TransformerError.self) {
                try EncoderConfiguration.decode(json: Array(json.utf8))
            }
            guard case .invalidConfiguration(let name, _) = error else {
                Issue.record("unexpected \(String(describing: error)) for \(json)")
                continue
            }
            #expect(name == field, "\(json)")
        }
    }

    @Test func encoder_MapsAreLowerTriangularAndPrefixesIndependent_WhenCausal() throws {
        var c = Self.small
        c.causal = true
        c.normPlacement = .pre
        c.embeddingNorm = false
        let encoder = try Encoder.seeded(c)
        let ids: [Int32] = [3, 14, 15, 9, 26, 5, 35, 8, 9, 7, 9, 3, 2, 38, 46, 26, 43]
        let options = ForwardOptions(attentionLayers: [0, 1], hiddenStates: true)
        let full = try #require(try encoder.forward([EncoderInput(ids: ids)], options: options).first)
        let n = ids.count
        let maps = try #require(full.attentions[1])
        for h in 0..<2 {
            for i in 0..<n {
                let row = maps.storage[(h * n + i) * n..<(h * n + i + 1) * n]
                #expect(row.dropFirst(i + 1).allSatisfy { $0 == 0 })
                #expect(row.prefix(i + 1).allSatisfy { $0 > 0 })
            }
        }
        #expect(maps.storage[0] == 1)  // the first query sees only itself
        let d = c.hiddenSize
        let prefix = try #require(try encoder.forward([EncoderInput(ids: Array(ids[0..<6]))], options: options).first)
        #expect(
            goldenMaxDifference(prefix.lastHiddenState.storage, Array(full.lastHiddenState.storage[0..<6 * d])) < 1e-5)
        // Not causal: the same weights' first row depends on the rest.
        c.causal = false
        let bidirectional = try #require(
            try Encoder.seeded(c).forward([EncoderInput(ids: ids)], options: options).first)
        #expect(goldenMaxDifference(bidirectional.lastHiddenState.storage, full.lastHiddenState.storage) > 1e-4)
    }

    @Test func encoder_ReadsPositionRowsAfterOffset_WhenPositionOffsetSet() throws {
        var shifted = Self.small
        shifted.positionOffset = 2
        var weights = EncoderWeights.seeded(shifted)
        let table = try #require(weights.positionEmbeddings)
        #expect(table.shape == [34, 32])
        // The same encoder without the offset, reading rows 2… of the same table, must compute the same thing.
        var plain = Self.small
        plain.maxPositions = 32
        var dropped = weights
        dropped.positionEmbeddings = Tensor(shape: [32, 32], storage: Array(table.storage[(2 * 32)...]))
        let ids: [Int32] = [4, 8, 15, 16, 23, 42]
        let a = try Encoder(configuration: shifted, weights: weights).forward(
            [EncoderInput(ids: ids)], options: .init())
        let b = try Encoder(configuration: plain, weights: dropped).forward([EncoderInput(ids: ids)], options: .init())
        #expect(a[0].lastHiddenState == b[0].lastHiddenState)
        weights.positionEmbeddings = Tensor(shape: [32, 32], storage: Array(table.storage[(2 * 32)...]))
        #expect(throws: TransformerError.self) { try Encoder(configuration: shifted, weights: weights) }
    }
}
