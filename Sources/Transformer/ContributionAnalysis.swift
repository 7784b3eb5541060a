import CBLAS

// Shape legend: see Encoder.swift (L layers, n tokens).

/// Aggregation of per-layer contribution matrices (``ContributionMeasure``, ``EncoderOutput/contributions``)
/// across layers: the API the `/attend` answer and `/similarity` use.
public enum ContributionAnalysis {
    /// Rollout of `measure` across `maps` (one `[n, n]` matrix per layer, in layer order), R = Â_L · … · Â_1.
    ///
    /// - ``ContributionMeasure/norm`` (no residual in the measure): Â = rownorm(rownorm(N) + I), attention rollout
    ///   (``AttentionAnalysis/rollout(_:)``) on the row-normalised norms.
    /// - ``ContributionMeasure/normResLN``, ``ContributionMeasure/alti``, ``ContributionMeasure/globenc`` (the
    ///   residual is in the measure): Â = rownorm(M), no identity added (Ferrando et al. 2022, Modarressi et al. 2022).
    /// - ``ContributionMeasure/normHeads`` has no rollout: `[0, 0]`.
    ///
    /// Row i of R: how much each input token contributes to position i after the last of the layers.
    /// - Returns: `[n, n]`; `[0, 0]` when `maps` is empty or not all `[n, n]` with one `n`.
    public static func rollout(_ maps: [Tensor], measure: ContributionMeasure) -> Tensor {
        guard let n = maps.first?.shape.first, n > 0,
            maps.allSatisfy({ $0.shape == [n, n] && $0.storage.count == n * n }), measure != .normHeads
        else { return Tensor(zeros: [0, 0]) }
        if !measure.includesResidual { return AttentionAnalysis.rollout(maps.map(rowNormalised)) }
        var result = rowNormalised(maps[0]).storage
        for map in maps.dropFirst() {
            let layer = rowNormalised(map).storage
            // R [n, n] = Â_l [n, n] · R [n, n]
            result = [Float](unsafeUninitializedCapacity: n * n) { out, initialized in
                cblas_sgemm(
                    CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(n), Int32(n), Int32(n), 1, layer, Int32(n),
                    result, Int32(n), 0, out.baseAddress, Int32(n))
                initialized = n * n
            }
        }
        return Tensor(shape: [n, n], storage: result)
    }

    /// One sequence's rollout of `measure` over `layers` (taken in increasing order) from its encoder output.
    /// - Returns: nil when a layer's matrix of `measure` is missing (not kept by the pass).
    public static func rollout(_ output: EncoderOutput, measure: ContributionMeasure, layers: [Int]) -> Tensor? {
        var maps: [Tensor] = []
        for l in Set(layers).sorted() {
            guard let map = output.contributions[measure]?[l] else { return nil }
            maps.append(map)
        }
        return rollout(maps, measure: measure)
    }

    /// `map` [n, n] with each row divided by its sum (a row summing to 0 stays as it is).
    public static func rowNormalised(_ map: Tensor) -> Tensor {
        guard map.shape.count == 2 else { return map }
        let n = map.shape[1]
        var storage = map.storage
        storage.withUnsafeMutableBufferPointer { p in
            guard let base = p.baseAddress, n > 0 else { return }
            for i in 0..<map.shape[0] {
                let row = base + i * n
                let total = Kernels.sum(row, count: n)
                if total > 0 { Kernels.scale(row, count: n, by: 1 / total) }
            }
        }
        return Tensor(shape: map.shape, storage: storage)
    }
}
