import Transformer

extension JobEstimate {
    /// The estimate of `/similarity` for these shapes (sequence 0 is `a`, the others the `b` texts).
    ///
    /// The JSON answer: per sequence its tokens (escapes at most 6 bytes per byte), ids and offsets; per `b` its
    /// cosine, L+1 layer cosines when `perLayer`, and two `[n, m]` matrices when `explain`, every float at most
    /// 13 bytes. The memory: what the encoder keeps for the sequences (`keptBytes`, exact), each side's pooled
    /// vectors (`d`, plus `(L+1)·d` per layer) and rollout (`rolloutFloats(n)`), the matrices of every `b` and one
    /// product's scratch (`3·n·m`), plus the response.
    static func similarity(
        encodings: [Encoding], configuration c: EncoderConfiguration, explain: Bool, perLayer: Bool,
        keptBytes: Int, rolloutFloats: (Int) -> Int, modelNameBytes: Int
    ) -> JobEstimate {
        guard let a = encodings.first else { return JobEstimate(responseBytes: 0, memoryBytes: keptBytes) }
        let d = c.hiddenSize
        let n = a.count
        var response = 160 + modelNameBytes * 6
        var floats = 0
        for (s, e) in encodings.enumerated() {
            let m = e.count
            response += 64 + e.tokens.reduce(0) { $0 + $1.utf8.count } * 6 + m * (12 + 24)
            floats += d + (perLayer ? (c.layers + 1) * d : 0) + (explain ? rolloutFloats(m) : 0)
            guard s > 0 else { continue }
            response += 64 + 13
            if perLayer { response += (c.layers + 1) * 13 }
            if explain {
                response += 2 * (n * m * 13 + n * 4) + 48
                floats += 3 * n * m
            }
            floats += perLayer ? c.layers + 1 : 0
        }
        return JobEstimate(responseBytes: response, memoryBytes: keptBytes + floats * 4 + response)
    }
}
