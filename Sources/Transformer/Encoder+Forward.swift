// The forward pass. Shape legend: see Encoder.swift (B, n_b, T = Σ n_b, d, H, dh, f, L, n̂).

import CBLAS

extension Encoder {
    /// Runs a batch (different lengths, packed internally). Throws for an empty sequence, one longer than
    /// `maxPositions`, or an id outside the (type) vocabulary. Each output equals that sequence's solo run.
    public func forward(_ inputs: [EncoderInput], options: ForwardOptions) throws(TransformerError)
        -> [EncoderOutput]
    {
        try validate(inputs)
        if inputs.isEmpty { return [] }
        let c = configuration
        let d = c.hiddenSize
        let workers = Compute.threads
        let plan = BatchPlan(inputs, configuration: c, keepLayers: options.attentionLayers)
        let ws = workspaces.take(plan, configuration: c, workers: workers)
        defer { workspaces.giveBack(ws) }
        // Kept maps are written straight into the output arrays: layer → sequence → [H, n, n]. They are not
        // zero-filled (the pass writes every element; the fill was 151 MB per 32×128 pass) and not copied after.
        var maps: [[[Float]]] = plan.keepLayers.map { _ in plan.lengths.map { Self.unfilled(c.heads * $0 * $0) } }
        let keep = Dictionary(uniqueKeysWithValues: plan.keepLayers.enumerated().map { ($1, $0) })
        let hidden = run(plan, ws: ws, maps: &maps, keep: keep, hiddenStates: options.hiddenStates, workers: workers)
        return (0..<plan.count).map { b in
            let last = plan.rows(of: b, in: ws.x, width: d)
            var attentions: [Int: Tensor] = [:]
            for (k, l) in plan.keepLayers.enumerated() {
                let n = plan.lengths[b]
                attentions[l] = Tensor(shape: [c.heads, n, n], storage: maps[k][b])
            }
            return EncoderOutput(
                lastHiddenState: last, hiddenStates: options.hiddenStates ? hidden[b] : nil, attentions: attentions,
                pooled: Self.pool(last, options.pooling, normalize: options.normalize))
        }
    }

    /// A float array of `count` elements that the pass writes in full before anyone reads it (no zero fill; any bit
    /// pattern is a valid Float).
    static func unfilled(_ count: Int) -> [Float] {
        [Float](unsafeUninitializedCapacity: count) { _, initialized in initialized = count }
    }

    /// Embeddings and every layer on ws.x; returns the hidden states per sequence when asked for. Layer l's maps go
    /// into `maps[keep[l]]` (one array per sequence) when l is kept.
    private func run(
        _ plan: BatchPlan, ws: Workspace, maps: inout [[[Float]]], keep: [Int: Int], hiddenStates: Bool, workers: Int
    ) -> [[Tensor]] {
        let c = configuration
        let d = c.hiddenSize

        var hidden: [[Tensor]] = Array(repeating: [], count: plan.count)
        func recordHidden() {
            guard hiddenStates else { return }
            for b in 0..<plan.count { hidden[b].append(plan.rows(of: b, in: ws.x, width: d)) }
        }

        embed(plan, into: ws.x, workers: workers)  // x [T, d]
        recordHidden()
        // Many tokens: each worker takes a contiguous share of the rows and walks it in blocks of `blockRows`
        // (single-threaded products, one barrier per stage; the block's FFN activations in the worker's own rows of
        // ws.inner). Few tokens: one block, the products split over the workers by output columns.
        let blockRows = Encoder.blockRows
        let blocked = plan.tokens >= blockRows * workers
        let inside = blocked ? 1 : workers
        func blocks(_ body: (Range<Int>, UnsafeMutablePointer<Float>) -> Void) {
            guard blocked else { return body(0..<plan.tokens, ws.inner) }
            Compute.parallelShares(plan.tokens, parts: workers, granule: 8) { worker, share in
                let inner = ws.inner + worker * blockRows * c.intermediateSize  // [blockRows, f]
                for start in stride(from: share.lowerBound, to: share.upperBound, by: blockRows) {
                    body(start..<Swift.min(start + blockRows, share.upperBound), inner)
                }
            }
        }
        blocks { rows, _ in head(0, rows: rows, ws: ws, workers: inside) }
        for l in 0..<c.layers {
            // ctx [T, d] = per sequence and head softmax(Q_h·K_hᵀ/√dh) · V_h, heads side by side.
            if let k = keep[l] {
                maps[k].withUnsafeMutableBufferPointer { attention(plan: plan, ws: ws, maps: $0, workers: workers) }
            } else {
                attention(plan: plan, ws: ws, maps: nil, workers: workers)
            }
            blocks { rows, inner in
                tail(l, rows: rows, ws: ws, inner: inner, workers: inside)
                if l + 1 < c.layers { head(l + 1, rows: rows, ws: ws, workers: inside) }
            }
            recordHidden()
        }
        return hidden
    }

