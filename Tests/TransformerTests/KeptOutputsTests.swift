import Foundation
import Testing

@testable import Transformer

/// A shape whose head width (16) takes the register-tile attention path; the tiny one (5) goes through OpenBLAS.
private func tiledConfiguration() -> EncoderConfiguration {
    EncoderConfiguration(
        layers: 3, heads: 3, hiddenSize: 48, intermediateSize: 40, maxPositions: 80, vocabularySize: 50,
        typeVocabularySize: 2, layerNormEpsilon: 1e-12, seed: 11)
}

private let configurations: [EncoderConfiguration] = [tinyConfiguration(), tiledConfiguration()]

/// Everything a pass can give for one sequence.
private func fullOptions(_ c: EncoderConfiguration) -> ForwardOptions {
    ForwardOptions(attentionLayers: Set(0..<c.layers), hiddenStates: true)
}

/// The mean over heads of an [H, n, n] map, in Double.
private func headMean(_ map: Tensor) -> [Double] {
    let heads = map.shape[0]
    let nn = map.shape[1] * map.shape[2]
    return (0..<nn).map { i in (0..<heads).reduce(0.0) { $0 + Double(map.storage[$1 * nn + i]) } / Double(heads) }
}

/// Heads `heads` of an [H, n, n] map, stacked in that order.
private func slices(_ map: Tensor, _ heads: [Int]) -> [Float] {
    let nn = map.shape[1] * map.shape[2]
    return heads.flatMap { map.storage[($0 * nn)..<(($0 + 1) * nn)] }
}

/// Largest |a − b| / max(1, |b|).
private func relativeDifference(_ a: [Float], _ b: [Float]) -> Float {
    guard a.count == b.count else { return .infinity }
    return zip(a, b).reduce(0) { Swift.max($0, abs($1.0 - $1.1) / Swift.max(1, abs($1.1))) }
}

