import Foundation
import Transformer

/// Measures an encoder's speed at fixed batch × length shapes, with and without attention maps, against the
/// sgemm rate this machine reaches on the same threading path.
public enum EncoderBenchmark {
    /// One measured shape.
    public struct Row: Sendable, Equatable {
        /// Sequences per pass.
        public var batch: Int
        /// Tokens per sequence.
        public var length: Int
        /// Whether every layer's attention maps were kept.
        public var maps: Bool
        /// Median wall time of one forward pass, in milliseconds.
        public var millisecondsPerPass: Double
        /// batch × length / seconds per pass.
        public var tokensPerSecond: Double
        /// Matrix-product FLOPs (``Encoder/flops(lengths:)``) / seconds per pass, in GFLOP/s.
        public var gigaflopsPerSecond: Double
        /// `gigaflopsPerSecond` / the measured sgemm peak.
        public var peakShare: Double
        /// Median process CPU time of one pass (all threads), in milliseconds: with other processes on the cores,
        /// wall time grows but this barely does, so it tells the encoder's own cost apart from the machine's load.
        public var cpuMillisecondsPerPass: Double
        /// The fastest pass, in milliseconds: what the code can do when the shared machine lets it.
        public var bestMillisecondsPerPass: Double
        /// Passes timed.
        public var passes: Int
    }

    /// A full benchmark run.
    public struct Report: Sendable, Equatable {
        /// The measured sgemm rate (GFLOP/s) of a large square product split over `threads` workers.
        public var peakGigaflopsPerSecond: Double
        /// Worker threads used (``Compute/threads``).
        public var threads: Int
        /// One row per shape and maps setting.
        public var rows: [Row]

        /// A fixed-width text table.
        public var table: String {
            var lines = [
                "sgemm peak: \(format(peakGigaflopsPerSecond, 1)) GFLOP/s on \(threads) thread(s)",
                pad("shape", 10) + pad("maps", 6) + pad("ms/pass", 11) + pad("tokens/s", 11) + pad("GFLOP/s", 10)
                    + pad("of peak", 10) + pad("CPU ms", 11) + "best ms",
            ]
            for r in rows {
                lines.append(
                    pad("\(r.batch)x\(r.length)", 10) + pad(r.maps ? "yes" : "no", 6)
                        + pad(format(r.millisecondsPerPass, 3), 11) + pad(format(r.tokensPerSecond, 0), 11)
                        + pad(format(r.gigaflopsPerSecond, 1), 10) + pad(format(r.peakShare * 100, 1) + " %", 10)
                        + pad(format(r.cpuMillisecondsPerPass, 3), 11) + format(r.bestMillisecondsPerPass, 3))
            }
            return lines.joined(separator: "\n")
        }
    }

    /// The shapes: 1×16, 1×128, 32×128.
    public static let standardShapes: [(batch: Int, length: Int)] = [(1, 16), (1, 128), (32, 128)]

    /// Times `encoder` on each shape with and without maps: one warm-up pass, then passes until `seconds` have
    /// elapsed (at least 3, at most `maxPasses`). Token ids are deterministic pseudo-random in-vocabulary ids.
    public static func run(
        _ encoder: Encoder, shapes: [(batch: Int, length: Int)] = standardShapes, seconds: Double = 2,
        maxPasses: Int = 1000
    ) throws(TransformerError) -> Report {
        let peak = measurePeak()
        var rows: [Row] = []
        let c = encoder.configuration
        var generator = BenchmarkHooks.Random(seed: 2024)
        for shape in shapes {
            let length = Swift.min(shape.length, c.maxPositions)
            let inputs = (0..<shape.batch).map { _ in
                EncoderInput(ids: (0..<length).map { _ in Int32(generator.next() % UInt64(c.vocabularySize)) })
            }
            let flops = encoder.flops(lengths: inputs.map(\.ids.count))
            for maps in [false, true] {
                let options = ForwardOptions(attentionLayers: maps ? Set(0..<c.layers) : [])
                _ = try encoder.forward(inputs, options: options)
                var times: [Double] = []
                var cpuTimes: [Double] = []
                var elapsed = 0.0
                while times.count < maxPasses && (times.count < 3 || elapsed < seconds) {
                    let cpuStart = processCPUTime()
                    let start = ContinuousClock.now
                    _ = try encoder.forward(inputs, options: options)
                    let t = Self.seconds(ContinuousClock.now - start)
                    cpuTimes.append(processCPUTime() - cpuStart)
                    times.append(t)
                    elapsed += t
                }
                times.sort()
                cpuTimes.sort()
                let median = times[times.count / 2]
                rows.append(
                    Row(
                        batch: shape.batch, length: length, maps: maps, millisecondsPerPass: median * 1000,
                        tokensPerSecond: Double(shape.batch * length) / median,
                        gigaflopsPerSecond: flops / median / 1e9, peakShare: flops / median / 1e9 / peak,
                        cpuMillisecondsPerPass: cpuTimes[cpuTimes.count / 2] * 1000,
                        bestMillisecondsPerPass: times[0] * 1000, passes: times.count))
            }
        }
        return Report(peakGigaflopsPerSecond: peak, threads: Compute.threads, rows: rows)
    }

