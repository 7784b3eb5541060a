// Token contributions of one layer, in the forward pass. Shape legend: see Encoder.swift (n, d, H, dh, L).

import CBLAS

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

extension Encoder {
    /// Layer l's contribution matrices (``ContributionMeasure``) for every sequence that keeps them, computed
    /// between the layer's attention and its output projection, while ws.x holds the layer input X, ws.qkv its
    /// Q, K, V (biases added) and ws.context its attention output (post-LN encoders only).
    ///
    /// Per sequence, with the products in `cblas_sgemm` and the element loops over contiguous rows:
    ///   α^h [n, n] = softmax(Q_h K_hᵀ / √dh)                       (recomputed: H products n × n × dh)
    ///   F_h [n, d] = V_h W_O,h, row j = f_h(x_j)                   (H products n × d × dh)
    ///   z [n, d] = X + ctx·W_O + b_O, σ_i = √(var(z_i) + ε), y = LN₁(z)
    /// then, the key tokens j split over the workers:
    ///   norm: ‖Σ_h α^h_ij F_h[j]‖ = √(aᵀ G_j a) with a = (α^h_ij)_h and G_j the Gram matrix of the F_h[j];
    ///   norm_res_ln: the same with the H + 1 vectors γ₁ ⊙ C F_h[j], γ₁ ⊙ C x_j (C centres) and a_H = δ_ij, / σ_i;
    ///   ALTI, GlobEnc: the vectors T[i] = Σ_h α^h_ij F_h[j] (+ x_j when i = j) for all i in one product
    ///   [n, H] · [H, d], then t = γ₁ ⊙ (T[i] − mean) / σ_i, c_ij = max(0, ‖y_i‖₁ − ‖y_i − t‖₁) and
    ///   g_ij = ‖γ₂ ⊙ (t − mean t)‖; the rows of both are normalised to sum 1 at the end.
    func contributions(
        layer l: Int, plan: BatchPlan, ws: Workspace, keep: [KeptSelection], stores: [ContributionStore?],
        scratch: ContributionWorkspace, workers: Int
    ) {
        let w = parameters.layers[l]
        w.attentionOutputPanels.unpack(into: scratch.outputWeight)
        for b in 0..<plan.count where keep[b].contributionSlots[l] >= 0 {
            guard let store = stores[b] else { continue }
            sequenceContributions(
                layer: l, b: b, plan: plan, ws: ws, selection: keep[b], store: store, scratch: scratch,
                workers: workers)
        }
    }