    private func validate(_ inputs: [EncoderInput]) throws(TransformerError) {
        let c = configuration
        for input in inputs {
            guard !input.ids.isEmpty else { throw .emptySequence }
            guard input.ids.count <= c.maxPositions else {
                throw .sequenceTooLong(length: input.ids.count, max: c.maxPositions)
            }
            for id in input.ids where id < 0 || Int(id) >= c.vocabularySize {
                throw .tokenIDOutOfRange(id: id, vocabularySize: c.vocabularySize)
            }
            if let types = input.typeIds {
                guard types.count == input.ids.count else {
                    throw .typeIDCountMismatch(ids: input.ids.count, typeIds: types.count)
                }
                for id in types where id < 0 || Int(id) >= Swift.max(c.typeVocabularySize, 1) {
                    throw .typeIDOutOfRange(id: id, typeVocabularySize: c.typeVocabularySize)
                }
            }
        }
    }

    /// x[t] = LN(word[id_t] + position[p_t] + type[y_t]) for every packed token t.
    private func embed(_ plan: BatchPlan, into x: UnsafeMutablePointer<Float>, workers: Int) {
        let d = configuration.hiddenSize
        let p = parameters
        let eps = configuration.layerNormEpsilon
        plan.ids.withUnsafeBufferPointer { ids in
            plan.typeIds.withUnsafeBufferPointer { types in
                plan.positions.withUnsafeBufferPointer { positions in
                    rowPass(0..<plan.tokens, width: d, workers: workers) { t in
                        let row = x + t * d  // [d]
                        row.update(from: p.wordEmbeddings + Int(ids[t]) * d, count: d)
                        if let table = p.positions {
                            Self.add(table + Int(positions[t]) * d, to: row, count: d)
                        }
                        if let typeTable = p.typeEmbeddings {
                            Self.add(typeTable + Int(types[t]) * d, to: row, count: d)
                        }
                        Kernels.layerNorm(
                            row, count: d, gamma: p.embeddingNormWeight, beta: p.embeddingNormBias, epsilon: eps)
                    }
                }
            }
        }
    }

    /// Layer l's attention input for `rows`: (pre-LN: normed = LN₁(x);) qkv = input · Wqkv + bqkv.
    ///
    /// `workers` > 1 splits the product inside (few rows); 1 when the caller already runs row blocks in parallel.
    private func head(_ l: Int, rows: Range<Int>, ws: Workspace, workers: Int) {
        let c = configuration
        let d = c.hiddenSize
        let w = parameters.layers[l]
        let x = ws.x
        let r0 = rows.lowerBound
        var input = x + r0 * d  // [m, d]
        if c.normPlacement == .pre {
            let h = ws.normed
            rowPass(rows, width: d, workers: workers) { t in
                (h + t * d).update(from: x + t * d, count: d)
                Kernels.layerNorm(
                    h + t * d, count: d, gamma: w.attentionNormWeight, beta: w.attentionNormBias,
                    epsilon: c.layerNormEpsilon)
            }
            input = h + r0 * d
        }
        // qkv [m, 3d] = input [m, d] · Wqkv [d, 3d] + bqkv: one fused product (weights packed as panels).
        Gemm.panels(
            input, rows: rows.count, lda: d, weight: w.qkvPanels, into: ws.qkv + r0 * 3 * d, ldc: 3 * d,
            workers: workers, epilogue: .bias(w.qkvBias))
    }

