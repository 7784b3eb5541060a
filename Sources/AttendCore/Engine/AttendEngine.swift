import Foundation
import Transformer

/// The service without HTTP: the models, the batcher and its compute thread, the per-request caps, the memory
/// budget and the worker threads for heavy request work. The HTTP layer decodes requests into typed values
/// (``AttendRequest``, ``EmbeddingRequest``, ``SequenceSource``), calls the engine, and writes what it returns.
///
/// One request's walk: ``prepare(_:)`` resolves the model, tokenizes (on ``workers`` when large) and checks
/// it into an ``AttendJob`` with its size estimate; ``attend(_:write:)`` reserves the estimate against the
/// ``budget``, runs the job through the ``batcher`` (pooling and analysis on the compute thread, per pass) and
/// hands the results to the caller's writer before releasing the reservation.
public final class AttendEngine: Sendable {
    public let configuration: CoreConfiguration
    public let registry: ModelRegistry
    public let batcher: Batcher
    public let budget: MemoryBudget
    /// Threads for tokenizing and serializing large requests (never Swift's cooperative pool).
    public let workers: Workers
    public let limits: RequestLimits

    /// Sources and bodies at least this large are tokenized or written on ``workers``; smaller ones inline.
    public static let offloadBytes = 64 << 10

    /// An engine for `configuration`; pass `registry` to serve already-built models (tests, `attend run`).
    public init(
        configuration: CoreConfiguration, registry: ModelRegistry? = nil, events: Batcher.EventHandler? = nil
    ) {
        self.configuration = configuration
        self.registry = registry ?? ModelRegistry(entries: configuration.models)
        let compute = configuration.compute
        self.batcher = Batcher(
            limits: Batcher.Limits(
                maxBatchTokens: compute.maxBatchTokens, maxBatchSize: compute.maxBatchSize,
                maxWait: .microseconds(Int64(compute.maxWaitMilliseconds * 1000)), queueCapacity: compute.queueCapacity,
                maxQueue: compute.maxQueueMilliseconds > 0 ? .milliseconds(compute.maxQueueMilliseconds) : nil),
            events: events)
        self.budget = MemoryBudget(
            capacity: compute.maxMemoryBytes ?? MemoryBudget.defaultCapacity(),
            maxWait: .milliseconds(compute.maxBudgetWaitMilliseconds))
        self.workers = Workers(
            count: max(1, min(ProcessInfo.processInfo.activeProcessorCount, 4)), name: "attend-worker")
        self.limits = RequestLimits(maxTokens: compute.maxRequestTokens, maxSequences: compute.maxRequestSequences)
    }

    /// Loads every configured model (call after the server listens); returns load errors by model name.
    @discardableResult
    public func loadModels() -> [String: String] {
        if configuration.compute.threads > 0 { Compute.setThreads(configuration.compute.threads) }
        return registry.loadAll()
    }

    /// Stops the compute thread (queued jobs fail with `shuttingDown`) and the workers.
    public func shutdown() {
        batcher.shutdown()
        workers.shutdown()
    }

    // MARK: Reading input

    /// Tokenizes and checks `source` for `model`: on ``workers`` when it is large, inline otherwise.
    public func read(
        _ source: SequenceSource, model: ServedModel, addSpecialTokens: Bool = true, truncate: Bool = false,
        direction: TruncationDirection = .right
    ) async throws -> SequenceInput {
        let reader = SequenceReader(
            model: model, addSpecialTokens: addSpecialTokens, truncate: truncate, direction: direction,
            limits: limits)
        let start = ContinuousClock.now
        defer { RequestTiming.current?.addTokenization(ContinuousClock.now - start) }
        guard Self.approximateBytes(source) >= Self.offloadBytes else { return try reader.read(source) }
        return try await workers.run { try reader.read(source) }
    }

    static func approximateBytes(_ source: SequenceSource) -> Int {
        switch source {
        case .texts(let texts): return texts.reduce(0) { $0 + $1.utf8.count }
        case .textPairs(let texts): return texts.reduce(0) { $0 + $1.utf8Count }
        case .words(let lists): return lists.reduce(0) { $0 + $1.reduce(0) { $0 + $1.utf8.count + 1 } }
        case .ids(let lists): return lists.reduce(0) { $0 + $1.count } * 6
        }
    }

