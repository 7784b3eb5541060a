// Multi-head attention of one layer. Shape legend: see Encoder.swift (B, n_b, T = Σ n_b, d, H, dh, n̂).

import CBLAS

extension Encoder {
    /// Layer l's multi-head attention for every (sequence, head) pair: ctx [T, d] from qkv [T, 3d].
    ///
    /// For sequence b (rows o_b..<o_b+n of qkv) and head h:
    ///   S [n, n̂]  = Q_h [n, dh] · K_hᵀ [dh, n̂] / √dh, pad columns n..<n̂ = −∞
    ///   P [n, n]  = softmax rows of S, over S in place in the worker's scores block (causal: S[i, j] = −∞ for
    ///               j > i first, so P is lower-triangular with exact zeros above the diagonal; a local layer:
    ///               S[i, j] = −∞ for |i − j| > window, `Encoder+Masks.swift`)
    ///   ctx[o_b..., h·dh...] [n, dh] = P · V_h [n, dh]
    /// With dh a multiple of 16 both products run in 6 × 16 register tiles straight off qkv (only K_h is
    /// transposed, into Kᵀ [dh, n̂] with zero pad columns); otherwise through OpenBLAS.
    ///
    /// What sequence b keeps of layer l (``KeptSelection``) is taken from P while it is in the scores block: a kept
    /// head's map rows are streamed into `maps[b]` ([h, n, n], no copy for a head not kept), every head's P is
    /// summed into the mean `means[b]` ([n, n]), and a kept head's row entropies come out of its softmax into
    /// `entropies[b]` ([h]). Sequences that keep nothing of layer l run as (b, h) items spread over the workers in
    /// one section. Each sequence that keeps something runs in a section of its own, its query rows split over the
    /// workers in multiples of 8 and each worker walking all H heads over its rows: a row's head sum is added by
    /// one worker in head order (no scratch, no reduction), and every row's values are the same whatever the split.
    ///
    /// `sequences` limits the call to those sequences (nil: all). With `handover`, that sequence's P is also written
    /// transposed into `handover.weights` as αᵀ [n, H, n̂] (key j, head h, query i at (j·H + h)·n̂ + i; lanes i ≥ n
    /// untouched) for its token contributions (README "Token contributions").
    func attention(
        layer l: Int, plan: BatchPlan, ws: Workspace, keep: [KeptSelection], maps: inout [[[Float]]],
        means: inout [[[Float]]], entropies: inout [[[Float]]], workers: Int, sequences: [Int]? = nil,
        handover: (sequence: Int, weights: UnsafeMutablePointer<Float>)? = nil
    ) {
        let c = configuration
        let d = c.hiddenSize
        let heads = c.heads
        let dh = d / heads
        let scale = 1 / Float(dh).squareRoot()
        let qkv = ws.qkv
        let context = ws.context
        let tiled = dh % 16 == 0
        let window = window(layer: l)
        let longest = ((plan.lengths.max() ?? 0) + 15) & ~15
        /// Runs `body` with worker `worker`'s scores block and tile scratch: spill [96], Kᵀ [dh, n̂], V_h [n, dh].
        func withScratch(_ worker: Int, _ body: (UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>) -> Void) {
            withUnsafeTemporaryAllocation(of: Float.self, capacity: Self.attentionScratch(dh: dh, longest: longest)) {
                body(ws.scores + worker * ws.scoresPerWorker, $0.baseAddress!)
            }
        }
        /// Query rows `rows` (r0..<r1) of head h of sequence b: P [r1 − r0, n̂] stays in `scores` (row i at
        /// (i − r0) · n̂) and ctx's rows are written; with `entropy` [n], row i's entropy goes to entropy[i].
        func head(
            _ b: Int, _ h: Int, rows: Range<Int>, entropy: UnsafeMutablePointer<Float>?,
            scores: UnsafeMutablePointer<Float>, scratch spill: UnsafeMutablePointer<Float>
        ) {
            let keys = spill + 96  // Kᵀ [dh, n̂]
            let values = keys + dh * longest  // V_h [n, dh], rows contiguous
            let n = plan.lengths[b]
            let padded = (n + 15) & ~15
            let r0 = rows.lowerBound
            let m = rows.count
            let q = qkv + plan.offsets[b] * 3 * d + h * dh  // [n, dh], row stride 3d
            let k = q + d
            let v = q + 2 * d
            let out = context + plan.offsets[b] * d + h * dh  // [n, dh], row stride d
            // S [m, n̂] = Q_h[r0..<r1] · Kᵀ · scale
            if tiled {
                Self.transposeKeys(k, stride: 3 * d, count: n, width: dh, into: keys, padded: padded)
                var i0 = 0
                while i0 < m {
                    var j0 = 0
                    while j0 < padded {
                        Gemm.tile6x16(
                            q + (r0 + i0) * 3 * d, lda: 3 * d, rows: Swift.min(6, m - i0), keys + j0, ldb: padded,
                            k: dh, scores + i0 * padded + j0, ldc: padded, scale: scale, spill: spill)
                        j0 += 16
                    }
                    i0 += 6
                }
            } else {
                Gemm.abT(
                    q + r0 * 3 * d, lda: 3 * d, k, ldb: 3 * d, m: m, n: n, k: dh, alpha: scale, into: scores,
                    ldc: padded)
            }
            // P [m, n̂] = softmax rows of S, in place (pad columns come out 0; so do masked keys: causal, local).
            for i in 0..<m {
                let row = scores + i * padded
                let visible = visibleKeys(query: r0 + i, length: n, window: window)
                for j in 0..<visible.lowerBound { row[j] = -.infinity }
                for j in visible.upperBound..<padded { row[j] = -.infinity }
                let e = Kernels.softmax(scores: row, count: n, paddedCount: padded, into: row, entropy: entropy != nil)
                entropy?[r0 + i] = e
            }
            if let handover, handover.sequence == b {
                Self.transpose(
                    scores, ld: padded, rows: m, columns: n, into: handover.weights + h * padded + r0,
                    ld: heads * padded)
            }
            // An ablated head (EncoderInput.ablatedHeads): ctx[r0..<r1] = 0, P kept as computed.
            if plan.isAblated(b, layer: l, head: h) {
                for i in rows { (out + i * d).update(repeating: 0, count: dh) }
                return
            }
            // ctx[r0..<r1] [m, dh] = P · V_h
            let p = scores
            let ldp = padded
            if tiled {
                // V_h's rows lie 3d floats apart in qkv, which maps them onto a few L1 sets: copy them together.
                for j in 0..<n { (values + j * dh).update(from: v + j * 3 * d, count: dh) }
                var i0 = 0
                while i0 < m {
                    var e0 = 0
                    while e0 < dh {
                        Gemm.tile6x16(
                            p + i0 * ldp, lda: ldp, rows: Swift.min(6, m - i0), values + e0, ldb: dh, k: n,
                            out + (r0 + i0) * d + e0, ldc: d, scale: 1, spill: spill)
                        e0 += 16
                    }
                    i0 += 6
                }
            } else {
                Gemm.ab(p, lda: ldp, v, ldb: 3 * d, m: m, n: dh, k: n, into: out + r0 * d, ldc: d)
            }
        }

        // Sequences that keep nothing of this layer: (b, h) items over the workers, one section.
        let selected = sequences ?? Array(0..<plan.count)
        let plain = selected.filter { !keep[$0].keepsAttention(of: l) }
        if !plain.isEmpty {
            let items = plain.count * heads
            plain.withUnsafeBufferPointer { plain in
                Compute.parallel(Swift.min(workers, items)) { worker in
                    withScratch(worker) { scores, scratch in
                        var item = worker
                        while item < items {
                            let b = plain[item / heads]
                            head(
                                b, item % heads, rows: 0..<plan.lengths[b], entropy: nil, scores: scores,
                                scratch: scratch)
                            item += workers
                        }
                    }
                }
            }
        }
        if plain.count == selected.count { return }

        // Sequences that keep something: one section each, query rows over the workers, all heads per worker.
        // Row entropies [h, n] of the sequence in hand, summed in row order after its section.
        var rowEntropies = [Float](repeating: 0, count: keep.contains { $0.entropySlots[l] >= 0 } ? heads * longest : 0)
        rowEntropies.withUnsafeMutableBufferPointer { rowEntropies in
            for b in selected where keep[b].keepsAttention(of: l) {
                let selection = keep[b]
                let n = plan.lengths[b]
                let padded = (n + 15) & ~15
                let entropySlot = selection.entropySlots[l]
                let rowEntropy = entropySlot >= 0 ? rowEntropies.baseAddress : nil  // [h, n]
                Self.withSlot(&maps[b], selection.mapSlots[l]) { map in  // [h, n, n]
                    Self.withSlot(&means[b], selection.meanSlots[l]) { mean in  // [n, n]
                        // Rows in multiples of 8 (each row's values are the same whatever the split): shares as
                        // even as that allows, and whole 32-byte runs of αᵀ per worker in the handover's stores.
                        Compute.parallelShares(n, parts: workers, granule: 8) { worker, rows in
                            withScratch(worker) { scores, scratch in
                                for h in 0..<heads {
                                    let slot = selection.headSlots[h]
                                    head(
                                        b, h, rows: rows, entropy: slot >= 0 ? rowEntropy.map { $0 + slot * n } : nil,
                                        scores: scores, scratch: scratch)
                                    if let map, slot >= 0 {
                                        // The kept map's rows: written once, read after the pass, so streamed past
                                        // the caches.
                                        let base = map + slot * n * n
                                        for i in rows {
                                            attend_stream_copy(base + i * n, scores + (i - rows.lowerBound) * padded, n)
                                        }
                                    }
                                    if let mean {
                                        // mean[i] = (P_0[i] + … + P_{H−1}[i]) / H, summed head by head.
                                        let last: Float = h == heads - 1 ? 1 / Float(heads) : 1
                                        for i in rows {
                                            Kernels.accumulate(
                                                scores + (i - rows.lowerBound) * padded, into: mean + i * n,
                                                count: n, first: h == 0, scale: last)
                                        }
                                    }
                                }
                                if map != nil { attend_stream_fence() }
                            }
                        }
                    }
                }
                if entropySlot >= 0, let rowEntropy {
                    for slot in selection.heads.indices {
                        var total = 0.0
                        for i in 0..<n { total += Double(rowEntropy[slot * n + i]) }
                        entropies[b][entropySlot][slot] = Float(total / Double(n))
                    }
                }
            }
        }
    }

