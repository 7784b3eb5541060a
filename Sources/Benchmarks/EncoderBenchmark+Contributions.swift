import Foundation
import Transformer

// Public API only (Encoder, KeptOutputs, ContributionMeasure), so this file can move to a benchmark target as it is.

extension EncoderBenchmark {
    /// Wall milliseconds of one forward pass with token contributions (README "Token contributions") against the
    /// bare pass, every layer kept, measured in interleaved pairs (``PairedTiming``): each round times the bare pass
    /// next to every configuration, and the ratio of each pair is kept, so load on a shared machine moves both sides.
    public struct ContributionCosts: Sendable, Equatable {
        /// Sequences and tokens per sequence.
        public var batch: Int
        public var length: Int
        /// The bare pass (keeping only the last hidden state) against one measure at a time, then all five.
        public var timing: PairedTiming
        /// Value zeroing at ``ContributionMeasure/valueZeroingMaxLength`` tokens against the bare pass there.
        public var zeroing: PairedTiming?

        /// A text table: per configuration the median ratio to the bare pass of the same round, its quartiles and
        /// extremes over the rounds, and the median milliseconds.
        public var table: String {
            func line(_ name: String, _ row: PairedTiming.Row) -> String {
                let r = row.ratio
                return "  " + name.padding(toLength: 21, withPad: " ", startingAt: 0)
                    + String(format: "%8.2f ms  %.3fx", row.milliseconds.median, r.median)
                    + String(
                        format: "  IQR %.3f–%.3f  min %.3f  max %.3f", r.lowerQuartile, r.upperQuartile, r.minimum,
                        r.maximum)
            }
            var lines = [
                "contributions, \(batch)x\(length), all layers: ratio to the bare pass of the same round "
                    + "(median over \(timing.rounds) interleaved rounds, quartiles, extremes)",
                "  bare pass            "
                    + String(
                        format: "%8.2f ms  (IQR %.2f–%.2f ms)", timing.baseline.median, timing.baseline.lowerQuartile,
                        timing.baseline.upperQuartile),
            ]
            for row in timing.rows { lines.append(line(row.name, row)) }
            if let zeroing, let row = zeroing.rows.first {
                let n = ContributionMeasure.valueZeroingMaxLength
                lines.append(
                    "  value_zeroing at \(batch)x\(n) (\(zeroing.rounds) rounds): bare "
                        + String(format: "%.2f ms", zeroing.baseline.median)
                        + String(
                            format: ", with it %.2f ms (%.1fx the pass)", row.milliseconds.median, row.ratio.median))
            }
            return lines.joined(separator: "\n")
        }
    }

    /// Times `encoder` at `batch` × `length` (deterministic ids) bare and with each contribution measure, then all
    /// of them, for every layer: `rounds` interleaved rounds after one warm-up round; value zeroing (a feed-forward
    /// pass per key token) on its own at its 64-token limit for `zeroingRounds` rounds (0: not timed). With `only`,
    /// just those measures are timed, each on its own (no "all five" row; value zeroing as `zeroingRounds` says):
    /// a profile of one measure then holds little else than the bare pass.
    public static func contributionCosts(
        _ encoder: Encoder, batch: Int = 1, length: Int = 128, rounds: Int = 41, zeroingRounds: Int = 5,
        only: Set<ContributionMeasure>? = nil
    ) throws -> ContributionCosts {
        let c = encoder.configuration
        let ids = (0..<batch).map { b in
            (0..<length).map { Int32((b * 7_919 + $0 * 104_729) % Swift.max(1, c.vocabularySize - 1000) + 1000) }
        }
        func pass(_ keep: KeptOutputs, length: Int = length) -> () throws -> Void {
            let inputs = ids.map { EncoderInput(ids: Array($0.prefix(length)), keep: keep) }
            return { _ = try encoder.forward(inputs, options: ForwardOptions()) }
        }
        let layers = Set(0..<c.layers)
        let measures = ContributionMeasure.allCases.filter { $0 != .valueZeroing && only?.contains($0) != false }
        var candidates = measures.map { measure in
            (name: measure.rawValue, run: pass(KeptOutputs(contributions: [measure], contributionLayers: layers)))
        }
        if only == nil {
            candidates.append(
                (
                    name: "all five above",
                    run: pass(KeptOutputs(contributions: Set(measures), contributionLayers: layers))
                ))
        }
        let timing = try PairedTiming.measure(rounds: rounds, baseline: pass(KeptOutputs()), candidates: candidates)
        var zeroing: PairedTiming?
        if zeroingRounds > 0 {
            let short = ContributionMeasure.valueZeroingMaxLength
            zeroing = try PairedTiming.measure(
                rounds: zeroingRounds, baseline: pass(KeptOutputs(), length: short),
                candidates: [
                    (
                        name: ContributionMeasure.valueZeroing.rawValue,
                        run: pass(
                            KeptOutputs(contributions: [.valueZeroing], contributionLayers: layers), length: short)
                    )
                ])
        }
        return ContributionCosts(batch: batch, length: length, timing: timing, zeroing: zeroing)
    }
}
