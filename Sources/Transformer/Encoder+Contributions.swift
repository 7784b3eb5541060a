// Token contributions of one layer, in the forward pass. Shape legend: see Encoder.swift (n, d, H, dh, L).

import CBLAS

extension Encoder {
    /// Layer l's contribution matrices (``ContributionMeasure``) for sequence b, computed between the layer's
    /// attention and its output projection, while ws.x holds the layer input X, ws.qkv its Q, K, V (biases added),
    /// ws.context its attention output and scratch.weights the attention kernel's own weights α^h of b, handed over
    /// transposed as αᵀ [n, H, n̂] (``attention(layer:plan:ws:keep:maps:means:entropies:workers:sequences:handover:)``;
    /// post-LN encoders only).
    ///
    /// Per sequence, the products in register tiles (OpenBLAS when d is not a multiple of 16) and the panel
    /// product, the element loops in 16-lane vectors, every stage split over the workers:
    ///   z [n, d] = X + ctx·W_O + b_O (the pass's own product), σ_i = √(var(z_i) + ε), x̂_i = γ₁ ⊙ C x_i,
    ///   y = LN₁(z) (over X's rows: the tail's own result), ‖y_i‖₁        (rows over the workers, one section)
    /// then, in one section, the key tokens j split evenly over the workers, each worker first taking
    ///   F [n, H+1, d], F[j, h] = V_h[j] W [dh, d] for its keys (H products keys × d × dh, W = W_O,h, or
    ///   Ŵ_O,h = W_O,h C Γ₁ when no measure needs f_h(x_j) itself: then F[j, h] = γ₁ ⊙ C f_h(x_j) with no centring
    ///   per pass; ``ContributionOperands``), F[j, H] = x̂_j,
    /// and then walking its keys, with a_h = (α^h_ij)_i = αᵀ[j, h] (16 rows i per vector, no copy) and
    /// v_h = f_h(x_j) for h < H, v_H = x_j:
    ///   norm: ‖Σ_h α^h_ij v_h‖ = √(aᵀ G a), G the Gram matrix of the v_h (h < H);
    ///   norm_res_ln: the same with u_h = γ₁ ⊙ C v_h (C centres) and a_H = δ_ij, / σ_i;
    ///   GlobEnc: the same with γ₂ ⊙ C u_h (LN₂ taken as linear: its 1/σ cancels in the row normalisation);
    ///   ALTI: t_ij = Σ_h (a_h / σ_i) u_h for 6 rows i at a time in register tiles ([6, H+1] · [H+1, d]), then
    ///   c_ij = max(0, ‖y_i‖₁ − ‖y_i − t_ij‖₁);
    /// the rows of ALTI, GlobEnc and value zeroing are normalised to sum 1 at the end.
    ///
    /// When a measure needs y (all but norm and norm_heads), y is left in ws.x's rows of b, where the layer's tail
    /// would have put the same values, and the call returns true: the tail then runs only the feed-forward block for
    /// those rows (``tail(_:rows:ws:inner:workers:ready:)``).
    func contributions(
        layer l: Int, b: Int, plan: BatchPlan, ws: Workspace, selection: KeptSelection, store: ContributionStore,
        scratch s: ContributionWorkspace, workers: Int
    ) -> Bool {
        let c = configuration
        let d = c.hiddenSize
        let heads = c.heads
        let dh = d / heads
        let h1 = heads + 1
        let w = parameters.layers[l]
        let slot = selection.contributionSlots[l]
        let n = plan.lengths[b]
        let ld = (n + 15) & ~15  // n̂
        let x = ws.x + plan.offsets[b] * d  // X [n, d], then y = LN₁(z)
        let qkv = ws.qkv + plan.offsets[b] * 3 * d  // [n, 3d]
        let context = ws.context + plan.offsets[b] * d  // ctx [n, d]
        let alpha = s.weights  // αᵀ [n, H, n̂]
        let f = s.transformed  // F [n, H+1, d]
        let fs = h1 * d  // F's floats per key
        let fNorms = s.transformedNorms  // [H, n]
        let y = x  // [n, d], once the first section has run
        let sigma = s.sigmas  // [n]
        let yNorms = s.blockNorms  // [n]
        let eps = c.layerNormEpsilon
        let g1 = w.attentionNormWeight
        let g2 = w.outputNormWeight

        let norm = store.matrix(.norm, slot: slot)
        let normHeads = store.matrix(.normHeads, slot: slot)
        let resLN = store.matrix(.normResLN, slot: slot)
        let alti = store.matrix(.alti, slot: slot)
        let globenc = store.matrix(.globenc, slot: slot)
        let zeroing = store.matrix(.valueZeroing, slot: slot)
        let centred = resLN != nil || alti != nil || globenc != nil
        let needsBlock = centred || zeroing != nil
        // F holds f_h(x_j) itself when norm, norm_heads or value zeroing asks for it (the centred measures then centre
        // each vector per key), else the centred vectors straight out of the product with Ŵ_O.
        let raw = norm != nil || normHeads != nil || zeroing != nil
        // norm_heads alone needs only ‖f_h(x_j)‖ = √(V_h[j] M_h V_h[j]ᵀ), M_h = W_O,h W_O,hᵀ: no F at all.
        let headsOnly = normHeads != nil && norm == nil && !needsBlock
        let weight = contributionOperands.operand(
            headsOnly ? .headGrams : raw ? .projection : .centred, layer: l, parameters: parameters, configuration: c)

        if needsBlock {
            // z = X + ctx·W_O + b_O; σ_i; x̂_i; y = LN₁(z) over x_i, ‖y_i‖₁: each worker its share of the rows, in one
            // section (the product's sums per row do not depend on the split).
            Compute.parallelShares(n, parts: n * d < 16_384 ? 1 : workers, granule: 16) { _, rows in
                let r0 = rows.lowerBound
                (s.blockInput + r0 * d).update(from: x + r0 * d, count: rows.count * d)
                Gemm.panels(
                    context + r0 * d, rows: rows.count, lda: d, weight: w.attentionOutputPanels,
                    into: s.blockInput + r0 * d, ldc: d, workers: 1, epilogue: .addBias(w.attentionOutputBias))
                for i in rows {
                    let row = x + i * d
                    if centred { Self.centre(row, count: d, gamma: g1, into: f + i * fs + heads * d) }
                    row.update(from: s.blockInput + i * d, count: d)
                    sigma[i] = Self.deviation(row, count: d, epsilon: eps)
                    Kernels.layerNorm(row, count: d, gamma: g1, beta: w.attentionNormBias, epsilon: eps)
                    yNorms[i] = Self.absoluteSum(row, count: d)
                }
            }
        }
        if zeroing != nil {
            // The layer's own output x̃ = LN₂(y + FFN(y)), from y as computed here (worker 0's inner rows).
            layerTail(l, from: y, rows: n, inner: s.inner(worker: 0), into: s.layerOutput, workers: workers)
        }

        // The key tokens j split over the workers, in one section: each worker first takes F's rows of its keys
        // (and ‖f_h(x_j)‖, and zeroes lanes i ≥ n of αᵀ: the attention kernel writes rows i < n), then walks them.
        // Every value is the same whatever the split (each row of a tile is its own sum).
        Compute.parallelShares(n, parts: workers, granule: 1) { worker, keys in
            let j0 = keys.lowerBound
            let m = keys.count
            let values = s.values(worker: worker)  // V_h of the worker's keys [m, dh]
            let spill = s.tile(worker: worker) + 6 * d
            for h in 0..<heads where headsOnly {
                for j in keys {
                    fNorms[h * n + j] = Self.headNorm(qkv + j * 3 * d + 2 * d + h * dh, weight + h * dh * dh, dh)
                    if ld > n { (alpha + (j * heads + h) * ld + n).update(repeating: 0, count: ld - n) }
                }
            }
            for h in 0..<heads where !headsOnly {
                // F's rows j of head h: V_h[j] [keys, dh] · W_h [dh, d], six keys against every 16-column strip of
                // W_h (each strip one contiguous run: ContributionOperands), so each key's row is written in order.
                let v = qkv + 2 * d + h * dh  // V_h [n, dh], row stride 3d
                let weightH = weight + h * dh * d  // W_h [dh, d]
                let out = f + j0 * fs + h * d
                if d % 16 == 0 {
                    // V_h's rows lie 3d floats apart in qkv, on a few L1 sets: copied together first.
                    for r in 0..<m { (values + r * dh).update(from: v + (j0 + r) * 3 * d, count: dh) }
                    var r0 = 0
                    while r0 < m {
                        var c0 = 0
                        while c0 < d {
                            Gemm.tile6x16(
                                values + r0 * dh, lda: dh, rows: Swift.min(6, m - r0), weightH + c0 * dh, ldb: 16,
                                k: dh, out + r0 * fs + c0, ldc: fs, scale: 1, spill: spill)
                            c0 += 16
                        }
                        r0 += 6
                    }
                } else {
                    cblas_sgemm(
                        CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(m), Int32(d), Int32(dh), 1,
                        v + j0 * 3 * d, Int32(3 * d), weightH, Int32(d), 0, out, Int32(fs))
                }
                for j in keys {
                    if normHeads != nil {
                        let v = f + j * fs + h * d
                        fNorms[h * n + j] = Self.dot(v, v, count: d).squareRoot()
                    }
                    if ld > n { (alpha + (j * heads + h) * ld + n).update(repeating: 0, count: ld - n) }
                }
            }
            if let normHeads {
                // α^h_ij ‖f_h(x_j)‖ for the worker's columns j: head h's slice of αᵀ transposed back, column j
                // scaled by ‖f_h(x_j)‖.
                for (k, h) in selection.heads.enumerated() {
                    Self.transpose(
                        alpha + (j0 * heads + h) * ld, ld: heads * ld, rows: m, columns: n,
                        into: normHeads + k * n * n + j0, ld: n, scale: fNorms + h * n + j0)
                }
            }
            let centredVectors = s.centred(worker: worker)  // u_h [H+1, d] (when F holds f_h(x_j))
            let e = centredVectors + h1 * d  // γ₂ ⊙ C u_h [H+1, d]
            let gram = s.gram(worker: worker)  // [H+1, H+1]
            let totals = s.totals(worker: worker)  // [n̂]
            let tileCoefficients = s.tileCoefficients(worker: worker)  // [n, H+1]
            let tile = s.tile(worker: worker)  // [6, d] + spill [96]
            /// The squared norms Σ_p Σ_q G[p, q] a_p a_q of the H + 1 vectors `v` for every row i (a_H = δ_ij),
            /// √ and / σ_i into column j of `out`.
            func residualForms(
                _ v: UnsafePointer<Float>, _ a: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>, j: Int
            ) {
                Self.gram(v, count: h1, width: d, into: gram, stride: h1)
                Self.quadraticForms(gram, stride: h1, a, ld: ld, count: heads, lanes: ld, into: totals)
                var cross: Float = 0
                for p in 0..<heads { cross += a[p * ld + j] * gram[p * h1 + heads] }
                totals[j] += 2 * cross + gram[heads * h1 + heads]
                Self.rootsOver(totals, sigma, count: n)
                for i in 0..<n { out[i * n + j] = totals[i] }
            }
            for j in keys {
                let a = alpha + j * heads * ld  // a_h [H, n̂], a_h[i] = α^h_ij = αᵀ[j, h, i], lanes past n zero
                let fj = f + j * fs  // F[j] [H+1, d]
                if j + 1 < keys.upperBound && !headsOnly {
                    // The next key's rows of αᵀ and F, which the first section left in L3 or further.
                    Self.prefetch(a + heads * ld, count: heads * ld)
                    Self.prefetch(fj + fs, count: fs)
                }
                if let norm {
                    Self.gram(fj, count: heads, width: d, into: gram, stride: h1)
                    Self.quadraticForms(gram, stride: h1, a, ld: ld, count: heads, lanes: ld, into: totals)
                    for i in 0..<n { norm[i * n + j] = Swift.max(0, totals[i]).squareRoot() }
                }
                var u = UnsafeMutablePointer(fj)  // u_h [H+1, d]
                if centred && raw {
                    for p in 0..<heads { Self.centre(fj + p * d, count: d, gamma: g1, into: centredVectors + p * d) }
                    (centredVectors + heads * d).update(from: fj + heads * d, count: d)
                    u = centredVectors
                }
                if let resLN { residualForms(u, a, into: resLN, j: j) }
                if let globenc {
                    for p in 0..<h1 { Self.centre(u + p * d, count: d, gamma: g2, into: e + p * d) }
                    residualForms(e, a, into: globenc, j: j)
                }
                if let alti {
                    // t_ij [6, d] = [a_h[i] / σ_i, δ_ij / σ_i]_h [6, H+1] · u [H+1, d], six rows i per tile.
                    for i in 0..<n {
                        let inverse = 1 / sigma[i]
                        let row = tileCoefficients + i * h1
                        for p in 0..<heads { row[p] = a[p * ld + i] * inverse }
                        row[heads] = i == j ? inverse : 0
                    }
                    var i0 = 0
                    while i0 < n {
                        let rows = Swift.min(6, n - i0)
                        if d % 16 == 0 {
                            var c0 = 0
                            while c0 < d {
                                Gemm.tile6x16(
                                    tileCoefficients + i0 * h1, lda: h1, rows: rows, u + c0, ldb: d, k: h1, tile + c0,
                                    ldc: d, scale: 1, spill: tile + 6 * d)
                                c0 += 16
                            }
                        } else {
                            Gemm.ab(
                                tileCoefficients + i0 * h1, lda: h1, u, ldb: d, m: rows, n: d, k: h1, into: tile, ldc: d
                            )
                        }
                        for r in 0..<rows {
                            let i = i0 + r
                            alti[i * n + j] = Swift.max(0, yNorms[i] - Self.distance(y + i * d, tile + r * d, count: d))
                        }
                        i0 += 6
                    }
                }
                if let zeroing {
                    // x̃^¬j = LN₂(h + FFN(h)), h_i = LN₁(z_i − Σ_h α^h_ij f_h(x_j)); c_ij = 1 − cos(x̃^¬j_i, x̃_i).
                    let zeroed = s.zeroed(worker: worker)  // [n, d]
                    for i in 0..<n {
                        for h in 0..<heads { tileCoefficients[i * heads + h] = a[h * ld + i] }
                    }
                    // Σ_h α^h_ij f_h(x_j) [n, d] = [α^h_ij]_h [n, H] · f(x_j) [H, d]
                    Gemm.ab(tileCoefficients, lda: heads, fj, ldb: d, m: n, n: d, k: heads, into: zeroed, ldc: d)
                    for i in 0..<n {
                        let row = zeroed + i * d
                        for k in 0..<d { row[k] = s.blockInput[i * d + k] - row[k] }
                        Kernels.layerNorm(
                            row, count: d, gamma: w.attentionNormWeight, beta: w.attentionNormBias, epsilon: eps)
                    }
                    layerTail(l, from: zeroed, rows: n, inner: s.inner(worker: worker), into: zeroed, workers: 1)
                    for i in 0..<n {
                        zeroing[i * n + j] = Self.cosineDistance(zeroed + i * d, s.layerOutput + i * d, count: d)
                    }
                }
            }
        }
        // Rows of ALTI, GlobEnc and value zeroing normalised to sum 1 (a row of zeros stays zero).
        for target in [alti, globenc, zeroing] {
            guard let target else { continue }
            rowPass(0..<n, width: n, workers: workers) { i in
                let row = target + i * n
                let total = Kernels.sum(row, count: n)
                if total > 0 { Kernels.scale(row, count: n, by: 1 / total) }
            }
        }
        // X's rows of b hold y = LN₁(z), as the tail would compute it.
        return needsBlock
    }

