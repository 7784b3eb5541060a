import Transformer

extension AttendJob {
    /// Takes the request's contribution measures into the job; a pre-LN, gated or causal model has none (422).
    mutating func checkContributions(_ request: AttendRequest) throws(CoreError) {
        var measures: [ContributionMeasure] = []
        for m in request.contributions where !measures.contains(m) { measures.append(m) }
        contributions = measures.sorted()
        contributionRollout = request.contributionRollout && !contributions.isEmpty
        if request.contributionRollout && contributions.isEmpty {
            throw .invalidRequest(
                "\"contribution_rollout\" rolls out the measures of \"contributions\", which is empty",
                field:
                    "contribution_rollout")
        }
        guard !contributions.isEmpty else { return }
        if !model.configuration.supportsContributions {
            let kind = model.configuration.normPlacement == .post ? "gated (GeGLU)" : "pre-LN"
            throw .unsupported(
                "\"contributions\" decompose post-LN layers (BERT-style); model \"\(model.name)\" is \(kind)",
                field: "contributions")
        }
        if model.configuration.causal {
            // No reference covers the decomposition of causally masked attention.
            throw .unsupported(
                "\"contributions\" decompose bidirectional post-LN layers; model \"\(model.name)\" has causal "
                    + "attention",
                field: "contributions")
        }
        let limit = ContributionMeasure.valueZeroingMaxLength
        if contributions.contains(.valueZeroing), let longest = input.encodings.map(\.count).max(), longest > limit {
            throw .unsupported(
                "\"value_zeroing\" re-runs each layer once per token (n² feed-forward rows per layer), so it is "
                    + "computed for sequences of at most \(limit) tokens; this request has one of \(longest)",
                field: "contributions")
        }
        if contributions == [.normHeads] && contributionRollout {
            throw .invalidRequest(
                "\"norm_heads\" has no rollout: add a head-summed measure (norm, norm_res_ln, alti, globenc)",
                field: "contribution_rollout")
        }
    }

    /// Each requested measure's rollout over the job's layers (nil unless `contribution_rollout`; `norm_heads`
    /// has none), computed on the compute thread from the pass's per-layer matrices.
    public func contributionRollouts(_ output: EncoderOutput) -> [ContributionMeasure: Tensor] {
        guard contributionRollout else { return [:] }
        var result: [ContributionMeasure: Tensor] = [:]
        for measure in contributions where measure != .normHeads {
            result[measure] = ContributionAnalysis.rollout(output, measure: measure, layers: layers)
        }
        return result
    }

    /// Floats of one sequence's contribution answer: per selected layer n² per measure (heads · n² for
    /// norm_heads), plus n² per rolled-out measure.
    func contributionFloats(length n: Int) -> (matrices: Int, rollouts: Int) {
        let perLayer = contributions.reduce(0) { $0 + ($1 == .normHeads ? heads.count : 1) } * n * n
        let rolled = contributionRollout ? contributions.filter { $0 != .normHeads }.count * n * n : 0
        return (layers.count * perLayer, rolled)
    }

    /// What the contributions add to the estimate: the answer (JSON numbers or safetensors tensors), and in
    /// memory the rollouts, one sequence's matrices copied out of the pass's store, and the pass's contribution
    /// scratch (`Encoder.contributionWorkspaceBytes`); the matrices themselves are in `Encoder.keptBytes`.
    func contributionEstimate(precision: Int?) -> JobEstimate {
        guard !contributions.isEmpty else { return JobEstimate(responseBytes: 0, memoryBytes: 0) }
        let binary = form.format == .safetensors
        let perFloat = binary ? form.dtype.size : JobEstimate.bytesPerFloat(precision: precision)
        var response = 0
        var memory = 0
        var largest = 0
        var longest = 0
        for e in input.encodings {
            let n = e.count
            let floats = contributionFloats(length: n)
            let tensors = contributions.count * layers.count + (contributionRollout ? contributions.count : 0)
            // JSON: brackets and names per row and measure; safetensors: one header entry per tensor.
            let framing = binary ? tensors * JobEstimate.safetensorsEntryBytes : (tensors * (n + 1) * 2 + 64)
            response += (floats.matrices + floats.rollouts) * perFloat + framing
            memory += floats.rollouts * 4
            largest = max(largest, floats.matrices)
            longest = max(longest, n)
        }
        memory += largest * 4 + model.encoder.contributionWorkspaceBytes(maxLength: longest)
        return JobEstimate(responseBytes: response, memoryBytes: memory + response)
    }
}

extension JobEstimate {
    /// Adds another part's bytes.
    mutating func add(_ other: JobEstimate) {
        responseBytes += other.responseBytes
        memoryBytes += other.memoryBytes
    }
}
