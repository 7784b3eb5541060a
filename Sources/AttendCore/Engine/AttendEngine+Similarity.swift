import Transformer

extension AttendEngine {
    /// Checks `request` into a job: the model (and its pooling, mean when it has none), `a` and every `b`
    /// tokenized as one input (so they run in one batch), and the size estimate. Throws `requestTooLarge` for
    /// more than ``SimilarityRequest/maxComparisons`` texts `b`, `responseTooLarge` when the answer or the memory
    /// it needs can never fit.
    public func prepare(_ request: SimilarityRequest) async throws -> SimilarityJob {
        let model = try registry.resolve(request.model)
        guard !request.b.isEmpty else {
            throw CoreError.invalidRequest("\"b\" must hold at least one text", field: "b")
        }
        guard request.b.count <= SimilarityRequest.maxComparisons else {
            throw CoreError.requestTooLarge(
                "\"b\" holds \(request.b.count) texts, over the limit of \(SimilarityRequest.maxComparisons) per "
                    + "request; split it into several requests")
        }
        let input = try await read(.texts([request.a] + request.b), model: model, truncate: request.truncate)
        let c = model.configuration
        if request.explain, request.measure.contribution != nil, !c.supportsContributions || c.causal {
            // Causal: no reference covers the decomposition of masked attention.
            let kind = c.normPlacement != .post ? "pre-LN" : c.causal ? "causal" : "gated (GeGLU)"
            throw CoreError.unsupported(
                "\"measure\": \"\(request.measure.rawValue)\" decomposes bidirectional post-LN layers (BERT-style); "
                    + "model \"\(model.name)\" is \(kind): use \"attention_rollout\"",
                field: "measure")
        }
        let pooling = model.defaultPooling == .none ? Pooling.mean : model.defaultPooling
        var job = SimilarityJob(
            model: model, input: input, pooling: pooling, explain: request.explain, perLayer: request.perLayer,
            measure: request.measure, estimate: JobEstimate(responseBytes: 0, memoryBytes: 0))
        let plan = job.plan
        job.estimate = JobEstimate.similarity(
            encodings: input.encodings, configuration: model.configuration, explain: request.explain,
            perLayer: request.perLayer, keptBytes: model.encoder.keptBytes(for: job.encoderInputs),
            rolloutFloats: plan.floats, modelNameBytes: model.name.utf8.count)
        if request.explain, request.measure.contribution != nil {
            // The contribution pass's per-layer scratch (one sequence at a time).
            let longest = input.encodings.map(\.count).max() ?? 0
            job.estimate.memoryBytes += model.encoder.contributionWorkspaceBytes(maxLength: longest)
        }
        let shrink = "send fewer or shorter texts, or leave out \"explain\" or \"per_layer\""
        let limit = configuration.maxResponseBytes
        guard job.estimate.responseBytes <= limit else {
            throw CoreError.responseTooLarge(
                "the response would be about \(job.estimate.responseBytes) bytes, over the limit of \(limit) "
                    + "bytes; " + shrink)
        }
        guard job.estimate.memoryBytes <= budget.capacity else {
            throw CoreError.responseTooLarge(
                "the request needs about \(job.estimate.memoryBytes) bytes of memory, over the service's budget "
                    + "of \(budget.capacity) bytes (compute.max_memory_bytes); " + shrink)
        }
        return job
    }

    /// Runs `job` within a reservation of its memory estimate: `a` and every `b` in one batcher job (each side's
    /// pooling, per-layer pooling and rollout on the compute thread as its pass ends), then the comparisons of
    /// every `b` with `a` on ``workers``; hands them to `write` (which serializes them) before the reservation
    /// ends.
    public func similarity<T: Sendable>(
        _ job: SimilarityJob, write: @Sendable ([SimilarityComparison]) async throws -> T
    ) async throws -> T {
        try await budget.withReservation(job.estimate.memoryBytes) {
            let sides = try await batcher.run(model: job.model, inputs: job.encoderInputs, options: ForwardOptions()) {
                _, output in SimilaritySide(output: output, job: job)
            }
            let comparisons = try await workers.run {
                sides.dropFirst().map { SimilarityComparison(a: sides[0], b: $0, pooling: job.pooling) }
            }
            return try await write(comparisons)
        }
    }
}
