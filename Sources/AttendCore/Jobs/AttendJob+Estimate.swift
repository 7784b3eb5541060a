import Transformer

extension JobEstimate {
    /// Bytes per float in the JSON answer: the shortest round-trip form is at most 13 characters with its comma
    /// (`-1.2345678e-12,`), a fixed precision p at most p + 5 (`-0.` digits `,`) for values of magnitude < 10.
    static func bytesPerFloat(precision: Int?) -> Int { precision.map { $0 + 5 } ?? 13 }

    /// The estimate of `/attend` for `job`'s shapes: the JSON answer from the number of floats and tokens, and the
    /// memory from what the encoder keeps for each sequence (`Encoder.keptBytes`, exact) plus the analysis results
    /// and the answer itself.
    static func attend(_ job: AttendJob) -> JobEstimate {
        let c = job.model.configuration
        let d = c.hiddenSize
        let layers = job.layers.count
        let heads = job.heads.count
        let perFloat = bytesPerFloat(precision: job.precision)
        var floats = 0
        var other = 64
        var summaries = 0
        for e in job.input.encodings {
            let n = e.count
            floats += n * d + d + n * 2
            if job.attentions { floats += layers * heads * n * n }
            if job.hiddenStates { floats += (c.layers + 1) * n * d }
            if job.analysis {
                floats += n * n + layers * heads
                summaries += n * n + layers * heads
            }
            other += e.tokens.reduce(0) { $0 + $1.utf8.count + 4 } + n * 24
        }
        let response = floats * perFloat + other
        let kept = job.model.encoder.keptBytes(for: job.encoderInputs)
        return JobEstimate(
            responseBytes: response, memoryBytes: kept + summaries * 4 + d * 4 * job.input.encodings.count + response)
    }
}