    /// Floats of one worker's attention scratch (spill [96], Kᵀ [dh, n̂], V_h [n, dh]) for sequences padded to
    /// `longest` tokens.
    static func attentionScratch(dh: Int, longest: Int) -> Int {
        dh % 16 == 0 ? 2 * dh * longest + 96 : 96
    }

    /// Runs `body` with `arrays[slot]`'s storage borrowed in place, or with nil when `slot` is −1.
    @inline(__always)
    private static func withSlot(
        _ arrays: inout [[Float]], _ slot: Int, _ body: (UnsafeMutablePointer<Float>?) -> Void
    ) {
        if slot < 0 {
            body(nil)
        } else {
            arrays[slot].withUnsafeMutableBufferPointer { body($0.baseAddress) }
        }
    }

    /// `keys[e, j] = k[j, e]` for j < count, 0 for count ≤ j < padded: Kᵀ [width, padded] from K's rows (`stride`
    /// floats apart), eight keys per 32-byte store.
    @inline(__always)
    static func transposeKeys(
        _ k: UnsafePointer<Float>, stride: Int, count n: Int, width: Int, into keys: UnsafeMutablePointer<Float>,
        padded: Int
    ) {
        var j = 0
        while j + 8 <= n {
            let r = k + j &* stride
            for e in 0..<width {
                let v = SIMD8(
                    r[e], r[stride &+ e], r[2 &* stride &+ e], r[3 &* stride &+ e], r[4 &* stride &+ e],
                    r[5 &* stride &+ e], r[6 &* stride &+ e], r[7 &* stride &+ e])
                UnsafeMutableRawPointer(keys + (e &* padded &+ j)).storeBytes(of: v, as: SIMD8<Float>.self)
            }
            j += 8
        }
        for e in 0..<width {
            for t in j..<padded { keys[e &* padded &+ t] = t < n ? k[t &* stride &+ e] : 0 }
        }
    }
}
