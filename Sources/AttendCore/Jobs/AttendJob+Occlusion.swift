import Transformer

// Shape legend: per input k, n_k tokens and P_k the positions it occludes; d the hidden width; A the number of
// attributions compared (attention rollout with "analysis", each requested contribution measure but norm_heads).

extension AttendJob {
    /// The positions `"occlusion"` removes from a sequence: every token but the ones the tokenizer added
    /// ([CLS], [SEP]: `Encoding.specialTokensMask`; `input_ids` flag none), when at least 2 tokens are there (one
    /// must be left to encode).
    public static func occludedPositions(_ encoding: Encoding) -> [Int] {
        guard encoding.count >= 2 else { return [] }
        return encoding.specialTokensMask.indices.filter { !encoding.specialTokensMask[$0] }
    }

    /// Per input, the positions it occludes (nothing without `"occlusion"`).
    public var occlusionPositions: [[Int]] {
        occlusion ? input.encodings.map(Self.occludedPositions) : input.encodings.map { _ in [] }
    }

    /// The occluded sequences, input by input and position by position: each input without that one token,
    /// keeping nothing but its last hidden state (pooled on the compute thread, then dropped).
    public var occlusionInputs: [EncoderInput] {
        guard occlusion else { return [] }
        var result: [EncoderInput] = []
        for (original, positions) in zip(input.encodings, occlusionPositions) {
            let base = EncoderInput(ids: original.ids, typeIds: input.typeIDs(original), keep: .lastHiddenState)
            for p in positions {
                if let dropped = OcclusionAnalysis.dropping(base, at: p) { result.append(dropped) }
            }
        }
        return result
    }

    /// What one pass runs for this job: ``encoderInputs``, then ``occlusionInputs`` (in the same batcher job, so
    /// they share its batches).
    public var passInputs: [EncoderInput] { encoderInputs + occlusionInputs }

    /// Takes `"occlusion"` into the job: not with bertviz's format (422); the occluded sequences count in the
    /// request's caps (`compute.max_request_tokens`, `compute.max_request_sequences`: 413 saying how to shrink).
    mutating func checkOcclusion(_ request: AttendRequest, limits: RequestLimits) throws(CoreError) {
        occlusion = request.occlusion
        guard occlusion else { return }
        if form.format == .bertviz {
            throw .unsupported(
                "\"format\": \"bertviz\" returns only what bertviz takes; leave \"occlusion\" out", field: "occlusion")
        }
        var tokens = input.totalTokens
        var sequences = input.encodings.count
        for (e, positions) in zip(input.encodings, occlusionPositions) {
            tokens += positions.count * (e.count - 1)
            sequences += positions.count
        }
        let how =
            "\"occlusion\" encodes each input once more per token, with that token removed (n sequences of n − 1 "
            + "tokens: a 16-token input adds 16 × 15 = 240 tokens); send shorter or fewer inputs, or leave out "
            + "\"occlusion\""
        if tokens > limits.maxTokens {
            throw .requestTooLarge(
                "with occlusion the request computes \(tokens) tokens, over the limit of \(limits.maxTokens) per "
                    + "request (compute.max_request_tokens); " + how)
        }
        if sequences > limits.maxSequences {
            throw .requestTooLarge(
                "with occlusion the request computes \(sequences) sequences, over the limit of "
                    + "\(limits.maxSequences) per request (compute.max_request_sequences); " + how)
        }
    }

    /// The attributions compared with occlusion: `attention_rollout` with the analysis, then each requested
    /// contribution measure but `norm_heads` (it has no rollout).
    public var occlusionAttributionNames: [String] {
        guard occlusion else { return [] }
        return (analysis ? ["attention_rollout"] : []) + contributions.filter { $0 != .normHeads }.map(\.rawValue)
    }

