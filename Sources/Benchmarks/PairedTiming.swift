import Foundation

/// Cost ratios measured in interleaved pairs, so a loaded or drifting machine moves both sides of each ratio alike.
///
/// Every round runs the baseline and each candidate next to each other (a pair per candidate, the order inside a
/// pair alternating from round to round so neither side always runs first on warm caches), and keeps the ratio of
/// the pair. The report per candidate is the median of its ratios over the rounds with their quartiles and extremes,
/// plus the median milliseconds of either side.
public struct PairedTiming: Sendable, Equatable {
    /// Order statistics of a sample: median, quartiles (linear interpolation between order statistics) and extremes.
    public struct Spread: Sendable, Equatable {
        public var median: Double
        public var lowerQuartile: Double
        public var upperQuartile: Double
        public var minimum: Double
        public var maximum: Double

        /// The statistics of `values` (all zero for an empty sample).
        public init(_ values: [Double]) {
            let sorted = values.sorted()
            func quantile(_ q: Double) -> Double {
                guard !sorted.isEmpty else { return 0 }
                let position = q * Double(sorted.count - 1)
                let below = Int(position.rounded(.down))
                let above = Swift.min(below + 1, sorted.count - 1)
                let fraction = position - Double(below)
                return sorted[below] + (sorted[above] - sorted[below]) * fraction
            }
            median = quantile(0.5)
            lowerQuartile = quantile(0.25)
            upperQuartile = quantile(0.75)
            minimum = sorted.first ?? 0
            maximum = sorted.last ?? 0
        }

        /// The interquartile range relative to the median (0 when the median is 0).
        public var relativeSpread: Double { median == 0 ? 0 : (upperQuartile - lowerQuartile) / median }
    }

    /// One candidate's figures.
    public struct Row: Sendable, Equatable {
        public var name: String
        /// Its own time per round over the baseline's time in the same pair.
        public var ratio: Spread
        /// Its milliseconds.
        public var milliseconds: Spread
    }

    /// Rounds run.
    public var rounds: Int
    /// The baseline's milliseconds over every pair.
    public var baseline: Spread
    public var rows: [Row]

    /// Runs `warmups` unmeasured rounds, then `rounds` rounds of (baseline, candidate) pairs for every candidate;
    /// each body is one timed call.
    public static func measure(
        rounds: Int, warmups: Int = 1, baseline: () throws -> Void, candidates: [(name: String, run: () throws -> Void)]
    ) throws -> PairedTiming {
        func time(_ body: () throws -> Void) rethrows -> Double {
            let start = DispatchTime.now().uptimeNanoseconds
            try body()
            return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
        }
        for _ in 0..<warmups {
            try baseline()
            for candidate in candidates { try candidate.run() }
        }
        var baselineTimes: [Double] = []
        var ratios = [[Double]](repeating: [], count: candidates.count)
        var times = [[Double]](repeating: [], count: candidates.count)
        for round in 0..<Swift.max(1, rounds) {
            for (k, candidate) in candidates.enumerated() {
                let bare: Double
                let measured: Double
                if (round + k) % 2 == 0 {
                    bare = try time(baseline)
                    measured = try time(candidate.run)
                } else {
                    measured = try time(candidate.run)
                    bare = try time(baseline)
                }
                baselineTimes.append(bare)
                ratios[k].append(measured / bare)
                times[k].append(measured)
            }
        }
        return PairedTiming(
            rounds: Swift.max(1, rounds), baseline: Spread(baselineTimes),
            rows: candidates.indices.map { k in
                Row(name: candidates[k].name, ratio: Spread(ratios[k]), milliseconds: Spread(times[k]))
            })
    }
}