    /// Layer l after attention, for `rows` of x [T, d], in place:
    ///   post-LN: x = LN₁(x + ctx·Wo + bo);  x = LN₂(x + act(x·W₁ + b₁)·W₂ + b₂)
    ///   pre-LN:  x = x + ctx·Wo + bo;  x = x + act(LN₂(x)·W₁ + b₁)·W₂ + b₂  (and the final LN after the last layer)
    /// Biases and activations are applied by the products' epilogues, as each register tile is written; the FFN's
    /// activations go to `inner` [rows.count, f].
    private func tail(
        _ l: Int, rows: Range<Int>, ws: Workspace, inner: UnsafeMutablePointer<Float>, workers: Int
    ) {
        let c = configuration
        let d = c.hiddenSize
        let f = c.intermediateSize
        let eps = c.layerNormEpsilon
        let w = parameters.layers[l]
        let x = ws.x
        let pre = c.normPlacement == .pre
        let r0 = rows.lowerBound
        let m = rows.count
        // x [m, d] += ctx [m, d] · Wo [d, d] + bo
        Gemm.panels(
            ws.context + r0 * d, rows: m, lda: d, weight: w.attentionOutputPanels, into: x + r0 * d, ldc: d,
            workers: workers, epilogue: .addBias(w.attentionOutputBias))
        // FFN input [m, d]: LN₂(x) into normed (pre), or x = LN₁(x) in place (post).
        let input = pre ? ws.normed : x
        rowPass(rows, width: d, workers: workers) { t in
            if pre {
                (input + t * d).update(from: x + t * d, count: d)
                Kernels.layerNorm(
                    input + t * d, count: d, gamma: w.outputNormWeight, beta: w.outputNormBias, epsilon: eps)
            } else {
                Kernels.layerNorm(
                    x + t * d, count: d, gamma: w.attentionNormWeight, beta: w.attentionNormBias, epsilon: eps)
            }
        }
        // inner [m, f] = act(b₁ + input · W₁): bias and activation applied to each register tile as it is written.
        Gemm.panels(
            input + r0 * d, rows: m, lda: d, weight: w.intermediatePanels, into: inner, ldc: f,
            workers: workers, epilogue: .biasActivation(w.intermediateBias, c.activation))
        // x [m, d] += inner [m, f] · W₂ [f, d] + b₂
        Gemm.panels(
            inner, rows: m, lda: f, weight: w.outputPanels, into: x + r0 * d, ldc: d, workers: workers,
            epilogue: .addBias(w.outputBias))
        let last = l == c.layers - 1
        if !pre || last {
            rowPass(rows, width: d, workers: workers) { t in
                if !pre {
                    Kernels.layerNorm(
                        x + t * d, count: d, gamma: w.outputNormWeight, beta: w.outputNormBias, epsilon: eps)
                } else if let g = parameters.finalNormWeight, let b = parameters.finalNormBias {
                    Kernels.layerNorm(x + t * d, count: d, gamma: g, beta: b, epsilon: eps)
                }
            }
        }
    }

