import Transformer

extension AttendEngine {
    /// One output of a job with probes, as the compute thread hands it over.
    private enum ProbePart: Sendable {
        case original(SequenceResult)
        case probe(EncoderOutput, pooled: [Float]?)
    }

    /// Runs a job with probes: each sequence followed by its P variants, in one batcher job (so a sequence and
    /// its probes share a pass unless the batch token cap splits them; each output equals its solo run either
    /// way). Pooling happens on the compute thread; the comparisons with the originals on ``workers``.
    func runProbes(_ job: AttendJob) async throws -> [SequenceResult] {
        let originals = job.encoderInputs
        let p = job.probes.count
        var inputs: [EncoderInput] = []
        inputs.reserveCapacity(originals.count * (1 + p))
        for (s, original) in originals.enumerated() {
            inputs.append(original)
            for probe in job.probes { inputs.append(probe.variants[s].input) }
        }
        let parts = try await batcher.run(model: job.model, inputs: inputs, options: ForwardOptions()) {
            (index: Int, output: EncoderOutput) -> ProbePart in
            if index % (1 + p) == 0 { return .original(Self.sequenceResult(job, output, index: index / (1 + p))) }
            var output = output
            output.pooled = nil
            let pooled = Encoder.pool(output.lastHiddenState, job.pooling, normalize: job.normalize)
            return .probe(output, pooled: pooled)
        }
        return try await workers.run {
            var results: [SequenceResult] = []
            for s in 0..<originals.count {
                guard case .original(var result) = parts[s * (1 + p)] else { continue }
                for (k, probe) in job.probes.enumerated() {
                    guard case .probe(let output, let pooled) = parts[s * (1 + p) + 1 + k] else { continue }
                    let variant = probe.variants[s]
                    let comparison = ProbeComparison(
                        original: result.output, originalPooled: result.pooled, probe: output, probePooled: pooled,
                        alignment: variant.alignment, layers: job.attentions ? job.layers : [])
                    result.probes.append(
                        ProbeResult(
                            name: probe.name, variant: variant, output: output, pooled: pooled,
                            comparison: comparison))
                }
                results.append(result)
            }
            return results
        }
    }
}
