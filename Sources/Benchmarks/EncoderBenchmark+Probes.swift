import Foundation
import Transformer

// Public API only (Encoder, ProbeEdit, ProbeComparison), so this file can move to a benchmark target as it is.

extension EncoderBenchmark {
    /// Wall milliseconds of one sentence with P probes in one pass (README "Probes") against the same number of
    /// plain sequences: median of the runs, every layer's maps kept.
    public struct ProbeCosts: Sendable, Equatable {
        public var length: Int
        public var probes: Int
        /// 1 + P copies of the sentence, plain.
        public var plainMilliseconds: Double
        /// The sentence and its P variants (masks, a drop, ablations) in one pass, plus the P comparisons.
        public var probedMilliseconds: Double
        /// The P comparisons alone (part of `probedMilliseconds`).
        public var comparisonMilliseconds: Double

        /// A text table.
        public var table: String {
            [
                "probes, 1x\(length) + \(probes) probes, all layers' maps kept (wall, median of runs):",
                "  \(probes + 1) plain sequences      " + String(format: "%8.2f ms", plainMilliseconds),
                "  sentence + \(probes) probes       " + String(format: "%8.2f ms", probedMilliseconds)
                    + String(format: "  %.2fx the plain batch", probedMilliseconds / plainMilliseconds),
                "    of which comparisons  " + String(format: "%8.2f ms", comparisonMilliseconds),
            ].joined(separator: "\n")
        }
    }

    /// Times a deterministic `length`-token sentence with `probes` variants (mask token i, drop token 2,
    /// ablate head pairs) against `probes + 1` plain copies; `runs` passes each after one warm-up.
    public static func probeCosts(
        _ encoder: Encoder, length: Int = 16, probes: Int = 8, runs: Int = 15
    ) throws -> ProbeCosts {
        let c = encoder.configuration
        let ids = (0..<length).map { Int32(($0 * 104_729) % Swift.max(1, c.vocabularySize - 1000) + 1000) }
        let keep = KeptOutputs(attentionLayers: Set(0..<c.layers))
        let encoding = Encoding(
            tokens: ids.map { String($0) }, ids: ids, offsets: Array(repeating: nil, count: length),
            wordIDs: Array(repeating: nil, count: length), specialTokensMask: Array(repeating: false, count: length))
        let variants = (0..<probes).map { k -> ProbeVariant in
            var edit = ProbeEdit()
            switch k % 4 {
            case 0: edit.replacements[1 + k % (length - 1)] = .init(id: 103, token: "[MASK]")
            case 1: edit.drops = [2 % length]
            case 2: edit.ablatedHeads = [AttentionHead(layer: k % c.layers, head: k % c.heads)]
            default:
                edit.replacements[1 + k % (length - 1)] = .init(id: 1000, token: "x")
                edit.ablatedHeads = Set((0..<c.heads).map { AttentionHead(layer: 0, head: $0) })
            }
            return edit.apply(to: encoding, typeIDs: nil, keep: keep)
        }
        let original = EncoderInput(ids: ids, keep: keep)
        let plain = Array(repeating: original, count: probes + 1)
        let probed = [original] + variants.map(\.input)
        func time(_ body: () throws -> Void) rethrows -> Double {
            try body()
            var times: [Double] = []
            for _ in 0..<Swift.max(1, runs) {
                let start = DispatchTime.now().uptimeNanoseconds
                try body()
                times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
            }
            return times.sorted()[times.count / 2]
        }
        let layers = Array(0..<c.layers)
        var comparisons = 0.0
        let plainMilliseconds = try time { _ = try encoder.forward(plain, options: ForwardOptions()) }
        let probedMilliseconds = try time {
            let outputs = try encoder.forward(probed, options: ForwardOptions())
            let start = DispatchTime.now().uptimeNanoseconds
            let pooled = Encoder.pool(outputs[0].lastHiddenState, .mean, normalize: false)
            for (k, variant) in variants.enumerated() {
                _ = ProbeComparison(
                    original: outputs[0], originalPooled: pooled, probe: outputs[k + 1],
                    probePooled: Encoder.pool(outputs[k + 1].lastHiddenState, .mean, normalize: false),
                    alignment: variant.alignment, layers: layers)
            }
            comparisons = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
        }
        return ProbeCosts(
            length: length, probes: probes, plainMilliseconds: plainMilliseconds,
            probedMilliseconds: probedMilliseconds, comparisonMilliseconds: comparisons)
    }
}