@Suite struct KeptOutputsTests {
    @Test(arguments: configurations)
    func forward_ReturnsWhatEachSequenceAsked_WhenBatchMixed(_ c: EncoderConfiguration) throws {
        let encoder = try Encoder(configuration: c, weights: randomisedWeights(c))
        let last = c.layers - 1
        let keeps: [KeptOutputs?] = [
            KeptOutputs(),
            KeptOutputs(
                attentionLayers: [last, 99], heads: [2, 0, 2, 7], headMeanLayers: [0, last], entropyLayers: [last],
                hiddenStates: true),
            nil,
            KeptOutputs(entropyLayers: Set(0..<c.layers)),
            KeptOutputs(headMeanLayers: [1]),
        ]
        let lengths = [19, 37, 3, 23, 1]
        let inputs = zip(keeps, lengths).enumerated().map { index, pair in
            EncoderInput(
                ids: testIDs(count: pair.1, seed: UInt64(40 + index), vocabulary: c.vocabularySize), keep: pair.0)
        }
        let options = ForwardOptions(attentionLayers: [0], pooling: .mean)
        let outputs = try encoder.forward(inputs, options: options)
        try #require(outputs.count == inputs.count)

        // What each asked for, and nothing else.
        #expect(outputs[0].attentions.isEmpty && outputs[0].attentionMeans.isEmpty && outputs[0].entropies.isEmpty)
        #expect(outputs[0].hiddenStates == nil)
        #expect(Set(outputs[1].attentions.keys) == [last])
        #expect(outputs[1].attentions[last]?.shape == [2, 37, 37])
        #expect(Set(outputs[1].attentionMeans.keys) == [0, last])
        #expect(outputs[1].entropies[last]?.count == 2 && outputs[1].entropies.count == 1)
        #expect(outputs[1].hiddenStates?.count == c.layers + 1)
        #expect(Set(outputs[2].attentions.keys) == [0] && outputs[2].attentions[0]?.shape == [c.heads, 3, 3])
        #expect(outputs[2].attentionMeans.isEmpty && outputs[2].entropies.isEmpty && outputs[2].hiddenStates == nil)
        #expect(outputs[3].attentions.isEmpty && Set(outputs[3].entropies.keys) == Set(0..<c.layers))
        #expect(outputs[3].entropies.values.allSatisfy { $0.count == c.heads })
        #expect(outputs[4].attentions.isEmpty && Set(outputs[4].attentionMeans.keys) == [1])
        #expect(outputs.allSatisfy { $0.pooled?.count == c.hiddenSize })

        // The values equal a solo pass that keeps everything.
        var hiddenError: Float = 0
        var mapError: Float = 0
        var meanError = 0.0
        var entropyError: Float = 0
        for (input, output) in zip(inputs, outputs) {
            let solo = try #require(try encoder.forward([input.withoutKeep], options: fullOptions(c)).first)
            hiddenError = max(hiddenError, maxDifference(output.lastHiddenState.storage, solo.lastHiddenState.storage))
            for (l, state) in (output.hiddenStates ?? []).enumerated() {
                hiddenError = max(hiddenError, maxDifference(state.storage, solo.hiddenStates![l].storage))
            }
            let heads = (input.keep?.heads ?? Array(0..<c.heads)).reduce(into: [Int]()) {
                if $1 < c.heads && !$0.contains($1) { $0.append($1) }
            }
            for (l, map) in output.attentions {
                mapError = max(mapError, maxDifference(map.storage, slices(try #require(solo.attentions[l]), heads)))
            }
            for (l, mean) in output.attentionMeans {
                meanError = max(meanError, maxDifference(mean.storage, headMean(try #require(solo.attentions[l]))))
            }
            for (l, values) in output.entropies {
                let full = AttentionAnalysis.entropy(try #require(solo.attentions[l]))
                entropyError = max(entropyError, relativeDifference(values, heads.map { full[$0] }))
            }
        }
        print(
            "mixed keeps vs solo: hidden \(hiddenError), maps \(mapError), means \(meanError), entropy \(entropyError)")
        #expect(hiddenError <= 1e-6)
        #expect(mapError <= 1e-6)
        #expect(meanError <= 1e-6)
        #expect(entropyError <= 1e-5)
    }

    @Test(arguments: configurations)
    func forward_KeepsNoMaps_WhenSequenceAskedForNothing(_ c: EncoderConfiguration) throws {
        let encoder = try Encoder(configuration: c, weights: randomisedWeights(c))
        let asking = EncoderInput(ids: testIDs(count: 3, seed: 1, vocabulary: c.vocabularySize))
        let quiet = (0..<4).map {
            EncoderInput(
                ids: testIDs(count: 30, seed: UInt64(2 + $0), vocabulary: c.vocabularySize), keep: KeptOutputs())
        }
        let outputs = try encoder.forward([asking] + quiet, options: fullOptions(c))
        #expect(outputs[0].attentions.count == c.layers && outputs[0].hiddenStates?.count == c.layers + 1)
        for output in outputs.dropFirst() {
            #expect(output.attentions.isEmpty && output.attentionMeans.isEmpty && output.entropies.isEmpty)
            #expect(output.hiddenStates == nil)
        }
        #expect(encoder.keptBytes(for: quiet[0], options: fullOptions(c)) == 30 * c.hiddenSize * 4)
    }

    @Test(arguments: configurations)
    func forward_KeepsHeadSubsetBitForBit_WhenHeadsGiven(_ c: EncoderConfiguration) throws {
        let encoder = try Encoder(configuration: c, weights: randomisedWeights(c))
        let ids = testIDs(count: 37, seed: 9, vocabulary: c.vocabularySize)
        let layers = Set(0..<c.layers)
        let subset = [c.heads - 1, 0]
        for workers in [1, 2, 3] {
            let outputs = try encoder.forward(
                [
                    EncoderInput(ids: ids, keep: KeptOutputs(attentionLayers: layers, heads: subset)),
                    EncoderInput(ids: testIDs(count: 12, seed: 3, vocabulary: c.vocabularySize)),
                    EncoderInput(ids: ids, keep: KeptOutputs(attentionLayers: layers)),
                ], options: ForwardOptions(workers: workers))
            for l in 0..<c.layers {
                let part = try #require(outputs[0].attentions[l])
                let full = try #require(outputs[2].attentions[l])
                #expect(part.shape == [subset.count, 37, 37])
                #expect(part.storage == slices(full, subset), "layer \(l), \(workers) workers")
            }
            #expect(outputs[1].attentions.isEmpty)
        }
    }

    @Test(arguments: configurations)
    func forward_HeadMeansEqualMeanOfFullMaps_WhenWorkerCountVaries(_ c: EncoderConfiguration) throws {
        let encoder = try Encoder(configuration: c, weights: randomisedWeights(c))
        let ids = testIDs(count: c.maxPositions, seed: 21, vocabulary: c.vocabularySize)
        let full = try #require(try encoder.forward([EncoderInput(ids: ids)], options: fullOptions(c)).first)
        let keep = KeptOutputs(headMeanLayers: Set(0..<c.layers))
        var worst = 0.0
        for workers in [1, 2, 3] {
            let output = try #require(
                try encoder.forward([EncoderInput(ids: ids, keep: keep)], options: .init(workers: workers)).first)
            #expect(output.attentions.isEmpty)
            for l in 0..<c.layers {
                let mean = try #require(output.attentionMeans[l])
                #expect(mean.shape == [ids.count, ids.count])
                worst = max(worst, maxDifference(mean.storage, headMean(try #require(full.attentions[l]))))
            }
        }
        print("head means vs mean of full maps: \(worst)")
        #expect(worst <= 1e-6)
    }

    @Test(arguments: configurations)
    func forward_EntropiesEqualAnalysisOfFullMaps_WhenComputedInPass(_ c: EncoderConfiguration) throws {
        let encoder = try Encoder(configuration: c, weights: randomisedWeights(c))
        let inputs = [1, 17, c.maxPositions].enumerated().map {
            EncoderInput(ids: testIDs(count: $0.element, seed: UInt64(60 + $0.offset), vocabulary: c.vocabularySize))
        }
        let full = try encoder.forward(inputs, options: fullOptions(c))
        let keep = KeptOutputs(heads: [1, 0], entropyLayers: Set(0..<c.layers))
        let kept = try encoder.forward(inputs.map { EncoderInput(ids: $0.ids, keep: keep) }, options: .init())
        var worst: Float = 0
        for (a, b) in zip(kept, full) {
            #expect(a.attentions.isEmpty)
            for l in 0..<c.layers {
                let all = AttentionAnalysis.entropy(try #require(b.attentions[l]))
                worst = max(worst, relativeDifference(try #require(a.entropies[l]), [all[1], all[0]]))
            }
        }
        print("in-pass entropy vs AttentionAnalysis.entropy: \(worst)")
        #expect(worst <= 1e-5)
    }

    @Test(arguments: configurations)
    func keptBytes_EqualsBytesOfReturnedTensors_WhenKeepsVary(_ c: EncoderConfiguration) throws {
        let encoder = try Encoder.seeded(c)
        let keeps: [KeptOutputs?] = [
            nil, KeptOutputs(), KeptOutputs(hiddenStates: true),
            KeptOutputs(attentionLayers: [0, 1, -1, 50], heads: [1, 1, 0, -2, 9]),
            KeptOutputs(attentionLayers: [1], heads: [], headMeanLayers: [0], entropyLayers: [0]),
            KeptOutputs(headMeanLayers: Set(0..<c.layers), entropyLayers: [1], hiddenStates: true),
        ]
        let inputs = keeps.enumerated().map {
            EncoderInput(
                ids: testIDs(count: 5 + 4 * $0.offset, seed: UInt64($0.offset), vocabulary: 50), keep: $0.element)
        }
        for options in [ForwardOptions(), ForwardOptions(attentionLayers: [1], hiddenStates: true, pooling: .cls)] {
            let outputs = try encoder.forward(inputs, options: options)
            for (input, output) in zip(inputs, outputs) {
                var floats = output.lastHiddenState.count + (output.pooled?.count ?? 0)
                floats += (output.hiddenStates ?? []).reduce(0) { $0 + $1.count }
                floats += output.attentions.values.reduce(0) { $0 + $1.count }
                floats += output.attentionMeans.values.reduce(0) { $0 + $1.count }
                floats += output.entropies.values.reduce(0) { $0 + $1.count }
                #expect(
                    encoder.keptBytes(for: input, options: options) == floats * 4, "\(String(describing: input.keep))")
            }
            #expect(
                encoder.keptBytes(for: inputs, options: options)
                    == inputs.reduce(0) {
                        $0 + encoder.keptBytes(for: $1, options: options)
                    })
        }
    }

    @Test func workspaceBytes_MatchesWorkspaceThePassAllocates_WhenBatchRagged() throws {
        let c = tiledConfiguration()
        let encoder = try Encoder.seeded(c)
        let lengths = [7, 61, 30]
        let inputs = lengths.map { EncoderInput(ids: testIDs(count: $0, seed: UInt64($0), vocabulary: 50)) }
        _ = try encoder.forward(inputs, options: ForwardOptions())
        let workspace = try #require(encoder.workspaces.cachedWorkspace)
        let tokens = lengths.reduce(0, +)
        let padded = (61 + 15) & ~15
        let perWorker = 2 * (c.hiddenSize / c.heads) * padded + 96
        let extra = (workspace.workers * perWorker + c.heads * padded) * 4 + tokens * 12
        let predicted = encoder.workspaceBytes(forBatchTokens: tokens, maxLength: 61, workers: workspace.workers)
        #expect(predicted == workspace.bytes + extra)
        // x, normed, context, qkv: 6·T·d; FFN rows; one score block [61, 64] per worker.
        let inner = min(tokens, workspace.workers * Encoder.blockRows) * c.intermediateSize
        #expect(workspace.bytes == (6 * tokens * c.hiddenSize + inner + workspace.workers * 61 * padded) * 4)
    }
}

extension EncoderInput {
    /// The same ids, keeping what the pass's options ask for.
    fileprivate var withoutKeep: EncoderInput { EncoderInput(ids: ids, typeIds: typeIds) }
}
