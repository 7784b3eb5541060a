/// A cumulative Prometheus histogram: fixed upper bounds, counts, sum.
struct Histogram {
    let bounds: [Double]
    var counts: [UInt64]
    var sum: Double = 0
    var total: UInt64 = 0

    init(bounds: [Double]) {
        self.bounds = bounds
        self.counts = Array(repeating: 0, count: bounds.count)
    }

    mutating func observe(_ value: Double) {
        for (i, bound) in bounds.enumerated() where value <= bound { counts[i] += 1 }
        sum += value
        total += 1
    }

    func render(name: String, labels: String, into out: inout String) {
        let prefix = labels.isEmpty ? "" : labels + ","
        for (bound, count) in zip(bounds, counts) {
            out += "\(name)_bucket{\(prefix)le=\"\(Metrics.format(bound))\"} \(count)\n"
        }
        out += "\(name)_bucket{\(prefix)le=\"+Inf\"} \(total)\n"
        let suffix = labels.isEmpty ? "" : "{\(labels)}"
        out += "\(name)_sum\(suffix) \(Metrics.format(sum))\n"
        out += "\(name)_count\(suffix) \(total)\n"
    }
}
