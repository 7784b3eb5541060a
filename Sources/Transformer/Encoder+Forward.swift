// The forward pass. Shape legend: see Encoder.swift (B, n_b, T = Σ n_b, d, H, dh, f, L, n̂).

extension Encoder {
    /// Runs a batch (different lengths, packed internally). Throws for an empty sequence, one longer than
    /// `maxPositions`, or an id outside the (type) vocabulary. Each output equals that sequence's solo run.
    ///
    /// Each output holds what its input's ``EncoderInput/keep`` asks for, or, for an input without one, what
    /// `options` asks for (``KeptOutputs/init(_:)``); pooling and normalisation come from `options` for all.
    /// ``keptBytes(for:options:)`` and ``workspaceBytes(forBatchTokens:maxLength:workers:)`` give the memory a pass
    /// keeps and uses, before it runs.
    public func forward(_ inputs: [EncoderInput], options: ForwardOptions) throws(TransformerError)
        -> [EncoderOutput]
    {
        try validate(inputs)
        if inputs.isEmpty { return [] }
        let c = configuration
        let d = c.hiddenSize
        let workers = options.workers.map { Swift.max(1, Swift.min($0, 256)) } ?? Compute.threads
        let plan = BatchPlan(inputs, configuration: c, keepLayers: [])
        let passWide = KeptSelection(KeptOutputs(options), configuration: c)
        let keep = inputs.map { $0.keep.map { KeptSelection($0, configuration: c) } ?? passWide }
        let ws = workspaces.take(plan, configuration: c, workers: workers)
        defer { workspaces.giveBack(ws) }
        // Kept maps and head means are written straight into the output arrays: sequence → kept layer → [h, n, n]
        // or [n, n]. They are not zero-filled (the pass writes every element; the fill was 151 MB per 32×128 pass)
        // and not copied after.
        var maps = (0..<plan.count).map { b in
            keep[b].mapLayers.map { _ in Self.unfilled(keep[b].heads.count * plan.lengths[b] * plan.lengths[b]) }
        }
        var means = (0..<plan.count).map { b in
            keep[b].meanLayers.map { _ in Self.unfilled(plan.lengths[b] * plan.lengths[b]) }
        }
        var entropies = (0..<plan.count).map { b in
            keep[b].entropyLayers.map { _ in [Float](repeating: 0, count: keep[b].heads.count) }
        }
        // Contribution matrices, per sequence that keeps some, and their scratch (README "Token contributions").
        let stores = (0..<plan.count).map { b in
            keep[b].contributionLayers.isEmpty ? nil : ContributionStore(keep[b], length: plan.lengths[b])
        }
        let contributionLength = (0..<plan.count).filter { stores[$0] != nil }.map { plan.lengths[$0] }.max()
        let scratch = contributionLength.map {
            contributionWorkspaces.take(length: $0, configuration: c, workers: workers)
        }
        defer { if let scratch { contributionWorkspaces.giveBack(scratch) } }
        let hidden = run(
            plan, ws: ws, keep: keep, maps: &maps, means: &means, entropies: &entropies, workers: workers,
            contributions: scratch.map { ($0, stores) })
        return (0..<plan.count).map { b in
            let n = plan.lengths[b]
            let selection = keep[b]
            let last = plan.rows(of: b, in: ws.x, width: d)
            var attentions: [Int: Tensor] = [:]
            for (slot, l) in selection.mapLayers.enumerated() {
                attentions[l] = Tensor(shape: [selection.heads.count, n, n], storage: maps[b][slot])
            }
            var attentionMeans: [Int: Tensor] = [:]
            for (slot, l) in selection.meanLayers.enumerated() {
                attentionMeans[l] = Tensor(shape: [n, n], storage: means[b][slot])
            }
            var perHead: [Int: [Float]] = [:]
            for (slot, l) in selection.entropyLayers.enumerated() { perHead[l] = entropies[b][slot] }
            return EncoderOutput(
                lastHiddenState: last, hiddenStates: selection.hiddenStates ? hidden[b] : nil, attentions: attentions,
                pooled: Self.pool(last, options.pooling, normalize: options.normalize), attentionMeans: attentionMeans,
                entropies: perHead, contributions: stores[b]?.take() ?? [:])
        }
    }

    /// A float array of `count` elements that the pass writes in full before anyone reads it (no zero fill; any bit
    /// pattern is a valid Float).
    static func unfilled(_ count: Int) -> [Float] {
        [Float](unsafeUninitializedCapacity: count) { _, initialized in initialized = count }
    }

