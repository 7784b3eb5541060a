/// A Prometheus histogram: fixed upper bounds, a count per bucket (the values above the previous bound and up to
/// its own), sum and total; rendered cumulative.
struct Histogram {
    let bounds: [Double]
    /// `counts[i]`: the values in `(bounds[i - 1], bounds[i]]`; values above the last bound only count in `total`.
    var counts: [UInt64]
    var sum: Double = 0
    var total: UInt64 = 0

    init(bounds: [Double]) {
        self.bounds = bounds
        self.counts = Array(repeating: 0, count: bounds.count)
    }

    mutating func observe(_ value: Double) {
        if let i = bounds.firstIndex(where: { value <= $0 }) { counts[i] += 1 }
        sum += value
        total += 1
    }

    /// This histogram's counts plus `other`'s (same bounds).
    func merged(_ other: Histogram) -> Histogram {
        var result = self
        for i in result.counts.indices where i < other.counts.count { result.counts[i] += other.counts[i] }
        result.sum += other.sum
        result.total += other.total
        return result
    }

    func render(name: String, labels: String, into out: inout String) {
        let prefix = labels.isEmpty ? "" : labels + ","
        var cumulative: UInt64 = 0
        for (bound, count) in zip(bounds, counts) {
            cumulative += count
            out += "\(name)_bucket{\(prefix)le=\"\(Metrics.format(bound))\"} \(cumulative)\n"
        }
        out += "\(name)_bucket{\(prefix)le=\"+Inf\"} \(total)\n"
        let suffix = labels.isEmpty ? "" : "{\(labels)}"
        out += "\(name)_sum\(suffix) \(Metrics.format(sum))\n"
        out += "\(name)_count\(suffix) \(total)\n"
    }
}
