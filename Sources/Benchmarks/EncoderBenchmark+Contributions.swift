import Foundation
import Transformer

// Public API only (Encoder, KeptOutputs, ContributionMeasure), so this file can move to a benchmark target as it is.

extension EncoderBenchmark {
    /// Wall milliseconds of one forward pass with token contributions (README "Token contributions"), next to the
    /// bare pass: median of the runs at one shape, every layer kept.
    public struct ContributionCosts: Sendable, Equatable {
        /// Sequences and tokens per sequence.
        public var batch: Int
        public var length: Int
        /// The pass keeping only the last hidden state.
        public var bareMilliseconds: Double
        /// Per configuration (one measure, then all five): its name and median milliseconds.
        public var rows: [(name: String, milliseconds: Double)]
        /// Value zeroing at ``ContributionMeasure/valueZeroingMaxLength`` tokens: the bare pass and with it.
        public var zeroingBareMilliseconds: Double
        public var zeroingMilliseconds: Double

        public static func == (a: ContributionCosts, b: ContributionCosts) -> Bool {
            a.batch == b.batch && a.length == b.length && a.bareMilliseconds == b.bareMilliseconds
                && a.rows.map(\.name) == b.rows.map(\.name) && a.rows.map(\.milliseconds) == b.rows.map(\.milliseconds)
                && a.zeroingBareMilliseconds == b.zeroingBareMilliseconds
                && a.zeroingMilliseconds == b.zeroingMilliseconds
        }

        /// A text table.
        public var table: String {
            var lines = [
                "contributions, \(batch)x\(length), all layers (wall, median of runs):",
                "  bare pass            " + String(format: "%8.2f ms", bareMilliseconds),
            ]
            for row in rows {
                lines.append(
                    "  " + row.name.padding(toLength: 21, withPad: " ", startingAt: 0)
                        + String(
                            format: "%8.2f ms  %.2fx the pass", row.milliseconds, row.milliseconds / bareMilliseconds))
            }
            let n = ContributionMeasure.valueZeroingMaxLength
            lines.append(
                "  value_zeroing at \(batch)x\(n): bare " + String(format: "%.2f ms", zeroingBareMilliseconds)
                    + String(format: ", with it %.2f ms", zeroingMilliseconds)
                    + String(format: " (%.1fx the pass)", zeroingMilliseconds / zeroingBareMilliseconds))
            return lines.joined(separator: "\n")
        }
    }

    /// Times `encoder` at `batch` × `length` (deterministic ids) bare and with each contribution measure, then all
    /// of them, for every layer; `runs` passes each after one warm-up (the median is reported).
    public static func contributionCosts(
        _ encoder: Encoder, batch: Int = 1, length: Int = 128, runs: Int = 15
    ) throws -> ContributionCosts {
        let c = encoder.configuration
        let ids = (0..<batch).map { b in
            (0..<length).map { Int32((b * 7_919 + $0 * 104_729) % Swift.max(1, c.vocabularySize - 1000) + 1000) }
        }
        func median(_ keep: KeptOutputs, length: Int = length) throws -> Double {
            let inputs = ids.map { EncoderInput(ids: Array($0.prefix(length)), keep: keep) }
            _ = try encoder.forward(inputs, options: ForwardOptions())
            var times: [Double] = []
            for _ in 0..<Swift.max(1, runs) {
                let start = DispatchTime.now().uptimeNanoseconds
                _ = try encoder.forward(inputs, options: ForwardOptions())
                times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
            }
            return times.sorted()[times.count / 2]
        }
        let layers = Set(0..<c.layers)
        let bare = try median(KeptOutputs())
        var rows: [(name: String, milliseconds: Double)] = []
        // Value zeroing (a feed-forward pass per key token) is timed on its own at its 64-token limit.
        let measures = ContributionMeasure.allCases.filter { $0 != .valueZeroing }
        for measure in measures {
            rows.append(
                (measure.rawValue, try median(KeptOutputs(contributions: [measure], contributionLayers: layers))))
        }
        rows.append(
            ("all five above", try median(KeptOutputs(contributions: Set(measures), contributionLayers: layers))))
        let short = ContributionMeasure.valueZeroingMaxLength
        let zeroingBare = try median(KeptOutputs(), length: short)
        let zeroing = try median(
            KeptOutputs(contributions: [.valueZeroing], contributionLayers: layers), length: short)
        return ContributionCosts(
            batch: batch, length: length, bareMilliseconds: bare, rows: rows, zeroingBareMilliseconds: zeroingBare,
            zeroingMilliseconds: zeroing)
    }
}