    // MARK: /attend

    /// Checks `request` into a job: model, input, layers and heads, and the size estimate. Throws
    /// `CoreError.responseTooLarge` when the estimated answer is over `server.max_response_bytes` or the memory
    /// it needs is over the whole budget.
    public func prepare(_ request: AttendRequest) async throws -> AttendJob {
        let model = try registry.resolve(request.model)
        let c = model.configuration
        let layers = try Selection.resolve(request.layers, count: c.layers, kind: "layer")
        let heads = try Selection.resolve(request.heads, count: c.heads, kind: "head")
        let input = try await read(
            request.source, model: model, addSpecialTokens: request.addSpecialTokens, truncate: request.truncate)
        var job = AttendJob(
            model: model, input: input, layers: layers, heads: heads, attentions: request.attentions,
            hiddenStates: request.hiddenStates, analysis: request.analysis,
            pooling: request.pooling ?? model.defaultPooling, normalize: request.normalize ?? model.defaultNormalize,
            precision: request.precision, estimate: JobEstimate(responseBytes: 0, memoryBytes: 0))
        job.form = request.form
        try job.checkContributions(request)
        try job.checkOcclusion(request, limits: limits)
        job.headRoles = request.headRoles
        try job.checkPredictions(request)
        try job.checkProbes(request, limits: limits)
        var estimate = JobEstimate.attend(
            encodings: input.encodings, configuration: c, layers: layers.count, heads: heads.count,
            attentions: request.attentions, hiddenStates: request.hiddenStates, analysis: request.analysis,
            precision: request.precision, keptBytes: model.encoder.keptBytes(for: job.encoderInputs),
            form: request.form, modelNameBytes: model.name.utf8.count)
        estimate.add(job.contributionEstimate(precision: request.precision))
        estimate.add(job.occlusionEstimate(precision: request.precision))
        estimate.add(job.headRoleEstimate(precision: request.precision))
        estimate.add(job.predictionEstimate(precision: request.precision))
        job.addProbes(to: &estimate)
        job.estimate = estimate
        if request.form.rows != nil {
            for (i, e) in input.encodings.enumerated() where request.form.resolvedRows(e.count) == nil {
                throw CoreError.unsupported(
                    "\"rows\" holds an index outside sequence \(i) of \(e.count) tokens "
                        + "(0...\(e.count - 1), or -\(e.count)...-1)", field: "rows")
            }
        }
        let limit = configuration.maxResponseBytes
        let shrink =
            "select fewer \"layers\", \"heads\" or \"rows\", keep the \"top_k\" keys of each row, send "
            + "\"attentions\": false or \"hidden_states\": false, ask for \"format\": \"safetensors\" (with "
            + "\"dtype\": \"float16\"), set \"precision\" (e.g. 4), send fewer \"probes\", or send fewer or shorter sequences"
        guard estimate.responseBytes <= limit else {
            throw CoreError.responseTooLarge(
                "the response would be about \(estimate.responseBytes) bytes, over the limit of \(limit) bytes; "
                    + shrink)
        }
        guard estimate.memoryBytes <= budget.capacity else {
            throw CoreError.responseTooLarge(
                "the request needs about \(estimate.memoryBytes) bytes of memory, over the service's budget of "
                    + "\(budget.capacity) bytes (compute.max_memory_bytes); " + shrink)
        }
        return job
    }

    /// Runs `job` within a reservation of its memory estimate and hands its results to `write` (which
    /// serializes them) before the reservation ends.
    public func attend<T: Sendable>(
        _ job: AttendJob, write: @Sendable ([SequenceResult]) async throws -> T
    ) async throws -> T {
        try await budget.withReservation(job.estimate.memoryBytes) {
            let results = try await run(job)
            return try await write(results)
        }
    }

    /// Runs `job` within a reservation of its memory estimate that outlives this call: the results and the lease
    /// go to a streamed writer, which releases the lease once the last piece is written (or drops it).
    public func attendLeased(_ job: AttendJob) async throws -> (results: [SequenceResult], lease: BudgetLease) {
        let bytes = job.estimate.memoryBytes
        try await budget.reserve(bytes)
        let lease = BudgetLease(budget: budget, bytes: bytes)
        do {
            return (try await run(job), lease)
        } catch {
            lease.release()
            throw error
        }
    }