    /// GFLOP/s of C[n, n] += A[n, n]·B[n, n] through the encoder's own sgemm path (``Compute/threads`` workers,
    /// each a single-threaded OpenBLAS call); best of `repeats`.
    public static func measurePeak(size n: Int = 1536, repeats: Int = 10) -> Double {
        let a = UnsafeMutablePointer<Float>.allocate(capacity: n * n)
        let b = UnsafeMutablePointer<Float>.allocate(capacity: n * n)
        let c = UnsafeMutablePointer<Float>.allocate(capacity: n * n)
        defer {
            a.deallocate()
            b.deallocate()
            c.deallocate()
        }
        c.initialize(repeating: 0, count: n * n)
        for i in 0..<(n * n) {
            a[i] = Float(i % 17) * 0.01
            b[i] = Float(i % 13) * 0.01
        }
        let workers = Compute.threads
        Gemm.linear(a, rows: n, inner: n, weight: b, outputs: n, into: c, workers: workers)
        var best = Double.infinity
        for _ in 0..<repeats {
            let start = ContinuousClock.now
            Gemm.linear(a, rows: n, inner: n, weight: b, outputs: n, into: c, workers: workers)
            best = Swift.min(best, seconds(ContinuousClock.now - start))
        }
        return 2 * Double(n) * Double(n) * Double(n) / best / 1e9
    }

    private static func seconds(_ d: Duration) -> Double {
        let parts = d.components
        return Double(parts.seconds) + Double(parts.attoseconds) * 1e-18
    }
}

private func format(_ value: Double, _ decimals: Int) -> String {
    var scale = 1.0
    for _ in 0..<decimals { scale *= 10 }
    let rounded = (value * scale).rounded() / scale
    var text = "\(rounded)"
    if decimals == 0, text.hasSuffix(".0") { text.removeLast(2) }
    if decimals > 0 {
        let fraction = text.split(separator: ".").last.map(String.init) ?? ""
        if !text.contains(".") { text += "." }
        text += String(repeating: "0", count: Swift.max(0, decimals - fraction.count))
    }
    return text
}

private func pad(_ text: String, _ width: Int) -> String {
    text + String(repeating: " ", count: Swift.max(1, width - text.count))
}

extension EncoderBenchmark {
    /// Thread-CPU nanoseconds per element of the vector kernels over a `count`-float buffer (robust to other
    /// processes sharing the cores, unlike wall time). Keys: exp, erf, gelu, gelu_tanh, softmax, layerNorm.
    public static func kernelCosts(count: Int = 1 << 16, repeats: Int = 50) -> [(name: String, nanoseconds: Double)] {
        let buffer = UnsafeMutablePointer<Float>.allocate(capacity: count)
        let out = UnsafeMutablePointer<Float>.allocate(capacity: count)
        let gamma = [Float](repeating: 1, count: 384)
        let beta = [Float](repeating: 0, count: 384)
        defer {
            buffer.deallocate()
            out.deallocate()
        }
        func reset() {
            for i in 0..<count { buffer[i] = Float(i % 1000) * 0.01 - 5 }
        }
        func measure(_ name: String, _ body: () -> Void) -> (name: String, nanoseconds: Double) {
            reset()
            body()
            var best = Double.infinity
            for _ in 0..<5 {
                reset()
                let start = threadCPUTime()
                for _ in 0..<repeats { body() }
                best = Swift.min(best, threadCPUTime() - start)
            }
            return (name, best * 1e9 / Double(repeats * count))
        }
        var rows: [(name: String, nanoseconds: Double)] = BenchmarkHooks.Elementwise.allCases.map { function in
            measure(function.rawValue) { BenchmarkHooks.apply(function, buffer, into: out, count: count) }
        }
        rows.append(
            measure("softmax(128)") { BenchmarkHooks.softmaxRows(buffer, count: count, width: 128, into: out) })
        rows.append(
            measure("layerNorm(384)") {
                BenchmarkHooks.layerNormRows(buffer, count: count, gamma: gamma, beta: beta, epsilon: 1e-12)
            })
        return rows
    }

    /// This process's CPU time (all threads) in seconds.
    static func processCPUTime() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
    }

    /// This thread's CPU time in seconds.
    static func threadCPUTime() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
    }
}
