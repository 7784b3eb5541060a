import Dispatch
import Foundation
import Testing

@testable import Transformer

@Suite struct EncoderForwardTests {
    static let allOptions: [(PositionalEncoding, NormPlacement, Activation)] = [
        PositionalEncoding.learned, .sinusoidal, .none,
    ].flatMap { p in
        [NormPlacement.post, .pre].flatMap { n in [Activation.gelu, .geluTanh, .relu].map { (p, n, $0) } }
    }

    @Test(arguments: allOptions)
    func forward_MatchesScalarReference_ForEveryOption(
        positional: PositionalEncoding, norm: NormPlacement, activation: Activation
    ) throws {
        let c = tinyConfiguration(positional: positional, norm: norm, activation: activation)
        let weights = randomisedWeights(c)
        let encoder = try Encoder(configuration: c, weights: weights)
        let reference = ReferenceEncoder(configuration: c, weights: weights)
        let ids = testIDs(count: 19, seed: 5, vocabulary: c.vocabularySize)
        let types = ids.indices.map { Int32($0 >= 9 ? 1 : 0) }
        let options = ForwardOptions(attentionLayers: [0, 1], hiddenStates: true)
        let output = try #require(try encoder.forward([EncoderInput(ids: ids, typeIds: types)], options: options).first)
        let expected = reference.run(ids: ids, typeIds: types)

        var hiddenError = 0.0
        var attentionError = 0.0
        let states = try #require(output.hiddenStates)
        #expect(states.count == c.layers + 1)
        for (state, want) in zip(states, expected.hiddenStates) {
            #expect(state.shape == [ids.count, c.hiddenSize])
            hiddenError = max(hiddenError, maxDifference(state.storage, want.flatMap { $0 }))
        }
        for l in 0..<c.layers {
            let map = try #require(output.attentions[l])
            #expect(map.shape == [c.heads, ids.count, ids.count])
            attentionError = max(
                attentionError, maxDifference(map.storage, expected.attentions[l].flatMap { $0.flatMap { $0 } }))
        }
        #expect(output.lastHiddenState == states[c.layers])
        print(
            "reference \(positional) \(norm) \(activation): hidden max diff \(hiddenError), attention \(attentionError)"
        )
        #expect(hiddenError <= 1e-4)
        #expect(attentionError <= 1e-5)
    }

    @Test func forward_AttentionRowsSumToOne() throws {
        let c = tinyConfiguration()
        let encoder = try Encoder(configuration: c, weights: randomisedWeights(c))
        let inputs = [3, 17, 1, 16].enumerated().map {
            EncoderInput(ids: testIDs(count: $0.element, seed: UInt64($0.offset), vocabulary: c.vocabularySize))
        }
        let outputs = try encoder.forward(inputs, options: .allAttentions(layers: c.layers))
        var worst: Float = 0
        for (output, input) in zip(outputs, inputs) {
            let n = input.ids.count
            for map in output.attentions.values {
                for row in 0..<(c.heads * n) {
                    let values = map.storage[(row * n)..<((row + 1) * n)]
                    #expect(values.allSatisfy { $0 >= 0 && $0 <= 1 })
                    worst = max(worst, abs(values.reduce(0, +) - 1))
                }
            }
        }
        print("attention rows: max |Σ − 1| = \(worst)")
        #expect(worst <= 1e-6)
    }

    @Test func forward_BatchedEqualsSolo_WhenLengthsDiffer() throws {
        let c = tinyConfiguration(positional: .sinusoidal, norm: .pre)
        let encoder = try Encoder(configuration: c, weights: randomisedWeights(c))
        let inputs = [5, 19, 1, 33, 16, 17].enumerated().map {
            EncoderInput(ids: testIDs(count: $0.element, seed: UInt64(10 + $0.offset), vocabulary: c.vocabularySize))
        }
        for workers in [1, 2, 3] {
            let options = ForwardOptions(
                attentionLayers: [1], hiddenStates: true, pooling: .mean, normalize: true, workers: workers)
            let batched = try encoder.forward(inputs, options: options)
            var hiddenError: Float = 0
            var attentionError: Float = 0
            for (input, output) in zip(inputs, batched) {
                let solo = try #require(try encoder.forward([input], options: options).first)
                hiddenError = max(
                    hiddenError, maxDifference(output.lastHiddenState.storage, solo.lastHiddenState.storage))
                attentionError = max(
                    attentionError, maxDifference(output.attentions[1]!.storage, solo.attentions[1]!.storage))
                #expect(output.lastHiddenState.shape == [input.ids.count, c.hiddenSize])
                #expect(output.attentions[1]!.shape == [c.heads, input.ids.count, input.ids.count])
                #expect(maxDifference(output.pooled!, solo.pooled!) <= 1e-5)
            }
            print("batched vs solo (\(workers) workers): hidden \(hiddenError), attention \(attentionError)")
            #expect(hiddenError <= 1e-5)
            #expect(attentionError <= 1e-5)
        }
    }