    private func sequenceContributions(
        layer l: Int, b: Int, plan: BatchPlan, ws: Workspace, selection: KeptSelection, store: ContributionStore,
        scratch s: ContributionWorkspace, workers: Int
    ) {
        let c = configuration
        let d = c.hiddenSize
        let heads = c.heads
        let dh = d / heads
        let w = parameters.layers[l]
        let slot = selection.contributionSlots[l]
        let n = plan.lengths[b]
        let x = ws.x + plan.offsets[b] * d  // X [n, d]
        let qkv = ws.qkv + plan.offsets[b] * 3 * d  // [n, 3d]
        let context = ws.context + plan.offsets[b] * d  // ctx [n, d]
        let alpha = s.weights  // [H, n, n]
        let f = s.transformed  // [H, n, d]
        let fNorms = s.transformedNorms  // [H, n]
        let y = s.blockOutput  // [n, d]
        let sigma = s.sigmas  // [n]
        let yNorms = s.blockNorms  // [n]
        let eps = c.layerNormEpsilon
        let scale = 1 / Float(dh).squareRoot()

        // α^h and F_h, one head per item.
        Compute.parallel(Swift.min(workers, heads)) { worker in
            var h = worker
            while h < heads {
                let a = alpha + h * n * n
                cblas_sgemm(
                    CblasRowMajor, CblasNoTrans, CblasTrans, Int32(n), Int32(n), Int32(dh), scale, qkv + h * dh,
                    Int32(3 * d), qkv + d + h * dh, Int32(3 * d), 0, a, Int32(n))
                for i in 0..<n { Self.softmaxRow(a + i * n, count: n) }
                let fh = f + h * n * d
                cblas_sgemm(
                    CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(n), Int32(d), Int32(dh), 1, qkv + 2 * d + h * dh,
                    Int32(3 * d), s.outputWeight + h * dh * d, Int32(d), 0, fh, Int32(d))
                for j in 0..<n { fNorms[h * n + j] = Self.dot(fh + j * d, fh + j * d, count: d).squareRoot() }
                h += Swift.min(workers, heads)
            }
        }
        // z = X + ctx·W_O + b_O; σ_i; y = LN₁(z), ‖y_i‖₁.
        Compute.parallelShares(n, parts: workers) { _, rows in
            let r0 = rows.lowerBound
            cblas_sgemm(
                CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(rows.count), Int32(d), Int32(d), 1,
                context + r0 * d, Int32(d), s.outputWeight, Int32(d), 0, y + r0 * d, Int32(d))
            for i in rows {
                let row = y + i * d
                var mean: Float = 0
                for k in 0..<d {
                    row[k] += x[i * d + k] + w.attentionOutputBias[k]
                    mean += row[k]
                }
                mean /= Float(d)
                var variance: Float = 0
                for k in 0..<d {
                    let e = row[k] - mean
                    variance += e * e
                }
                (s.blockInput + i * d).update(from: row, count: d)
                let sd = (variance / Float(d) + eps).squareRoot()
                sigma[i] = sd
                var l1: Float = 0
                for k in 0..<d {
                    row[k] = w.attentionNormWeight[k] * (row[k] - mean) / sd + w.attentionNormBias[k]
                    l1 += abs(row[k])
                }
                yNorms[i] = l1
            }
        }

        let h1 = heads + 1
        let h1Squared = h1 * h1
        let norm = store.matrix(.norm, slot: slot)
        let normHeads = store.matrix(.normHeads, slot: slot)
        let resLN = store.matrix(.normResLN, slot: slot)
        let alti = store.matrix(.alti, slot: slot)
        let globenc = store.matrix(.globenc, slot: slot)
        let zeroing = store.matrix(.valueZeroing, slot: slot)
        if zeroing != nil {
            // The layer's own output x̃ = LN₂(y + FFN(y)), from y as computed here (worker 0's inner rows).
            layerTail(
                l, from: y, rows: n, inner: s.vectors + 2 * n * d + n * heads + h1Squared + h1 * d, into: s.layerOutput,
                workers: workers)
        }
        let keptHeads = selection.heads
        let g1 = w.attentionNormWeight
        let g2 = w.outputNormWeight
        Compute.parallelShares(n, parts: workers) { worker, keys in
            let t = s.vectors + worker * s.perWorker  // T [n, d]
            let a = t + n * d  // A_j [n, H]
            let gram = a + n * heads  // [(H+1), (H+1)]
            let centred = gram + h1Squared  // [(H+1), d]
            let zeroed = centred + h1 * d  // x̃^¬j [n, d]
            let inner = zeroed + n * d  // [n, f]
            for j in keys {
                // A_j [n, H]: A_j[i, h] = α^h_ij, gathered once (α's column j is n² floats apart per head).
                if norm != nil || resLN != nil || alti != nil || globenc != nil || zeroing != nil {
                    for h in 0..<heads {
                        let column = alpha + h * n * n + j
                        for i in 0..<n { a[i * heads + h] = column[i * n] }
                    }
                }
                if let normHeads {
                    for (k, h) in keptHeads.enumerated() {
                        let target = normHeads + k * n * n
                        for i in 0..<n { target[i * n + j] = alpha[(h * n + i) * n + j] * fNorms[h * n + j] }
                    }
                }
                if let norm {
                    // G_j[h, h'] = f_h(x_j) · f_h'(x_j)
                    for p in 0..<heads {
                        for q in p..<heads {
                            let v = Self.dot(f + (p * n + j) * d, f + (q * n + j) * d, count: d)
                            gram[p * h1 + q] = v
                            gram[q * h1 + p] = v
                        }
                    }
                    for i in 0..<n {
                        let total = Self.quadraticForm(gram, stride: h1, a + i * heads, count: heads)
                        norm[i * n + j] = Swift.max(0, total).squareRoot()
                    }
                }
                if let resLN {
                    // The H + 1 vectors γ₁ ⊙ C f_h(x_j) and γ₁ ⊙ C x_j, and their Gram matrix.
                    for p in 0..<h1 {
                        let source = p < heads ? f + (p * n + j) * d : x + j * d
                        let target = centred + p * d
                        var mean: Float = 0
                        for k in 0..<d { mean += source[k] }
                        mean /= Float(d)
                        for k in 0..<d { target[k] = g1[k] * (source[k] - mean) }
                    }
                    for p in 0..<h1 {
                        for q in p..<h1 {
                            let v = Self.dot(centred + p * d, centred + q * d, count: d)
                            gram[p * h1 + q] = v
                            gram[q * h1 + p] = v
                        }
                    }
                    for i in 0..<n {
                        let ai = a + i * heads
                        var total = Self.quadraticForm(gram, stride: h1, ai, count: heads)
                        if i == j {
                            var cross: Float = 0
                            for p in 0..<heads { cross += ai[p] * gram[p * h1 + heads] }
                            total += 2 * cross + gram[heads * h1 + heads]
                        }
                        resLN[i * n + j] = Swift.max(0, total).squareRoot() / sigma[i]
                    }
                }
                if alti != nil || globenc != nil || zeroing != nil {
                    // T [n, d] = A_j [n, H] · [f_1(x_j); …; f_H(x_j)] [H, d], rows n·d apart in F.
                    cblas_sgemm(
                        CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(n), Int32(d), Int32(heads), 1, a,
                        Int32(heads), f + j * d, Int32(n * d), 0, t, Int32(d))
                    if let zeroing {
                        // x̃^¬j = LN₂(h + FFN(h)), h_i = LN₁(z_i − Σ_h α^h_ij f_h(x_j)); c_ij = 1 − cos(x̃^¬j_i, x̃_i).
                        for i in 0..<n {
                            let row = zeroed + i * d
                            for k in 0..<d { row[k] = s.blockInput[i * d + k] - t[i * d + k] }
                            Kernels.layerNorm(
                                row, count: d, gamma: w.attentionNormWeight, beta: w.attentionNormBias, epsilon: eps)
                        }
                        layerTail(l, from: zeroed, rows: n, inner: inner, into: zeroed, workers: 1)
                        for i in 0..<n {
                            zeroing[i * n + j] = Self.cosineDistance(zeroed + i * d, s.layerOutput + i * d, count: d)
                        }
                    }
                    guard alti != nil || globenc != nil else { continue }
                    for k in 0..<d { t[j * d + k] += x[j * d + k] }
                    for i in 0..<n {
                        let v = t + i * d
                        var mean: Float = 0
                        for k in 0..<d { mean += v[k] }
                        mean /= Float(d)
                        let inverse = 1 / sigma[i]
                        let yi = y + i * d
                        var distance: Float = 0
                        var tMean: Float = 0
                        for k in 0..<d {
                            let e = g1[k] * (v[k] - mean) * inverse
                            v[k] = e
                            distance += abs(yi[k] - e)
                            tMean += e
                        }
                        if let alti { alti[i * n + j] = Swift.max(0, yNorms[i] - distance) }
                        if let globenc {
                            tMean /= Float(d)
                            var squares: Float = 0
                            for k in 0..<d {
                                let e = g2[k] * (v[k] - tMean)
                                squares += e * e
                            }
                            globenc[i * n + j] = squares.squareRoot()
                        }
                    }
                }
            }
        }
        // Rows of ALTI, GlobEnc and value zeroing normalised to sum 1 (a row of zeros stays zero).
        for target in [alti, globenc, zeroing] {
            guard let target else { continue }
            for i in 0..<n {
                let row = target + i * n
                var total: Float = 0
                for j in 0..<n { total += row[j] }
                if total > 0 { for j in 0..<n { row[j] /= total } }
            }
        }
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

    /// Softmax of one row of `count` scores, in place.
    @inline(__always)
    static func softmaxRow(_ row: UnsafeMutablePointer<Float>, count: Int) {
        var m = -Float.infinity
        for j in 0..<count { m = Swift.max(m, row[j]) }
        var total: Float = 0
        for j in 0..<count {
            let e = expf(row[j] - m)
            row[j] = e
            total += e
        }
        let inverse = 1 / total
        for j in 0..<count { row[j] *= inverse }
    }

    /// aᵀ G a = Σ_p a_p Σ_q G[p, q] a_q for the leading `count` × `count` block of `gram` (row stride `stride`):
    /// the squared norm of Σ_h a_h v_h when G is the Gram matrix of the vectors v_h.
    @inline(__always)
    static func quadraticForm(
        _ gram: UnsafePointer<Float>, stride: Int, _ a: UnsafePointer<Float>, count: Int
    ) -> Float {
        var total: Float = 0
        for p in 0..<count {
            var row: Float = 0
            for q in 0..<count { row += gram[p * stride + q] * a[q] }
            total += a[p] * row
        }
        return total
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
    /// at most `maxLength` tokens and `workers` threads: 4 · (d² + H·n² + H·n·d + H·n + n·d + 2n + workers ·
    /// (n·d + n·H + (H+1)² + (H+1)·d)). 0 for a pre-LN encoder (no contributions).
    public func contributionWorkspaceBytes(maxLength: Int, workers: Int = Compute.threads) -> Int {
        guard configuration.normPlacement == .post else { return 0 }
        let size = ContributionWorkspace.capacities(length: maxLength, configuration: configuration, workers: workers)
        return size.total * MemoryLayout<Float>.stride
    }
}
