import Foundation
import Transformer

// Shape legend: see Encoder.swift (L layers, H heads, n tokens).
// Public API only (AttentionAnalysis, Tensor, Compute), so this file can move to a benchmark target as it is.

extension EncoderBenchmark {
    /// Thread-CPU milliseconds of the attention analysis at one shape, before (the former `Double` scalar loops,
    /// kept here as the reference) and after (float32: sgemm products, SIMD loops); the best of `repeats`.
    public struct AnalysisCosts: Sendable, Equatable {
        /// Tokens, layers and heads of the maps.
        public var n: Int
        public var layers: Int
        public var heads: Int
        /// Rollout over L `[H, n, n]` maps in `Double` scalar loops (the code before float32).
        public var rolloutDoubleMilliseconds: Double
        /// ``AttentionAnalysis/rollout(_:)`` over the same L `[H, n, n]` maps.
        public var rolloutMilliseconds: Double
        /// ``AttentionAnalysis/rollout(_:)`` over L `[n, n]` head means (``KeptOutputs/headMeanLayers``).
        public var rolloutFromMeansMilliseconds: Double
        /// The entropy of one `[H, n, n]` map in `Double` with a libm `log` per element (before).
        public var entropyDoubleMilliseconds: Double
        /// ``AttentionAnalysis/entropy(_:)`` of the same map.
        public var entropyMilliseconds: Double
        /// Largest |after − before| over the rollout's elements.
        public var rolloutDeviation: Double

        /// A text table.
        public var table: String {
            func ms(_ value: Double) -> String { String(format: "%.2f ms", value) }
            return [
                "attention analysis, n=\(n) L=\(layers) H=\(heads) (thread CPU, best of runs):",
                "  rollout from maps:  Double \(ms(rolloutDoubleMilliseconds)) -> sgemm \(ms(rolloutMilliseconds))"
                    + String(format: " (%.1fx; max deviation %.1e)", speedup, rolloutDeviation),
                "  rollout from means: sgemm \(ms(rolloutFromMeansMilliseconds))",
                "  entropy of 1 layer: Double \(ms(entropyDoubleMilliseconds)) -> SIMD \(ms(entropyMilliseconds))",
            ].joined(separator: "\n")
        }

        /// rolloutDoubleMilliseconds / rolloutMilliseconds.
        public var speedup: Double { rolloutDoubleMilliseconds / rolloutMilliseconds }
    }

    /// Times attention rollout and entropy on deterministic random row-stochastic maps of `layers` × `[heads, n, n]`
    /// (the figure: n = 512, L = 6; MiniLM has 12 heads). Single-threaded (OpenBLAS runs one thread per
    /// call, ``Compute``).
    public static func analysisCosts(n: Int = 512, layers: Int = 6, heads: Int = 12, repeats: Int = 3)
        -> AnalysisCosts
    {
        _ = Compute.threads  // pins OpenBLAS to one thread per call
        let maps = (0..<layers).map { l in
            var storage = (0..<(heads * n * n)).map { analysisUnit(l * heads * n * n + $0) + 1e-3 }
            for row in 0..<(heads * n) {
                var sum: Float = 0
                for j in 0..<n { sum += storage[row * n + j] }
                for j in 0..<n { storage[row * n + j] /= sum }
            }
            return Tensor(shape: [heads, n, n], storage: storage)
        }
        let means = maps.map { map in
            Tensor(
                shape: [n, n],
                storage: (0..<(n * n)).map { i in
                    (0..<heads).reduce(Float(0)) { $0 + map.storage[$1 * n * n + i] } / Float(heads)
                })
        }
        func best(_ body: () -> Void) -> Double {
            var fastest = Double.infinity
            for _ in 0..<Swift.max(1, repeats) {
                let start = analysisThreadTime()
                body()
                fastest = Swift.min(fastest, analysisThreadTime() - start)
            }
            return fastest * 1000
        }
        var before: [Double] = []
        var after = Tensor(zeros: [0, 0])
        let rolloutDouble = best { before = doubleRollout(maps) }
        let rollout = best { after = AttentionAnalysis.rollout(maps) }
        let fromMeans = best { _ = AttentionAnalysis.rollout(means) }
        let entropyDouble = best { _ = doubleEntropy(maps[0]) }
        let entropy = best { _ = AttentionAnalysis.entropy(maps[0]) }
        let deviation = zip(after.storage, before).reduce(0.0) { Swift.max($0, abs(Double($1.0) - $1.1)) }
        return AnalysisCosts(
            n: n, layers: layers, heads: heads, rolloutDoubleMilliseconds: rolloutDouble,
            rolloutMilliseconds: rollout, rolloutFromMeansMilliseconds: fromMeans,
            entropyDoubleMilliseconds: entropyDouble, entropyMilliseconds: entropy, rolloutDeviation: deviation)
    }
}

/// A deterministic pseudo-random value in [0, 1) for index `i` (a multiplicative hash).
private func analysisUnit(_ i: Int) -> Float {
    var z = UInt64(i) &* 0x9E37_79B9_7F4A_7C15
    z = (z ^ (z >> 31)) &* 0xBF58_476D_1CE5_E9B9
    return Float(z >> 40) * 0x1p-24
}

/// This thread's CPU time in seconds.
private func analysisThreadTime() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
}

/// Rollout as `AttentionAnalysis` computed it before float32: mean over heads + I, row-normalised, then
/// `R = Â · R` in `Double` scalar loops (O(L·n³)).
private func doubleRollout(_ maps: [Tensor]) -> [Double] {
    let n = maps[0].shape[1]
    var result = [Double](repeating: 0, count: n * n)
    for i in 0..<n { result[i * n + i] = 1 }
    var layer = [Double](repeating: 0, count: n * n)
    var product = [Double](repeating: 0, count: n * n)
    for map in maps {
        let heads = map.shape[0]
        let scale = 1 / Double(heads)
        map.storage.withUnsafeBufferPointer { p in
            for i in 0..<n {
                var rowSum = 0.0
                for j in 0..<n {
                    var sum = 0.0
                    for h in 0..<heads { sum += Double(p[(h * n + i) * n + j]) }
                    let value = sum * scale + (i == j ? 1 : 0)
                    layer[i * n + j] = value
                    rowSum += value
                }
                if rowSum > 0 {
                    for j in 0..<n { layer[i * n + j] /= rowSum }
                }
            }
        }
        layer.withUnsafeBufferPointer { a in
            result.withUnsafeBufferPointer { b in
                product.withUnsafeMutableBufferPointer { out in
                    for i in 0..<n {
                        for j in 0..<n { out[i * n + j] = 0 }
                        for k in 0..<n {
                            let aik = a[i * n + k]
                            if aik == 0 { continue }
                            for j in 0..<n { out[i * n + j] += aik * b[k * n + j] }
                        }
                    }
                }
            }
        }
        swap(&result, &product)
    }
    return result
}

/// Entropy as `AttentionAnalysis` computed it before float32: `Double` accumulation, libm `log` per element.
private func doubleEntropy(_ map: Tensor) -> [Float] {
    let heads = map.shape[0]
    let n = map.shape[1]
    return map.storage.withUnsafeBufferPointer { p in
        (0..<heads).map { h in
            var total = 0.0
            for i in 0..<(n * n) {
                let value = Double(p[h * n * n + i])
                if value > 0 { total -= value * Foundation.log(value) }
            }
            return Float(total / Double(n))
        }
    }
}
