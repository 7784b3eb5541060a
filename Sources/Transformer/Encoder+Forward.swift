// The forward pass. Shape legend: see Encoder.swift (B, n_b, T = Σ n_b, d, H, dh, f, L, n̂).

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
        // Kept maps are written straight into the output arrays: layer → sequence → [H, n, n].
        let mapBoxes = plan.keepLayers.map { _ in plan.lengths.map { FloatBox(count: c.heads * $0 * $0) } }
        let hidden = FloatBox.withPointers(mapBoxes.flatMap { $0 }) { pointers in
            var maps: [Int: ArraySlice<UnsafeMutablePointer<Float>>] = [:]
            for (k, l) in plan.keepLayers.enumerated() {
                maps[l] = pointers[(k * plan.count)..<((k + 1) * plan.count)]
            }
            return run(plan, ws: ws, maps: maps, hiddenStates: options.hiddenStates, workers: workers)
        }
        return (0..<plan.count).map { b in
            let last = plan.rows(of: b, in: ws.x, width: d)
            var attentions: [Int: Tensor] = [:]
            for (k, l) in plan.keepLayers.enumerated() {
                let n = plan.lengths[b]
                attentions[l] = Tensor(shape: [c.heads, n, n], storage: mapBoxes[k][b].values)
            }
            return EncoderOutput(
                lastHiddenState: last, hiddenStates: options.hiddenStates ? hidden[b] : nil, attentions: attentions,
                pooled: Self.pool(last, options.pooling, normalize: options.normalize))
        }
    }

    /// Embeddings and every layer on ws.x; returns the hidden states per sequence when asked for.
    private func run(
        _ plan: BatchPlan, ws: Workspace, maps: [Int: ArraySlice<UnsafeMutablePointer<Float>>], hiddenStates: Bool,
        workers: Int
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
        for l in 0..<c.layers {
            layer(l, plan: plan, ws: ws, maps: maps, workers: workers)
            if l == c.layers - 1, c.normPlacement == .pre, let g = parameters.finalNormWeight,
                let beta = parameters.finalNormBias
            {
                rowPass(plan.tokens, width: d, workers: workers) { t in
                    Kernels.layerNorm(ws.x + t * d, count: d, gamma: g, beta: beta, epsilon: c.layerNormEpsilon)
                }
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
                    rowPass(plan.tokens, width: d, workers: workers) { t in
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

    /// One encoder layer on ws.x [T, d], in place.
    private func layer(
        _ l: Int, plan: BatchPlan, ws: Workspace, maps: [Int: ArraySlice<UnsafeMutablePointer<Float>>], workers: Int
    ) {
        let c = configuration
        let d = c.hiddenSize
        let f = c.intermediateSize
        let eps = c.layerNormEpsilon
        let w = parameters.layers[l]
        let x = ws.x
        let pre = c.normPlacement == .pre
        let tokens = plan.tokens

        // Attention input: x (post-LN) or LN₁(x) (pre-LN), [T, d].
        var input = x
        if pre {
            let h = ws.normed
            rowPass(tokens, width: d, workers: workers) { t in
                (h + t * d).update(from: x + t * d, count: d)
                Kernels.layerNorm(
                    h + t * d, count: d, gamma: w.attentionNormWeight, beta: w.attentionNormBias, epsilon: eps)
            }
            input = h
        }
        // qkv [T, 3d] = input [T, d] · Wqkv [d, 3d] + bqkv: one fused product (weights stored [in, out]).
        Gemm.linear(input, rows: tokens, inner: d, weight: w.qkvWeight, outputs: 3 * d, into: ws.qkv, workers: workers)
        rowPass(tokens, width: 3 * d, workers: workers) { t in
            Kernels.addBias(ws.qkv + t * 3 * d, count: 3 * d, bias: w.qkvBias) { $0 }
        }
        // ctx [T, d] = per sequence and head softmax(Q_h·K_hᵀ/√dh) · V_h, heads side by side.
        attention(plan: plan, ws: ws, maps: maps[l], workers: workers)
        // proj [T, d] = ctx · Woᵀ
        Gemm.linear(
            ws.context, rows: tokens, inner: d, weight: w.attentionOutputWeight, outputs: d, into: ws.projection,
            workers: workers)
        if pre {
            // x = x + proj + bo; h = LN₂(x)
            let h = ws.normed
            rowPass(tokens, width: d, workers: workers) { t in
                Kernels.addBiasResidual(
                    ws.projection + t * d, bias: w.attentionOutputBias, residual: x + t * d, into: x + t * d, count: d)
                (h + t * d).update(from: x + t * d, count: d)
                Kernels.layerNorm(h + t * d, count: d, gamma: w.outputNormWeight, beta: w.outputNormBias, epsilon: eps)
            }
            input = h
        } else {
            // x = LN₁(x + proj + bo)
            rowPass(tokens, width: d, workers: workers) { t in
                Kernels.addBiasResidual(
                    ws.projection + t * d, bias: w.attentionOutputBias, residual: x + t * d, into: x + t * d, count: d)
                Kernels.layerNorm(
                    x + t * d, count: d, gamma: w.attentionNormWeight, beta: w.attentionNormBias, epsilon: eps)
            }
            input = x
        }
        // inner [T, f] = act(input · W₁ᵀ + b₁)
        Gemm.linear(
            input, rows: tokens, inner: d, weight: w.intermediateWeight, outputs: f, into: ws.inner, workers: workers)
        let activation = c.activation
        rowPass(tokens, width: f, workers: workers) { t in
            Kernels.addBiasActivate(ws.inner + t * f, count: f, bias: w.intermediateBias, activation: activation)
        }
        // proj [T, d] = inner · W₂ᵀ
        Gemm.linear(
            ws.inner, rows: tokens, inner: f, weight: w.outputWeight, outputs: d, into: ws.projection,
            workers: workers)
        rowPass(tokens, width: d, workers: workers) { t in
            // pre: x = x + proj + b₂;  post: x = LN₂(x + proj + b₂)
            Kernels.addBiasResidual(
                ws.projection + t * d, bias: w.outputBias, residual: x + t * d, into: x + t * d, count: d)
            if !pre {
                Kernels.layerNorm(x + t * d, count: d, gamma: w.outputNormWeight, beta: w.outputNormBias, epsilon: eps)
            }
        }
    }

    /// Multi-head attention for every (sequence, head) pair, spread over the workers.
    ///
    /// For sequence b (rows o_b..<o_b+n of qkv) and head h:
    ///   S [n, n̂]  = Q_h [n, dh] · K_hᵀ [dh, n] / √dh, pad columns n..<n̂ = −∞
    ///   P [n, n]  = softmax rows of S (written into the kept map, or over S in place)
    ///   ctx[o_b..., h·dh...] [n, dh] = P · V_h [n, dh]
    private func attention(
        plan: BatchPlan, ws: Workspace, maps: ArraySlice<UnsafeMutablePointer<Float>>?, workers: Int
    ) {
        let c = configuration
        let d = c.hiddenSize
        let heads = c.heads
        let dh = d / heads
        let scale = 1 / Float(dh).squareRoot()
        let items = plan.count * heads
        let qkv = ws.qkv
        let context = ws.context
        Compute.parallel(Swift.min(workers, items)) { worker in
            let scores = ws.scores + worker * ws.scoresPerWorker  // [n, n̂]
            var item = worker
            while item < items {
                let b = item / heads
                let h = item % heads
                let n = plan.lengths[b]
                let padded = (n + 15) & ~15
                let q = qkv + plan.offsets[b] * 3 * d + h * dh  // [n, dh], row stride 3d
                let k = q + d
                let v = q + 2 * d
                Gemm.abT(q, lda: 3 * d, k, ldb: 3 * d, m: n, n: n, k: dh, alpha: scale, into: scores, ldc: padded)
                let probabilities = maps.map { $0[$0.startIndex + b] + h * n * n }  // [n, n] or nil
                for i in 0..<n {
                    let row = scores + i * padded
                    for j in n..<padded { row[j] = -.infinity }
                    Kernels.softmax(
                        scores: row, count: n, paddedCount: padded, into: probabilities.map { $0 + i * n } ?? row)
                }
                let (p, ldp) = probabilities.map { ($0, n) } ?? (scores, padded)
                Gemm.ab(
                    p, lda: ldp, v, ldb: 3 * d, m: n, n: dh, k: n, into: context + plan.offsets[b] * d + h * dh, ldc: d)
                item += workers
            }
        }
    }

    /// Runs `body(t)` for every row t in 0..<rows, split over the workers when the pass is big enough to pay for it.
    func rowPass(_ rows: Int, width: Int, workers: Int, _ body: (Int) -> Void) {
        if workers <= 1 || rows * width < 16_384 || rows < 2 {
            for t in 0..<rows { body(t) }
        } else {
            Compute.parallelRanges(rows, parts: workers) { range in
                for t in range { body(t) }
            }
        }
    }

    @inline(__always)
    static func add(_ source: UnsafeMutablePointer<Float>, to row: UnsafeMutablePointer<Float>, count: Int) {
        var j = 0
        while j + 16 <= count {
            row.setVec(j, row.vec(j) + source.vec(j))
            j += 16
        }
        while j < count {
            row[j] += source[j]
            j += 1
        }
    }
}
