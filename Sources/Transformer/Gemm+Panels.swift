// A register-blocked product against weights pre-packed as `PanelMatrix`, tokens in the vector lanes.
//
// Shapes: A [M, K] activations (tokens × inputs), W [K, N] packed as 6-output panels, C [M, N].
// The activations are transposed once per call into lane blocks Aᵀ [⌈M/16⌉][K][16] (16 tokens, zero lanes past
// M); each 6 × 16 tile of Cᵀ (6 outputs × 16 tokens) lives in 12 ymm accumulators (AVX2 + FMA): per inner index,
// two 8-float loads of the lane block, six broadcasts from the panel, twelve fused multiply-adds. The weight is
// read as one sequential stream, exactly once per call and lane block, and no token rows are wasted for M = 16.

import CBLAS

private typealias V8 = SIMD8<Float>

extension Gemm {
    /// What a panel product does with its result.
    package enum Epilogue {
        /// `C += A · W` (C holds the bias, or the residual plus bias).
        case accumulate
        /// `C = A · W + bias`, bias `[N]` (C's old contents ignored).
        case bias(UnsafePointer<Float>)
        /// `C += A · W + bias`: a residual connection with the layer's bias.
        case addBias(UnsafePointer<Float>)
        /// `C = activation(A · W + bias)`: the first linear of a feed-forward block in one pass over C.
        case biasActivation(UnsafePointer<Float>, Activation)

        /// The same epilogue for the columns from `column` on.
        func offset(by column: Int) -> Epilogue {
            switch self {
            case .accumulate: .accumulate
            case .bias(let bias): .bias(bias + column)
            case .addBias(let bias): .addBias(bias + column)
            case .biasActivation(let bias, let activation): .biasActivation(bias + column, activation)
            }
        }

        /// The epilogue of the inner chunk starting at `inner`: the bias goes in with the first, later chunks
        /// accumulate (`biasActivation` never runs chunked).
        func chunk(startingAt inner: Int) -> Epilogue { inner == 0 ? self : .accumulate }
    }

    /// Tokens per lane block (two 8-float vectors).
    static let laneTokens = 16
    /// How far ahead in the panel (floats) the kernel asks for lines.
    static let prefetchDistance = 512
    /// Inner indices per pass: the panels' chunk (`PanelMatrix.chunk`).
    static let innerChunk = PanelMatrix.chunk
    /// Bytes of panels walked together by every lane block (half of a 512 KB L2).
    static let groupBytes = 256 << 10

