import AttendCore
import Foundation
import TestSupport
import Testing
import Transformer

@Suite(.serialized) struct BatcherTests {
    final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var batches: [(Int, Int, Int)] = []
        func add(_ r: Int, _ s: Int, _ t: Int) { lock.withLock { batches.append((r, s, t)) } }
        var all: [(requests: Int, sequences: Int, tokens: Int)] { lock.withLock { batches } }
    }

    static func inputs(_ count: Int) -> [[EncoderInput]] {
        (0..<count).map { i in
            let length = 3 + (i * 5) % 17
            return [EncoderInput(ids: (0..<length).map { Int32(2 + ($0 * 31 + i * 7) % 490) })]
        }
    }

    @Test func batcher_CoalescesConcurrentRequests_AndMatchesSoloRuns() async throws {
        let counter = Counter()
        let batcher = Batcher(
            limits: .init(maxBatchTokens: 10_000, maxBatchSize: 64, maxWait: .milliseconds(200), queueCapacity: 64),
            events: { event in
                if case .passStarted(let requests, let sequences, let tokens) = event {
                    counter.add(requests, sequences, tokens)
                }
            })
        defer { batcher.shutdown() }
        let model = TestModels.tiny
        let jobs = Self.inputs(8)
        let options = ForwardOptions(attentionLayers: [0, 2], hiddenStates: false)
        let batched = try await withThrowingTaskGroup(of: (Int, [EncoderOutput]).self) { group in
            for (i, job) in jobs.enumerated() {
                let layers: Set<Int> = i % 2 == 0 ? [0, 2] : [1]
                group.addTask {
                    (
                        i,
                        try await batcher.run(
                            model: model, inputs: job, options: ForwardOptions(attentionLayers: layers))
                    )
                }
            }
            var results: [Int: [EncoderOutput]] = [:]
            for try await (i, outputs) in group { results[i] = outputs }
            return results
        }
        #expect(counter.all.count < jobs.count, "requests were not coalesced: \(counter.all)")
        #expect(counter.all.map(\.requests).reduce(0, +) == jobs.count)
        for (i, job) in jobs.enumerated() {
            let layers: Set<Int> = i % 2 == 0 ? [0, 2] : [1]
            let solo = try model.encoder.forward(job, options: ForwardOptions(attentionLayers: layers))[0]
            let mine = try #require(batched[i]?.first)
            #expect(Set(mine.attentions.keys) == layers)
            #expect(maxDifference(mine.lastHiddenState.storage, solo.lastHiddenState.storage) <= 1e-5)
            for layer in layers {
                #expect(maxDifference(mine.attentions[layer]!.storage, solo.attentions[layer]!.storage) <= 1e-5)
            }
        }
        _ = options
    }

    @Test func batcher_RespectsTheTokenBudget() async throws {
        let counter = Counter()
        let batcher = Batcher(
            limits: .init(maxBatchTokens: 40, maxBatchSize: 64, maxWait: .milliseconds(100), queueCapacity: 64),
            events: { event in
                if case .passStarted(let requests, let sequences, let tokens) = event {
                    counter.add(requests, sequences, tokens)
                }
            })
        defer { batcher.shutdown() }
        let jobs = (0..<6).map { _ in [EncoderInput(ids: Array(repeating: 5, count: 15))] }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for job in jobs {
                group.addTask {
                    _ = try await batcher.run(model: TestModels.tiny, inputs: job, options: ForwardOptions())
                }
            }
            try await group.waitForAll()
        }
        #expect(counter.all.allSatisfy { $0.tokens <= 40 })
        #expect(counter.all.map(\.requests).reduce(0, +) == 6)
    }

    /// A batcher whose events go to `log`.
    static func batcher(_ limits: Batcher.Limits, _ log: EventLog<Batcher.Event>) -> Batcher {
        Batcher(limits: limits, events: { log.record($0) })
    }

    static func passes(_ events: [Batcher.Event]) -> Int {
        events.filter { if case .passStarted = $0 { return true } else { return false } }.count
    }

    static func finished(_ events: [Batcher.Event]) -> Int { events.filter { $0 == .passFinished }.count }

    @Test func batcher_DropsAJob_WhenItsTaskIsCancelledBeforeThePass() async throws {
        let log = EventLog<Batcher.Event>()
        let batcher = Self.batcher(
            .init(maxBatchTokens: 10_000, maxBatchSize: 64, maxWait: .seconds(30), queueCapacity: 8), log)
        let task = Task {
            try await batcher.run(
                model: TestModels.tiny, inputs: [EncoderInput(ids: [2, 9, 3])], options: ForwardOptions())
        }
        #expect(await log.wait { $0.contains(.enqueued(depth: 1)) })
        #expect(batcher.depth == 1)
        task.cancel()
        let result = await task.result
        #expect(throws: CancellationError.self) { try result.get() }
        #expect(batcher.depth == 0)
        // Once the compute thread has stopped nothing can run any more: the job was never computed.
        batcher.shutdown()
        #expect(await log.wait { $0.contains(.stopped) })
        #expect(Self.passes(log.all) == 0, "a cancelled job was computed: \(log.all)")
        #expect(log.all.contains(.dropped))
    }

    @Test func batcher_SplitsABigJobAndServesOthersBetweenChunks_WhenJobOverBudget() async throws {
        let log = EventLog<Batcher.Event>()
        let batcher = Self.batcher(.init(maxBatchTokens: 40, maxBatchSize: 4, maxWait: .zero, queueCapacity: 64), log)
        defer { batcher.shutdown() }
        let big = (0..<400).map { i in EncoderInput(ids: [2, Int32(3 + i % 50), 4]) }
        let bigTask = Task { try await batcher.run(model: TestModels.tiny, inputs: big, options: ForwardOptions()) }
        // The small job is queued once the big one has started: it must be served between two of its chunks.
        #expect(await log.wait { Self.finished($0) >= 1 })
        let small = try await batcher.run(
            model: TestModels.tiny, inputs: [EncoderInput(ids: [2, 9, 3])], options: ForwardOptions())
        let smallDoneAfter = Self.passes(log.all)
        let outputs = try await bigTask.value
        #expect(small.count == 1)
        #expect(outputs.count == big.count)
        let all = log.all
        for case .passStarted(_, let sequences, let tokens) in all { #expect(sequences <= 4 && tokens <= 40) }
        #expect(Self.passes(all) == 100 + 1)
        #expect(smallDoneAfter < Self.passes(all), "the small job waited for the whole big job")
        let solo = try TestModels.tiny.encoder.forward([big[37]], options: ForwardOptions())[0]
        #expect(maxDifference(outputs[37].lastHiddenState.storage, solo.lastHiddenState.storage) <= 1e-5)
    }

    @Test func batcher_StopsASplitJob_WhenItsTaskIsCancelledWhileRunning() async throws {
        let log = EventLog<Batcher.Event>()
        let batcher = Self.batcher(.init(maxBatchTokens: 3, maxBatchSize: 1, maxWait: .zero, queueCapacity: 64), log)
        let big = (0..<5000).map { i in EncoderInput(ids: [2, Int32(3 + i % 50), 4]) }
        let task = Task { try await batcher.run(model: TestModels.tiny, inputs: big, options: ForwardOptions()) }
        #expect(await log.wait { Self.finished($0) >= 1 })
        task.cancel()
        let result = await task.result
        #expect(throws: CancellationError.self) { try result.get() }
        let passesAtCancel = Self.passes(log.all)
        batcher.shutdown()
        #expect(await log.wait { $0.contains(.stopped) })
        // The pass running at the cancellation may finish; no chunk after it starts.
        #expect(Self.passes(log.all) <= passesAtCancel + 1)
        #expect(Self.passes(log.all) < big.count)
    }

    @Test func batcher_RefusesWithOverloaded_WhenTheQueueIsFull() async throws {
        let log = EventLog<Batcher.Event>()
        let batcher = Self.batcher(
            .init(maxBatchTokens: 10_000, maxBatchSize: 64, maxWait: .seconds(30), queueCapacity: 1), log)
        defer { batcher.shutdown() }
        let first = Task {
            try await batcher.run(
                model: TestModels.tiny, inputs: [EncoderInput(ids: [2, 3])], options: ForwardOptions())
        }
        #expect(await log.wait { $0.contains(.enqueued(depth: 1)) })
        await #expect {
            _ = try await batcher.run(
                model: TestModels.tiny, inputs: [EncoderInput(ids: [2, 4])], options: ForwardOptions())
        } throws: { error in
            guard case CoreError.overloaded(_, let retryAfter) = error else { return false }
            return retryAfter == 1
        }
        first.cancel()
        _ = await first.result
    }

    @Test func batcher_KeepsMapsOnlyForTheJobThatAskedForThem_WhenBatchedWithAnEmbeddingJob() async throws {
        let log = EventLog<Batcher.Event>()
        let batcher = Self.batcher(
            .init(maxBatchTokens: 3 + 16 * 20, maxBatchSize: 64, maxWait: .seconds(30), queueCapacity: 8), log)
        defer { batcher.shutdown() }
        let model = TestModels.tiny
        let embeddings = (0..<16).map { i in EncoderInput(ids: (0..<20).map { Int32(5 + ($0 + i) % 400) }) }
        let withMaps = Task {
            try await batcher.run(
                model: model, inputs: [EncoderInput(ids: [2, 9, 3])], options: .allAttentions(layers: 3))
        }
        #expect(await log.wait { $0.contains(.enqueued(depth: 1)) })
        let plain = try await batcher.run(model: model, inputs: embeddings, options: ForwardOptions())
        let maps = try await withMaps.value
        // One pass for both (together they fill the token budget, which ends the wait), yet only the job that
        // asked keeps maps.
        #expect(Self.passes(log.all) == 1)
        #expect(plain.allSatisfy { $0.attentions.isEmpty && $0.hiddenStates == nil })
        #expect(maps[0].attentions.keys.sorted() == [0, 1, 2])
        let kept = model.encoder.keptBytes(for: embeddings, options: ForwardOptions())
        #expect(kept == embeddings.reduce(0) { $0 + $1.ids.count * model.configuration.hiddenSize * 4 })
    }

    @Test func batcher_HandsEachOutputToTheTransform_InInputOrder() async throws {
        let batcher = Batcher(limits: .init(maxBatchTokens: 6, maxBatchSize: 2, maxWait: .zero, queueCapacity: 8))
        defer { batcher.shutdown() }
        let inputs = (0..<5).map { i in EncoderInput(ids: [2, Int32(10 + i), 3]) }
        let results = try await batcher.run(
            model: TestModels.tiny, inputs: inputs, options: ForwardOptions(attentionLayers: [0])
        ) { index, output in
            (index, output.attentions.keys.sorted(), output.lastHiddenState.shape)
        }
        #expect(results.map(\.0) == Array(0..<5))
        #expect(results.allSatisfy { $0.1 == [0] && $0.2 == [3, 32] })
    }
}

func maxDifference(_ a: [Float], _ b: [Float]) -> Float {
    guard a.count == b.count else { return .infinity }
    var worst: Float = 0
    for (x, y) in zip(a, b) { worst = max(worst, abs(x - y)) }
    return worst
}