    /// Embeddings and every layer on ws.x; returns the hidden states of the sequences that keep them. What
    /// sequence b keeps of layer l's attention goes into `maps[b]`, `means[b]` and `entropies[b]`.
    private func run(
        _ plan: BatchPlan, ws: Workspace, keep: [KeptSelection], maps: inout [[[Float]]], means: inout [[[Float]]],
        entropies: inout [[[Float]]], workers: Int,
        contributions: (scratch: ContributionWorkspace, stores: [ContributionStore?])?
    ) -> [[Tensor]] {
        let c = configuration
        let d = c.hiddenSize

        var hidden: [[Tensor]] = Array(repeating: [], count: plan.count)
        let keepsHidden = (0..<plan.count).filter { keep[$0].hiddenStates }
        func recordHidden() {
            for b in keepsHidden { hidden[b].append(plan.rows(of: b, in: ws.x, width: d)) }
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
                let inner = ws.inner + worker * blockRows * c.intermediateRows  // [blockRows, f] ([.., 2f] gated)
                for start in stride(from: share.lowerBound, to: share.upperBound, by: blockRows) {
                    body(start..<Swift.min(start + blockRows, share.upperBound), inner)
                }
            }
        }
        blocks { rows, _ in head(0, rows: rows, plan: plan, ws: ws, workers: inside) }
        for l in 0..<c.layers {
            // ctx [T, d] = per sequence and head softmax(Q_h·K_hᵀ/√dh) · V_h, heads side by side; kept maps, head
            // means and entropies taken on the way.
            // A sequence with contributions of layer l runs its attention on its own, handing its weights α to
            // its contributions, which follow at once (README "Token contributions").
            let contributing =
                contributions.map { c in
                    (0..<plan.count).filter { c.stores[$0] != nil && keep[$0].contributionSlots[l] >= 0 }
                } ?? []
            if contributing.count < plan.count {
                let others = (0..<plan.count).filter { !contributing.contains($0) }
                attention(
                    layer: l, plan: plan, ws: ws, keep: keep, maps: &maps, means: &means, entropies: &entropies,
                    workers: workers, sequences: contributing.isEmpty ? nil : others)
            }
            // Rows whose attention block (x = LN₁(x + ctx·W_O + b_O)) the contributions already computed.
            var ready: [Range<Int>] = []
            if let contributions {
                for b in contributing {
                    guard let store = contributions.stores[b] else { continue }
                    attention(
                        layer: l, plan: plan, ws: ws, keep: keep, maps: &maps, means: &means, entropies: &entropies,
                        workers: workers, sequences: [b], handover: (b, contributions.scratch.weights))
                    let block = self.contributions(
                        layer: l, b: b, plan: plan, ws: ws, selection: keep[b], store: store,
                        scratch: contributions.scratch, workers: workers)
                    if block { ready.append(plan.offsets[b]..<plan.offsets[b] + plan.lengths[b]) }
                }
            }
            blocks { rows, inner in
                tail(l, rows: rows, ws: ws, inner: inner, workers: inside, ready: ready)
                if l + 1 < c.layers { head(l + 1, rows: rows, plan: plan, ws: ws, workers: inside) }
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

    /// x[t] = LN(word[id_t] + position[offset + p_t] + type[y_t]) for every packed token t (no LN without an
    /// embedding norm, e.g. GPT-2; offset = ``EncoderConfiguration/positionOffset``, RoBERTa's padding_idx + 1).
    private func embed(_ plan: BatchPlan, into x: UnsafeMutablePointer<Float>, workers: Int) {
        let d = configuration.hiddenSize
        let p = parameters
        let eps = configuration.layerNormEpsilon
        let offset = configuration.positionOffset
        plan.ids.withUnsafeBufferPointer { ids in
            plan.typeIds.withUnsafeBufferPointer { types in
                plan.positions.withUnsafeBufferPointer { positions in
                    rowPass(0..<plan.tokens, width: d, workers: workers) { t in
                        let row = x + t * d  // [d]
                        row.update(from: p.wordEmbeddings + Int(ids[t]) * d, count: d)
                        if let table = p.positions {
                            Self.add(table + (offset + Int(positions[t])) * d, to: row, count: d)
                        }
                        if let typeTable = p.typeEmbeddings {
                            Self.add(typeTable + Int(types[t]) * d, to: row, count: d)
                        }
                        if let gamma = p.embeddingNormWeight, let beta = p.embeddingNormBias {
                            Kernels.layerNorm(row, count: d, gamma: gamma, beta: beta, epsilon: eps)
                        }
                    }
                }
            }
        }
    }

    /// Layer l's attention input for `rows`: (pre-LN: normed = LN₁(x), except layer 0 without
    /// ``EncoderConfiguration/firstAttentionNorm``;) qkv = input · Wqkv + bqkv; rotary: queries and keys rotated
    /// by position (`Encoder+Rotary.swift`).
    ///
    /// `workers` > 1 splits the product inside (few rows); 1 when the caller already runs row blocks in parallel.
    private func head(_ l: Int, rows: Range<Int>, plan: BatchPlan, ws: Workspace, workers: Int) {
        let c = configuration
        let d = c.hiddenSize
        let w = parameters.layers[l]
        let x = ws.x
        let r0 = rows.lowerBound
        var input = x + r0 * d  // [m, d]
        if c.normPlacement == .pre && (l > 0 || c.firstAttentionNorm) {
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
        if c.positionalEncoding == .rotary { rotate(l, rows: rows, plan: plan, qkv: ws.qkv, workers: workers) }
    }

    /// Layer l after attention, for `rows` of x [T, d], in place:
    ///   post-LN: x = LN₁(x + ctx·Wo + bo);  x = LN₂(x + act(x·W₁ + b₁)·W₂ + b₂)
    ///   pre-LN:  x = x + ctx·Wo + bo;  x = x + act(LN₂(x)·W₁ + b₁)·W₂ + b₂  (and the final LN after the last layer)
    ///   gated (GeGLU): [u | g] = LN₂(x)·W₁ + b₁ ([rows, 2f]), x = x + (act(u) ⊙ g)·W₂ + b₂
    /// Biases and activations are applied by the products' epilogues, as each register tile is written; the FFN's
    /// activations go to `inner` [rows.count, f] ([rows.count, 2f] gated, the product in the first f columns).
    /// The rows in `ready` (post-LN, sorted, disjoint) already hold LN₁(x + ctx·Wo + bo), from the token
    /// contributions of their sequence (the same product and LayerNorm, so the same values): only their FFN is run.
    private func tail(
        _ l: Int, rows: Range<Int>, ws: Workspace, inner: UnsafeMutablePointer<Float>, workers: Int,
        ready: [Range<Int>] = []
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
        let input = pre ? ws.normed : x
        for part in Self.pending(rows, ready: ready) {
            // x [m, d] += ctx [m, d] · Wo [d, d] + bo (per row the same sums however the rows are split)
            let p0 = part.lowerBound
            Gemm.panels(
                ws.context + p0 * d, rows: part.count, lda: d, weight: w.attentionOutputPanels, into: x + p0 * d,
                ldc: d, workers: workers, epilogue: .addBias(w.attentionOutputBias))
            // FFN input [m, d]: LN₂(x) into normed (pre), or x = LN₁(x) in place (post).
            rowPass(part, width: d, workers: workers) { t in
                if pre {
                    (input + t * d).update(from: x + t * d, count: d)
                    Kernels.layerNorm(
                        input + t * d, count: d, gamma: w.outputNormWeight, beta: w.outputNormBias, epsilon: eps)
                } else {
                    Kernels.layerNorm(
                        x + t * d, count: d, gamma: w.attentionNormWeight, beta: w.attentionNormBias, epsilon: eps)
                }
            }
        }
        let lda: Int
        if c.gatedFeedForward {
            // inner [m, 2f] = b₁ + input · W₁, then inner[:, 0..<f] = act(u) ⊙ g in place (Encoder+Gated.swift).
            lda = 2 * f
            Gemm.panels(
                input + r0 * d, rows: m, lda: d, weight: w.intermediatePanels, into: inner, ldc: lda,
                workers: workers, epilogue: .bias(w.intermediateBias))
            gate(inner, rows: m, width: f, workers: workers)
        } else {
            // inner [m, f] = act(b₁ + input · W₁): bias and activation applied to each register tile as written.
            lda = f
            Gemm.panels(
                input + r0 * d, rows: m, lda: d, weight: w.intermediatePanels, into: inner, ldc: f,
                workers: workers, epilogue: .biasActivation(w.intermediateBias, c.activation))
        }
        // x [m, d] += inner [m, f] · W₂ [f, d] + b₂
        Gemm.panels(
            inner, rows: m, lda: lda, weight: w.outputPanels, into: x + r0 * d, ldc: d, workers: workers,
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

    /// The parts of `rows` outside the sorted, disjoint ranges `ready`, in order (`rows` itself when none is ready).
    static func pending(_ rows: Range<Int>, ready: [Range<Int>]) -> [Range<Int>] {
        var parts: [Range<Int>] = []
        var start = rows.lowerBound
        for r in ready where r.upperBound > start && r.lowerBound < rows.upperBound {
            if r.lowerBound > start { parts.append(start..<r.lowerBound) }
            start = Swift.max(start, r.upperBound)
        }
        if start < rows.upperBound { parts.append(start..<rows.upperBound) }
        return parts
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