    @Test func forward_KeepsOnlyWhatOptionsAsk() throws {
        let c = tinyConfiguration()
        let encoder = try Encoder.seeded(c)
        let input = EncoderInput(ids: [1, 2, 3])
        let plain = try #require(try encoder.forward([input], options: ForwardOptions()).first)
        #expect(plain.attentions.isEmpty && plain.hiddenStates == nil && plain.pooled == nil)
        let some = try #require(
            try encoder.forward([input], options: ForwardOptions(attentionLayers: [1, 7], pooling: .cls)).first)
        #expect(Array(some.attentions.keys) == [1])
        #expect(some.pooled?.count == c.hiddenSize)
        #expect(some.lastHiddenState == plain.lastHiddenState)
    }

    @Test func forward_KeepsAllMaps_WhenThousandsOfSequences() throws {
        // Regression: pinning each kept map recursed once per (layer, sequence) and overflowed the stack.
        let c = tinyConfiguration()
        let encoder = try Encoder.seeded(c)
        let inputs = [EncoderInput](repeating: EncoderInput(ids: [1, 2, 3]), count: 20_000)
        let outputs = try encoder.forward(inputs, options: ForwardOptions(attentionLayers: Set(0..<c.layers)))
        #expect(outputs.count == inputs.count)
        let solo = try #require(
            try encoder.forward([inputs[0]], options: ForwardOptions(attentionLayers: Set(0..<c.layers))).first)
        for output in [outputs[0], outputs[outputs.count - 1]] {
            #expect(output.attentions.count == c.layers)
            for (l, map) in output.attentions {
                #expect(map.shape == [c.heads, 3, 3])
                #expect(maxDifference(map.storage, try #require(solo.attentions[l]).storage) <= 1e-5)
            }
        }
    }

    @Test func forward_ReturnsEmpty_WhenBatchEmpty() throws {
        #expect(try Encoder.seeded(tinyConfiguration()).forward([], options: ForwardOptions()).isEmpty)
    }

    @Test func forward_ThrowsTypedErrors_WhenInputBad() throws {
        let c = tinyConfiguration()
        let encoder = try Encoder.seeded(c)
        let options = ForwardOptions()
        #expect(throws: TransformerError.emptySequence) {
            try encoder.forward([EncoderInput(ids: [])], options: options)
        }
        #expect(throws: TransformerError.sequenceTooLong(length: 41, max: 40)) {
            try encoder.forward([EncoderInput(ids: [Int32](repeating: 1, count: 41))], options: options)
        }
        #expect(throws: TransformerError.tokenIDOutOfRange(id: 50, vocabularySize: 50)) {
            try encoder.forward([EncoderInput(ids: [1, 50])], options: options)
        }
        #expect(throws: TransformerError.tokenIDOutOfRange(id: -1, vocabularySize: 50)) {
            try encoder.forward([EncoderInput(ids: [-1])], options: options)
        }
        #expect(throws: TransformerError.typeIDOutOfRange(id: 2, typeVocabularySize: 2)) {
            try encoder.forward([EncoderInput(ids: [1, 2], typeIds: [0, 2])], options: options)
        }
        #expect(throws: TransformerError.typeIDCountMismatch(ids: 2, typeIds: 1)) {
            try encoder.forward([EncoderInput(ids: [1, 2], typeIds: [0])], options: options)
        }
    }

    @Test func init_NamesWeight_WhenShapeWrong() {
        let c = tinyConfiguration()
        var weights = EncoderWeights.seeded(c)
        weights.layers[1].intermediateWeight = Tensor(zeros: [36, 21])
        #expect(
            throws: TransformerError.weightShapeMismatch(
                tensor: "layers.1.intermediateWeight", expected: [36, 20], actual: [36, 21])
        ) {
            try Encoder(configuration: c, weights: weights)
        }
        var missing = EncoderWeights.seeded(c)
        missing.positionEmbeddings = nil
        #expect(
            throws: TransformerError.weightShapeMismatch(tensor: "positionEmbeddings", expected: [40, 20], actual: [])
        ) {
            try Encoder(configuration: c, weights: missing)
        }
    }

    @Test func flops_CountsMatrixProducts() throws {
        let encoder = try Encoder.seeded(
            EncoderConfiguration(
                layers: 6, heads: 12, hiddenSize: 384, intermediateSize: 1536, maxPositions: 512, vocabularySize: 8,
                typeVocabularySize: 2))
        // The figure: one MiniLM token at n = 128 costs about 22.4 MFLOP.
        let perToken = encoder.flops(lengths: [128]) / 128
        #expect(abs(perToken - 22.4e6) < 0.1e6)
    }
}

