import Transformer

extension JobEstimate {
    /// Bytes per float in the JSON answer: the shortest round-trip form is at most 13 characters with its comma
    /// (`-1.2345678e-12,`), a fixed precision p at most p + 5 (`-0.` digits `,`) for values of magnitude < 10.
    static func bytesPerFloat(precision: Int?) -> Int { precision.map { $0 + 5 } ?? 13 }

    /// The estimate of `/attend` for these shapes.
    /// - Parameters:
    ///   - chunkTokens: the batcher's token budget per pass: maps kept only for analysis are summarised and
    ///     dropped chunk by chunk, so at most one chunk's worth of them lives at once.
    static func attend(
        encodings: [Encoding], configuration c: EncoderConfiguration, layers: Int, heads: Int, attentions: Bool,
        hiddenStates: Bool, analysis: Bool, precision: Int?, chunkTokens: Int
    ) -> JobEstimate {
        let d = c.hiddenSize
        let perFloat = bytesPerFloat(precision: precision)
        var floats = 0
        var other = 64
        var kept = 0
        var analysed = 0
        var longest = 0
        for e in encodings {
            let n = e.count
            longest = max(longest, n)
            floats += n * d + d + n * 2
            if attentions { floats += layers * heads * n * n }
            if hiddenStates { floats += (c.layers + 1) * n * d }
            if analysis { floats += n * n + layers * heads }
            other += e.tokens.reduce(0) { $0 + $1.utf8.count + 4 } + n * 24
            // Resident floats: [n, d] output (+ pooled), every head of each kept layer, hidden states.
            kept += n * d + d
            if attentions { kept += layers * c.heads * n * n }
            if hiddenStates { kept += (c.layers + 1) * n * d }
            if analysis {
                kept += n * n + layers * heads
                if !attentions { analysed += layers * c.heads * n * n }
            }
        }
        // Maps kept only to be analysed live for one pass at most: a chunk of `chunkTokens` tokens.
        let chunkSequences = max(1, chunkTokens / max(1, longest))
        let transient = min(analysed, chunkSequences * layers * c.heads * longest * longest)
        let response = floats * perFloat + other
        return JobEstimate(responseBytes: response, memoryBytes: (kept + transient) * 4 + response)
    }
}