    /// What occlusion adds to the estimate. Memory: what the pass keeps for the occluded sequences (their last
    /// hidden states, exactly `Encoder.keptBytes`), their pooled vectors (d floats each), per input its importances,
    /// attributions and reference vector ((1 + A)·n + d floats), the rollout of each measure not returned (n², one
    /// sequence at a time), and the answer. Answer: JSON numbers (or `null`) per token and attribution plus names,
    /// or safetensors tensors (importance and each attribution, [n]) and their header entries.
    func occlusionEstimate(precision: Int?) -> JobEstimate {
        guard occlusion else { return JobEstimate(responseBytes: 0, memoryBytes: 0) }
        let d = model.configuration.hiddenSize
        let names = occlusionAttributionNames
        let binary = form.format == .safetensors
        let perFloat = binary ? form.dtype.size : JobEstimate.bytesPerFloat(precision: precision)
        let extra = occlusionInputs
        var memory = model.encoder.keptBytes(for: extra) + extra.count * d * 4
        var response = 0
        var longest = 0
        for e in input.encodings {
            let n = e.count
            longest = max(longest, n)
            memory += ((1 + names.count) * n + d) * 4
            let framing = binary ? (1 + names.count) * JobEstimate.safetensorsEntryBytes : 96
            let nameBytes = names.reduce(0) { $0 + 2 * ($1.utf8.count + 4) + 13 }
            response += (1 + names.count) * n * max(perFloat, 5) + nameBytes + framing
        }
        let unreturned = contributionRollout ? 0 : contributions.filter { $0 != .normHeads }.count
        memory += unreturned * longest * longest * 4
        return JobEstimate(responseBytes: response, memoryBytes: memory + response)
    }

    /// For one of the job's own sequences, on the compute thread: the attributions of its pooled vector (from the
    /// analysis rollout and each measure's rollout, computed here when `"contribution_rollout"` does not return
    /// it) and the vector the occluded sequences are compared with; importances and correlations are filled in by
    /// ``foldOcclusion(_:)``. Nil without occlusion.
    public func occlusionStart(_ result: SequenceResult) -> OcclusionResult? {
        guard occlusion else { return nil }
        let hidden = result.output.lastHiddenState
        let n = hidden.shape.first ?? 0
        let weights = OcclusionAnalysis.poolingWeights(hidden, pooling)
        var attributions: [OcclusionResult.Attribution] = []
        if analysis, let rollout = result.summary?.rollout {
            attributions.append(
                .init(name: "attention_rollout", values: OcclusionAnalysis.attribution(rollout, weights: weights)))
        }
        for measure in contributions where measure != .normHeads {
            let rollout =
                result.contributionRollouts[measure]
                ?? ContributionAnalysis.rollout(result.output, measure: measure, layers: layers)
            guard let rollout else { continue }
            attributions.append(
                .init(name: measure.rawValue, values: OcclusionAnalysis.attribution(rollout, weights: weights)))
        }
        var start = OcclusionResult(
            pooling: pooling == .none ? .mean : pooling, importance: Array(repeating: nil, count: n),
            attributions: attributions)
        start.reference = OcclusionAnalysis.pooled(hidden, pooling) ?? []
        return start
    }

    /// For one occluded sequence, on the compute thread: only its pooled vector (no maps, no hidden states).
    public func occludedResult(_ output: EncoderOutput) -> SequenceResult {
        SequenceResult(
            output: EncoderOutput(lastHiddenState: Tensor(zeros: [0, 0])),
            pooled: OcclusionAnalysis.pooled(output.lastHiddenState, pooling), summary: nil)
    }

    /// The job's own results with their occlusion complete: `all` holds the results of ``passInputs`` (the job's
    /// sequences, then the occluded ones in ``occlusionInputs`` order); each importance is 1 − cos of the
    /// reference and the occluded vector, each attribution's Spearman correlation is taken over the occluded
    /// positions.
    public func foldOcclusion(_ all: [SequenceResult]) -> [SequenceResult] {
        let count = input.encodings.count
        guard occlusion, all.count >= count else { return all }
        var results = Array(all.prefix(count))
        var next = count
        for (k, positions) in occlusionPositions.enumerated() {
            let occluded = all[min(next, all.count)..<min(next + positions.count, all.count)]
            next += positions.count
            guard var o = results[k].occlusion else { continue }
            for (p, result) in zip(positions, occluded) {
                if let vector = result.pooled { o.importance[p] = OcclusionAnalysis.importance(o.reference, vector) }
            }
            let kept = positions.filter { o.importance[$0] != nil }
            let importance = kept.compactMap { o.importance[$0] }
            for a in o.attributions.indices where o.attributions[a].values.count == o.importance.count {
                let values = kept.map { o.attributions[a].values[$0] }
                o.attributions[a].spearman = OcclusionAnalysis.spearman(values, importance)
            }
            o.reference = []
            results[k].occlusion = o
        }
        return results
    }
}