    /// `A[M, K] · W[K, N]` with W packed as panels, into C [M, N] as `epilogue` says (by default added to C, which
    /// holds the bias or the residual plus bias). Against OpenBLAS on the same products see `attend bench --products`
    /// (docs/benchmark.md): ahead at 16, 64 and 128 rows, level or ahead at 256.
    ///
    /// The inner dimension is walked in chunks of at most `innerChunk` (so the transposed activations of a chunk,
    /// ≤ 256 tokens × 384 × 4 bytes, stay in L2), the panels' own chunks: per chunk the panels are split over
    /// `workers` (each owns whole 6-column strips of C) and every worker walks its panels in order, in groups that
    /// fit L2, and for each group all lane blocks. A worker's panels of one chunk are one contiguous stream, read
    /// from memory once per call (a 64-row block of the 1536-input W₂ went from 66 to 93 GFLOP/s on one core when
    /// its chunks stopped being strided: `attend bench --products`).
    package static func panels(
        _ a: UnsafePointer<Float>, rows m: Int, lda: Int, weight w: PanelMatrix, into c: UnsafeMutablePointer<Float>,
        ldc: Int, workers: Int, epilogue: Epilogue = .accumulate
    ) {
        let k = w.inner
        if case .biasActivation(let bias, let activation) = epilogue, k > innerChunk {
            // Several inner chunks: C = bias, accumulate, then the activation as its own pass.
            for r in 0..<m { (c + r * ldc).update(from: bias, count: w.outputs) }
            panels(a, rows: m, lda: lda, weight: w, into: c, ldc: ldc, workers: workers)
            for r in 0..<m { Kernels.activate(c + r * ldc, count: w.outputs, activation: activation) }
            return
        }
        let blocks = (m + laneTokens - 1) / laneTokens
        let chunk = Swift.min(k, innerChunk)
        let parts = m * w.outputs * k < 1 << 16 ? 1 : workers
        // One worker: each chunk's Aᵀ is transposed just before it is used, into one chunk-sized buffer (L2-sized).
        // Several: every chunk's Aᵀ first, then one parallel section walks all chunks (one barrier, not one per chunk).
        let laneFloats = blocks * (parts == 1 ? chunk : k) * laneTokens
        let raw = UnsafeMutableRawPointer.allocate(
            byteCount: laneFloats * MemoryLayout<Float>.stride, alignment: 64)
        defer { raw.deallocate() }
        let lanes = raw.bindMemory(to: Float.self, capacity: laneFloats)  // Aᵀ chunks, each [blocks][kn][16]
        /// Aᵀ of the chunk k0..<k0+kn into `into` [blocks][kn][16].
        func transposeChunk(_ k0: Int, _ kn: Int, into chunkLanes: UnsafeMutablePointer<Float>) {
            for block in 0..<blocks {
                transpose(
                    a + block * laneTokens * lda + k0, rows: Swift.min(laneTokens, m - block * laneTokens), lda: lda,
                    inner: kn, into: chunkLanes + block * kn * laneTokens)
            }
        }
        /// The chunk k0..<k0+kn of the panels in `range`. Panels in groups of ≤ `groupBytes` (they stay in L2); per
        /// group every lane block (its Aᵀ chunk in L1) meets every panel of the group.
        func walk(_ k0: Int, _ kn: Int, _ chunkLanes: UnsafeMutablePointer<Float>, _ range: Range<Int>) {
            let group = Swift.max(1, groupBytes / (kn * PanelMatrix.width * MemoryLayout<Float>.stride))
            let chunkEpilogue = epilogue.chunk(startingAt: k0)
            var g0 = range.lowerBound
            while g0 < range.upperBound {
                let g1 = Swift.min(range.upperBound, g0 + group)
                for block in 0..<blocks {
                    let row = block * laneTokens
                    let rows = Swift.min(laneTokens, m - row)
                    let lane = chunkLanes + block * kn * laneTokens
                    for panel in g0..<g1 {
                        let column = panel * PanelMatrix.width
                        tile(
                            lane, w.panel(panel, chunkAt: k0), k: kn, c + row * ldc + column, ldc: ldc, rows: rows,
                            columns: Swift.min(PanelMatrix.width, w.outputs - column),
                            epilogue: chunkEpilogue.offset(by: column))
                    }
                }
                g0 = g1
            }
        }
        let starts = stride(from: 0, to: k, by: chunk)
        if parts == 1 {
            for k0 in starts {
                transposeChunk(k0, Swift.min(chunk, k - k0), into: lanes)
                walk(k0, Swift.min(chunk, k - k0), lanes, 0..<w.panels)
            }
        } else {
            for k0 in starts { transposeChunk(k0, Swift.min(chunk, k - k0), into: lanes + blocks * k0 * laneTokens) }
            Compute.parallelRanges(w.panels, parts: parts) { range in
                for k0 in starts { walk(k0, Swift.min(chunk, k - k0), lanes + blocks * k0 * laneTokens, range) }
            }
        }
    }

    /// `lanes[p][t] = a[t][p]` for t < rows, 0 for rows ≤ t < 16: one lane block of Aᵀ.
    @inline(__always)
    private static func transpose(
        _ a: UnsafePointer<Float>, rows: Int, lda: Int, inner k: Int, into lanes: UnsafeMutablePointer<Float>
    ) {
        if rows < laneTokens { lanes.initialize(repeating: 0, count: k * laneTokens) }
        // Sixteen rows read side by side, the lane block written in order.
        for t0 in stride(from: 0, to: rows, by: 4) {
            let r = Swift.min(4, rows - t0)
            let a0 = a + t0 * lda
            let a1 = a + (t0 + Swift.min(1, r - 1)) * lda
            let a2 = a + (t0 + Swift.min(2, r - 1)) * lda
            let a3 = a + (t0 + Swift.min(3, r - 1)) * lda
            var out = lanes + t0
            for p in 0..<k {
                // Rows past `rows` repeat the last row here and are zeroed below.
                UnsafeMutableRawPointer(out).storeBytes(of: SIMD4(a0[p], a1[p], a2[p], a3[p]), as: SIMD4<Float>.self)
                out += laneTokens
            }
            if r < 4 {
                for p in 0..<k {
                    for t in (t0 + r)..<(t0 + 4) { lanes[p * laneTokens + t] = 0 }
                }
            }
        }
    }