    /// Multi-head attention for every (sequence, head) pair, spread over the workers.
    ///
    /// For sequence b (rows o_b..<o_b+n of qkv) and head h:
    ///   S [n, n̂]  = Q_h [n, dh] · K_hᵀ [dh, n̂] / √dh, pad columns n..<n̂ = −∞
    ///   P [n, n]  = softmax rows of S (written into the kept map, or over S in place)
    ///   ctx[o_b..., h·dh...] [n, dh] = P · V_h [n, dh]
    /// With dh a multiple of 16 both products run in 6 × 16 register tiles straight off qkv (only K_h is
    /// transposed, into Kᵀ [dh, n̂] with zero pad columns); otherwise through OpenBLAS.
    private func attention(
        plan: BatchPlan, ws: Workspace, maps: UnsafeMutableBufferPointer<[Float]>?, workers: Int
    ) {
        let c = configuration
        let d = c.hiddenSize
        let heads = c.heads
        let dh = d / heads
        let scale = 1 / Float(dh).squareRoot()
        let items = plan.count * heads
        let qkv = ws.qkv
        let context = ws.context
        let tiled = dh % 16 == 0
        let longest = ((plan.lengths.max() ?? 0) + 15) & ~15
        /// Runs `body` with worker `worker`'s scores block and tile scratch: spill [96], Kᵀ [dh, n̂], V_h [n, dh].
        func withScratch(_ worker: Int, _ body: (UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>) -> Void) {
            withUnsafeTemporaryAllocation(of: Float.self, capacity: tiled ? 2 * dh * longest + 96 : 96) { buffer in
                body(ws.scores + worker * ws.scoresPerWorker, buffer.baseAddress!)
            }
        }
        /// Head h of sequence b; its probabilities go to `probabilities` [n, n], or stay in the scores.
        func head(
            _ b: Int, _ h: Int, probabilities: UnsafeMutablePointer<Float>?, scores: UnsafeMutablePointer<Float>,
            scratch spill: UnsafeMutablePointer<Float>
        ) {
            let keys = spill + 96  // Kᵀ [dh, n̂]
            let values = keys + dh * longest  // V_h [n, dh], rows contiguous
            let n = plan.lengths[b]
            let padded = (n + 15) & ~15
            let q = qkv + plan.offsets[b] * 3 * d + h * dh  // [n, dh], row stride 3d
            let k = q + d
            let v = q + 2 * d
            let out = context + plan.offsets[b] * d + h * dh  // [n, dh], row stride d
            if tiled {
                Self.transposeKeys(k, stride: 3 * d, count: n, width: dh, into: keys, padded: padded)
                var i0 = 0
                while i0 < n {
                    var j0 = 0
                    while j0 < padded {
                        Gemm.tile6x16(
                            q + i0 * 3 * d, lda: 3 * d, rows: Swift.min(6, n - i0), keys + j0, ldb: padded, k: dh,
                            scores + i0 * padded + j0, ldc: padded, scale: scale, spill: spill)
                        j0 += 16
                    }
                    i0 += 6
                }
            } else {
                Gemm.abT(q, lda: 3 * d, k, ldb: 3 * d, m: n, n: n, k: dh, alpha: scale, into: scores, ldc: padded)
            }
            for i in 0..<n {
                let row = scores + i * padded
                for j in n..<padded { row[j] = -.infinity }
                Kernels.softmax(scores: row, count: n, paddedCount: padded, into: row)
            }
            // P stays in the scores block (hot in L2) for P·V; a kept map gets a streamed copy below.
            let p = scores
            let ldp = padded
            if tiled {
                // V_h's rows lie 3d floats apart in qkv, which maps them onto a few L1 sets: copy them together.
                for j in 0..<n { (values + j * dh).update(from: v + j * 3 * d, count: dh) }
                var i0 = 0
                while i0 < n {
                    var e0 = 0
                    while e0 < dh {
                        Gemm.tile6x16(
                            p + i0 * ldp, lda: ldp, rows: Swift.min(6, n - i0), values + e0, ldb: dh, k: n,
                            out + i0 * d + e0, ldc: d, scale: 1, spill: spill)
                        e0 += 16
                    }
                    i0 += 6
                }
            } else {
                Gemm.ab(p, lda: ldp, v, ldb: 3 * d, m: n, n: dh, k: n, into: out, ldc: d)
            }
            if let probabilities {
                // The kept map [n, n]: written once, read after the pass, so streamed past the caches.
                for i in 0..<n { attend_stream_copy(probabilities + i * n, p + i * ldp, n) }
                attend_stream_fence()
            }
        }
        if let maps {
            // Sequence by sequence, its map array borrowed in place while its heads run over the workers.
            for b in 0..<plan.count {
                let n = plan.lengths[b]
                maps[b].withUnsafeMutableBufferPointer { map in
                    let base = map.baseAddress!  // [H, n, n]
                    Compute.parallel(Swift.min(workers, heads)) { worker in
                        withScratch(worker) { scores, scratch in
                            var h = worker
                            while h < heads {
                                head(b, h, probabilities: base + h * n * n, scores: scores, scratch: scratch)
                                h += workers
                            }
                        }
                    }
                }
            }
        } else {
            Compute.parallel(Swift.min(workers, items)) { worker in
                withScratch(worker) { scores, scratch in
                    var item = worker
                    while item < items {
                        head(item / heads, item % heads, probabilities: nil, scores: scores, scratch: scratch)
                        item += workers
                    }
                }
            }
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

    /// Rows per block when the workers walk their shares of a large batch: small enough that a block's FFN
    /// activations (64 × 1536 floats for MiniLM) stay in L2 through the layer, large enough for four 16-token lane
    /// blocks per panel. 64 beat 32, 128 and 256 (and OpenBLAS at 256) at 32×128 (`attend bench --shapes 32x128`).
    static let blockRows = 64

    /// Runs `body(t)` for every row t in `rows`, split over the workers when the pass is big enough to pay for it.
    func rowPass(_ rows: Range<Int>, width: Int, workers: Int, _ body: (Int) -> Void) {
        if workers <= 1 || rows.count * width < 16_384 || rows.count < 2 {
            for t in rows { body(t) }
        } else {
            Compute.parallelRanges(rows.count, parts: workers) { range in
                for t in range { body(rows.lowerBound + t) }
            }
        }
    }

    @inline(__always)
    static func add(_ source: UnsafePointer<Float>, to row: UnsafeMutablePointer<Float>, count: Int) {
        var j = 0
        while j + 16 <= count {
            row.setVec(j, row.vec(j) + UnsafeMutablePointer(mutating: source).vec(j))
            j += 16
        }
        while j < count {
            row[j] += source[j]
            j += 1
        }
    }
}