    /// Runs `job` through the batcher; each sequence keeps only what the job asked for (``AttendJob/keep``), and
    /// pooling and the analysis happen on the compute thread as each pass ends.
    public func run(_ job: AttendJob) async throws -> [SequenceResult] {
        if !job.probes.isEmpty { return try await runProbes(job) }
        let count = job.input.encodings.count
        let all = try await batcher.run(model: job.model, inputs: job.passInputs, options: ForwardOptions()) {
            index, output in
            if index >= count { return job.occludedResult(output) }
            return Self.sequenceResult(job, output, index: index)
        }
        return job.foldOcclusion(all)
    }

    /// Sequence `index`'s result from its output, on the compute thread: pooled, analysed, trimmed to the answer,
    /// its occlusion started and its head roles and predictions added.
    static func sequenceResult(_ job: AttendJob, _ output: EncoderOutput, index: Int) -> SequenceResult {
        var output = output
        let pooled = Encoder.pool(output.lastHiddenState, job.pooling, normalize: job.normalize)
        let summary = job.analysis ? AttentionSummary(output: output, layers: job.layers) : nil
        // The means and entropies are in the summary now; the answer holds only what it returns.
        output.attentionMeans = [:]
        output.entropies = [:]
        output.pooled = nil
        let rollouts = job.contributionRollouts(output)
        var result = SequenceResult(output: output, pooled: pooled, summary: summary, contributionRollouts: rollouts)
        result.occlusion = job.occlusionStart(result)
        job.addRolesAndPredictions(to: &result, encoding: job.input.encodings[index])
        return result
    }

    // MARK: Embeddings

    /// One pooled vector per input (the model's pooling, mean when it has none), cut to `dimensions` when asked
    /// (allowed by ``ServedModel/checkDimensions(_:)``) and then L2-normalised when the request or the model asks:
    /// cutting a normalised Matryoshka vector and normalising again, as OpenAI and TEI do.
    public func embed(_ request: EmbeddingRequest) async throws -> Embeddings {
        let model = try registry.resolve(request.model)
        try model.checkDimensions(request.dimensions)
        let d = model.configuration.hiddenSize
        let width = request.dimensions ?? d
        let input = try await read(
            request.source, model: model, truncate: request.truncate, direction: request.truncationDirection)
        let pooling = model.defaultPooling == .none ? Pooling.mean : model.defaultPooling
        let normalize = request.normalize ?? model.defaultNormalize
        let bytes = input.encodings.reduce(0) { $0 + ($1.count + 2) * d * 4 } + input.encodings.count * d * 13
        let vectors = try await budget.withReservation(bytes) {
            try await batcher.run(model: model, inputs: input.encoderInputs, options: ForwardOptions()) { _, output in
                let full = Encoder.pool(output.lastHiddenState, pooling, normalize: false) ?? []
                return Self.finish(Array(full.prefix(width)), normalize: normalize)
            }
        }
        return Embeddings(model: model, vectors: vectors, tokens: input.totalTokens)
    }

    /// `v` divided by max(‖v‖₂, 1e-12) when `normalize`, else `v`.
    static func finish(_ v: [Float], normalize: Bool) -> [Float] {
        guard normalize else { return v }
        let norm = Float(v.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot())
        let divisor = Swift.max(norm, 1e-12)
        return v.map { $0 / divisor }
    }

    /// Every token's embedding (the last hidden state) for each input: TEI's `/embed_all`.
    public func embedTokens(_ request: EmbeddingRequest) async throws -> TokenEmbeddings {
        let model = try registry.resolve(request.model)
        let d = model.configuration.hiddenSize
        let input = try await read(
            request.source, model: model, truncate: request.truncate, direction: request.truncationDirection)
        let bytes = input.encodings.reduce(0) { $0 + $1.count * d * (8 + 13) }
        let sequences = try await budget.withReservation(bytes) {
            try await batcher.run(model: model, inputs: input.encoderInputs, options: ForwardOptions()) { _, output in
                (rows: output.lastHiddenState.shape.first ?? 0, values: output.lastHiddenState.storage)
            }
        }
        return TokenEmbeddings(model: model, sequences: sequences, tokens: input.totalTokens)
    }
}