@Suite struct EncoderBlockedForwardTests {
    @Test(arguments: [NormPlacement.post, .pre])
    func forward_RowBlocksEqualSingleWorker_WhenManyTokens(norm: NormPlacement) throws {
        // ≥ 256 tokens per worker switches the forward to per-worker row blocks; the result must not change.
        let c = tinyConfiguration(positional: .learned, norm: norm, activation: .gelu)
        let encoder = try Encoder(configuration: c, weights: randomisedWeights(c))
        let inputs = (0..<24).map {
            EncoderInput(ids: testIDs(count: 17 + $0 % 23, seed: UInt64(50 + $0), vocabulary: c.vocabularySize))
        }
        #expect(inputs.reduce(0) { $0 + $1.ids.count } >= 512)
        let single = try encoder.forward(
            inputs, options: ForwardOptions(attentionLayers: [0, 1], hiddenStates: true, workers: 1))
        let blocked = try encoder.forward(
            inputs, options: ForwardOptions(attentionLayers: [0, 1], hiddenStates: true, workers: 2))
        var hiddenError: Float = 0
        var attentionError: Float = 0
        for (a, b) in zip(single, blocked) {
            for (x, y) in zip(a.hiddenStates!, b.hiddenStates!) {
                hiddenError = max(hiddenError, maxDifference(x.storage, y.storage))
            }
            for l in 0..<c.layers {
                attentionError = max(attentionError, maxDifference(a.attentions[l]!.storage, b.attentions[l]!.storage))
            }
        }
        print("row blocks vs single worker (\(norm)): hidden \(hiddenError), attention \(attentionError)")
        #expect(hiddenError <= 1e-5)
        #expect(attentionError <= 1e-5)
    }
}

@Suite struct EncoderConcurrencyTests {
    @Test func forward_GivesSameResults_WhenCalledConcurrently() throws {
        let c = tinyConfiguration()
        let encoder = try Encoder(configuration: c, weights: randomisedWeights(c))
        let batches = (0..<6).map { k in
            (0..<(1 + k % 3)).map {
                EncoderInput(ids: testIDs(count: 5 + 7 * $0 + k, seed: UInt64(100 + 10 * k + $0), vocabulary: 50))
            }
        }
        let options = ForwardOptions(attentionLayers: [0], pooling: .mean)
        let serial = try batches.map { try encoder.forward($0, options: options) }
        let results = ResultBox(count: batches.count)
        DispatchQueue.concurrentPerform(iterations: batches.count) { k in
            results.set(k, try? encoder.forward(batches[k], options: options))
        }
        for k in batches.indices {
            let got = try #require(results.get(k))
            #expect(got.count == serial[k].count)
            for (a, b) in zip(got, serial[k]) {
                #expect(a.lastHiddenState.shape == b.lastHiddenState.shape)
                #expect(maxDifference(a.lastHiddenState.storage, b.lastHiddenState.storage) <= 1e-6)
                #expect(maxDifference(a.attentions[0]!.storage, b.attentions[0]!.storage) <= 1e-6)
                #expect(maxDifference(a.pooled!, b.pooled!) <= 1e-6)
            }
        }
    }
}

/// Collects per-index results from concurrent workers.
private final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [[EncoderOutput]?]

    init(count: Int) { values = Array(repeating: nil, count: count) }

    func set(_ index: Int, _ value: [EncoderOutput]?) {
        lock.lock()
        values[index] = value
        lock.unlock()
    }

    func get(_ index: Int) -> [EncoderOutput]? {
        lock.lock()
        defer { lock.unlock() }
        return values[index]
    }
}
