/// The internals of Transformer that the Benchmarks target (`attend bench`) times or reuses, opened at `package`
/// access so that they stay out of the public API: the vector kernels of the forward pass, the worker split of
/// ``Compute``, and the deterministic generator the benchmarks draw their inputs from.
package enum BenchmarkHooks {
    /// The element-wise vector functions of the forward pass.
    package enum Elementwise: String, CaseIterable, Sendable {
        case exp, erf, gelu
        case geluTanh = "gelu_tanh"
    }

    /// `output[i] = f(input[i])` for `i < count` (a multiple of 16), 16 lanes at a time, as the forward pass runs `f`.
    package static func apply(
        _ function: Elementwise, _ input: UnsafeMutablePointer<Float>, into output: UnsafeMutablePointer<Float>,
        count: Int
    ) {
        switch function {
        case .exp: map(input, output, count, VectorMath.exp)
        case .erf: map(input, output, count, VectorMath.erf)
        case .gelu: map(input, output, count, VectorMath.gelu)
        case .geluTanh: map(input, output, count, VectorMath.geluTanh)
        }
    }

    @inline(__always)
    private static func map(
        _ input: UnsafeMutablePointer<Float>, _ output: UnsafeMutablePointer<Float>, _ count: Int,
        _ function: (Vec) -> Vec
    ) {
        var j = 0
        while j < count {
            output.setVec(j, function(input.vec(j)))
            j += Vec.scalarCount
        }
    }

    /// The attention softmax over each `width`-float row of `scores` (`count` floats, `width` a multiple of 16, no
    /// pad keys), into the same rows of `output`; `scores` is overwritten with the exponentials.
    package static func softmaxRows(
        _ scores: UnsafeMutablePointer<Float>, count: Int, width: Int, into output: UnsafeMutablePointer<Float>
    ) {
        for r in stride(from: 0, to: count - width + 1, by: width) {
            Kernels.softmax(scores: scores + r, count: width, paddedCount: width, into: output + r)
        }
    }

    /// LayerNorm in place over each whole `gamma.count`-float row of the `count` floats at `rows`.
    package static func layerNormRows(
        _ rows: UnsafeMutablePointer<Float>, count: Int, gamma: [Float], beta: [Float], epsilon: Float
    ) {
        let width = gamma.count
        precondition(width > 0 && beta.count == width, "LayerNorm rows need matching γ and β")
        for r in stride(from: 0, to: count - width + 1, by: width) {
            Kernels.layerNorm(rows + r, count: width, gamma: gamma, beta: beta, epsilon: epsilon)
        }
    }

    /// ``Compute``'s split of `0..<count` into `parts` contiguous ranges aligned to `granule`, run in parallel on
    /// the encoder's workers.
    package static func parallelRanges(
        _ count: Int, parts: Int, granule: Int = 1, _ body: (Range<Int>) -> Void
    ) {
        Compute.parallelRanges(count, parts: parts, granule: granule, body)
    }

    /// The encoder's SplitMix64 generator: the same sequence for a seed on every run and machine.
    package struct Random {
        private var generator: SplitMix64

        /// A generator started at `seed`.
        package init(seed: UInt64) { generator = SplitMix64(seed: seed) }

        /// The next 64 random bits.
        package mutating func next() -> UInt64 { generator.next() }
    }
}
