extension Encoder {
    /// Pools an [n, d] hidden state into [d]: mean over rows, the first row (CLS), the last row, or the element-wise
    /// max; then optionally divides by max(‖v‖₂, 1e-12) (PyTorch's `F.normalize`).
    public static func pool(_ hidden: Tensor, _ pooling: Pooling, normalize: Bool) -> [Float]? {
        guard hidden.shape.count == 2, hidden.shape[0] > 0 else { return nil }
        let n = hidden.shape[0]
        let d = hidden.shape[1]
        var v: [Float]
        switch pooling {
        case .none:
            return nil
        case .cls:
            v = Array(hidden.storage[0..<d])
        case .last:
            v = Array(hidden.storage[(n - 1) * d..<n * d])
        case .mean:
            v = [Float](repeating: 0, count: d)
            var sums = [Double](repeating: 0, count: d)
            for i in 0..<n {
                for j in 0..<d { sums[j] += Double(hidden.storage[i * d + j]) }
            }
            for j in 0..<d { v[j] = Float(sums[j] / Double(n)) }
        case .max:
            v = Array(hidden.storage[0..<d])
            for i in 1..<n {
                for j in 0..<d { v[j] = Swift.max(v[j], hidden.storage[i * d + j]) }
            }
        }
        if normalize {
            let norm = Float(v.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot())
            let divisor = Swift.max(norm, 1e-12)
            for j in 0..<d { v[j] /= divisor }
        }
        return v
    }
}