    /// The 6 × 16 register tile of Cᵀ: `C[t, j] += Σ_p A[t, p] · W[p, j]` for t < rows ≤ 16, j < columns ≤ 6.
    @inline(__always)
    private static func tile(
        _ lanes: UnsafePointer<Float>, _ b: UnsafePointer<Float>, k: Int, _ c: UnsafeMutablePointer<Float>,
        ldc: Int, rows: Int, columns: Int, epilogue: Epilogue
    ) {
        var s00 = V8.zero
        var s01 = V8.zero
        var s10 = V8.zero
        var s11 = V8.zero
        var s20 = V8.zero
        var s21 = V8.zero
        var s30 = V8.zero
        var s31 = V8.zero
        var s40 = V8.zero
        var s41 = V8.zero
        var s50 = V8.zero
        var s51 = V8.zero
        var ap = lanes
        var bp = b
        for _ in 0..<k {
            attend_prefetch(bp + prefetchDistance)
            let a0 = load(ap)
            let a1 = load(ap + 8)
            var x = V8(repeating: bp[0])
            s00 = s00.addingProduct(x, a0)
            s01 = s01.addingProduct(x, a1)
            x = V8(repeating: bp[1])
            s10 = s10.addingProduct(x, a0)
            s11 = s11.addingProduct(x, a1)
            x = V8(repeating: bp[2])
            s20 = s20.addingProduct(x, a0)
            s21 = s21.addingProduct(x, a1)
            x = V8(repeating: bp[3])
            s30 = s30.addingProduct(x, a0)
            s31 = s31.addingProduct(x, a1)
            x = V8(repeating: bp[4])
            s40 = s40.addingProduct(x, a0)
            s41 = s41.addingProduct(x, a1)
            x = V8(repeating: bp[5])
            s50 = s50.addingProduct(x, a0)
            s51 = s51.addingProduct(x, a1)
            ap += 16
            bp += 6
        }
        // Cᵀ tile [6][16] through a stack buffer, then added into C's rows.
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 96) { buffer in
            let t = buffer.baseAddress!
            store(s00, t)
            store(s01, t + 8)
            store(s10, t + 16)
            store(s11, t + 24)
            store(s20, t + 32)
            store(s21, t + 40)
            store(s30, t + 48)
            store(s31, t + 56)
            store(s40, t + 64)
            store(s41, t + 72)
            store(s50, t + 80)
            store(s51, t + 88)
            var write = false
            switch epilogue {
            case .accumulate:
                break
            case .bias(let bias), .addBias(let bias):
                for j in 0..<columns {
                    let lane = t + j * 16
                    lane.setVec(0, lane.vec(0) + Vec(repeating: bias[j]))
                }
                if case .bias = epilogue { write = true }
            case .biasActivation(let bias, let activation):
                // Output j's 16 tokens are one vector: add b_j and activate it.
                for j in 0..<columns {
                    let lane = t + j * 16
                    lane.setVec(0, lane.vec(0) + Vec(repeating: bias[j]))
                    Kernels.activate(lane, count: 16, activation: activation)
                }
                write = true
            }
            if write {
                for r in 0..<rows {
                    for j in 0..<columns { c[r * ldc + j] = t[j * 16 + r] }
                }
            } else if columns == 6 {
                for r in 0..<rows {
                    let row = c + r * ldc
                    row[0] += t[r]
                    row[1] += t[16 + r]
                    row[2] += t[32 + r]
                    row[3] += t[48 + r]
                    row[4] += t[64 + r]
                    row[5] += t[80 + r]
                }
            } else {
                for r in 0..<rows {
                    for j in 0..<columns { c[r * ldc + j] += t[j * 16 + r] }
                }
            }
        }
    }

    @inline(__always)
    private static func load(_ p: UnsafePointer<Float>) -> V8 {
        UnsafeRawPointer(p).loadUnaligned(as: V8.self)
    }

    @inline(__always)
    private static func load(_ p: UnsafeMutablePointer<Float>) -> V8 {
        UnsafeRawPointer(p).loadUnaligned(as: V8.self)
    }

    @inline(__always)
    private static func store(_ v: V8, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: V8.self)
    }
}