    /// x̃ [m, d] = LN₂(h + act(h W₁ + b₁) W₂ + b₂) for the m rows of h [m, d] (post-LN layer l's feed-forward
    /// block), with `inner` [m, f] as scratch; `out` may be `h`.
    private func layerTail(
        _ l: Int, from h: UnsafeMutablePointer<Float>, rows m: Int, inner: UnsafeMutablePointer<Float>,
        into out: UnsafeMutablePointer<Float>, workers: Int
    ) {
        let c = configuration
        let d = c.hiddenSize
        let w = parameters.layers[l]
        Gemm.panels(
            h, rows: m, lda: d, weight: w.intermediatePanels, into: inner, ldc: c.intermediateSize,
            workers: workers, epilogue: .biasActivation(w.intermediateBias, c.activation))
        if out != h { out.update(from: h, count: m * d) }
        Gemm.panels(
            inner, rows: m, lda: c.intermediateSize, weight: w.outputPanels, into: out, ldc: d, workers: workers,
            epilogue: .addBias(w.outputBias))
        for i in 0..<m {
            Kernels.layerNorm(
                out + i * d, count: d, gamma: w.outputNormWeight, beta: w.outputNormBias, epsilon: c.layerNormEpsilon)
        }
    }

    /// 1 − cos(a, b) = ‖a/‖a‖ − b/‖b‖‖² / 2 in `Double` (the difference form keeps small distances exact); 0 when
    /// either vector is 0.
    static func cosineDistance(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Float {
        var aa = 0.0
        var bb = 0.0
        for k in 0..<count {
            aa += Double(a[k]) * Double(a[k])
            bb += Double(b[k]) * Double(b[k])
        }
        guard aa > 0, bb > 0 else { return 0 }
        let ia = 1 / aa.squareRoot()
        let ib = 1 / bb.squareRoot()
        var total = 0.0
        for k in 0..<count {
            let e = Double(a[k]) * ia - Double(b[k]) * ib
            total += e * e
        }
        return Float(total / 2)
    }

    /// Σ_k a_k b_k over `count` floats, 16 lanes at a time.
    @inline(__always)
    static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Float {
        var lanes = SIMD16<Float>()
        var k = 0
        while k + 16 <= count {
            let u = UnsafeRawPointer(a + k).loadUnaligned(as: SIMD16<Float>.self)
            let v = UnsafeRawPointer(b + k).loadUnaligned(as: SIMD16<Float>.self)
            lanes += u * v
            k += 16
        }
        var total = lanes.sum()
        while k < count {
            total += a[k] * b[k]
            k += 1
        }
        return total
    }

    /// Bytes of the contribution scratch a pass allocates when some sequence keeps contributions, for sequences of
    /// at most `maxLength` tokens and `workers` threads: 4 · (H·n·n̂ + (H+1)·n·d + H·n + 2·n·d + 2n + workers ·
    /// (2(H+1)·d + (H+1)² + n̂ + n·(H+1) + 6d + 96 + n·dh + n·d + n·f)), n̂ = n rounded up to 16, plus
    /// ``contributionOperandBytes`` (built once per encoder and kept, but counted in every estimate so that the first
    /// request's is not short). 0 for a pre-LN encoder (no contributions). The encoder keeps the last pass's scratch
    /// for the next one (``ContributionWorkspacePool``).
    public func contributionWorkspaceBytes(maxLength: Int, workers: Int = Compute.threads) -> Int {
        guard configuration.normPlacement == .post else { return 0 }
        let size = ContributionWorkspace.capacities(length: maxLength, configuration: configuration, workers: workers)
        return size.total * MemoryLayout<Float>.stride + contributionOperandBytes
    }

    /// Bytes of the per-layer constant operands the contributions build on the encoder's first pass that needs them
    /// and keep with it (``ContributionOperands``): the output projections W_O unpacked, Ŵ_O = W_O C Γ₁, and the
    /// heads' M_h = W_O,h W_O,hᵀ (4 · L · (2d² + H·dh²); 7.4 MB for MiniLM). 0 for a pre-LN encoder.
    public var contributionOperandBytes: Int {
        guard configuration.normPlacement == .post else { return 0 }
        return ContributionOperands.floats(configuration) * MemoryLayout<Float>.stride
    }

    /// √(v M vᵀ) for v [dh] and the symmetric M [dh, dh]: ‖f_h(x_j)‖ from V_h[j] and M_h = W_O,h W_O,hᵀ.
    @inline(__always)
    static func headNorm(_ v: UnsafePointer<Float>, _ m: UnsafePointer<Float>, _ dh: Int) -> Float {
        let mm = UnsafeMutablePointer(mutating: m)
        var total: Float = 0
        if dh % 32 == 0 {
            let vv = UnsafeMutablePointer(mutating: v)
            var a = 0
            while a < dh {
                // (M v)[a..<a+32] = Σ_b v[b] · M[b, a..<a+32] (M symmetric), even and odd b in separate sums (four
                // independent chains), then its dot with v[a..<a+32].
                var t0 = Vec.zero
                var t1 = Vec.zero
                var u0 = Vec.zero
                var u1 = Vec.zero
                var b = 0
                while b < dh {
                    let x = Vec(repeating: v[b])
                    let y = Vec(repeating: v[b + 1])
                    t0 = t0.addingProduct(x, mm.vec(b * dh + a))
                    t1 = t1.addingProduct(x, mm.vec(b * dh + a + 16))
                    u0 = u0.addingProduct(y, mm.vec((b + 1) * dh + a))
                    u1 = u1.addingProduct(y, mm.vec((b + 1) * dh + a + 16))
                    b += 2
                }
                total += ((t0 + u0) * vv.vec(a) + (t1 + u1) * vv.vec(a + 16)).sum()
                a += 32
            }
        } else {
            for a in 0..<dh {
                var t: Float = 0
                for b in 0..<dh { t += m[a * dh + b] * v[b] }
                total += v[a] * t
            }
        }
        return Swift.max(0, total).squareRoot()
    }
}
