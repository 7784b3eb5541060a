import Foundation
import Transformer

/// Coalesces concurrent forward-pass requests for one model into one batched pass.
///
/// Jobs wait in one bounded FIFO queue. A dedicated thread (not Swift's cooperative pool, which must never block
/// on a multi-millisecond matrix product) takes the oldest job, waits at most `maxWait` for others of the same
/// model to arrive, then runs every queued job of that model that fits the token budget and batch size as one
/// `Encoder.forward` call (the union of the requested attention layers and hidden states; each job's outputs are
/// its own sequences, which the encoder computes independently of their neighbours). A job larger than the budget
/// (or batch size) runs alone in chunks that fit; after each chunk its remainder goes back to the end of the queue,
/// so jobs behind it are not starved, and a job cancelled meanwhile stops there. A full queue is refused at once (`CoreError.overloaded`); a job
/// whose task is cancelled (its client went away) before the thread takes it is dropped and never computed.
public final class Batcher: @unchecked Sendable {
    public struct Limits: Sendable {
        public var maxBatchTokens: Int
        public var maxBatchSize: Int
        public var maxWait: Duration
        public var queueCapacity: Int
        /// A job still waiting for its first pass after this long is refused (`overloaded`); nil = no deadline.
        public var maxQueue: Duration?

        public init(
            maxBatchTokens: Int = 8192, maxBatchSize: Int = 64, maxWait: Duration = .microseconds(1500),
            queueCapacity: Int = 256, maxQueue: Duration? = nil
        ) {
            self.maxBatchTokens = maxBatchTokens
            self.maxBatchSize = maxBatchSize
            self.maxWait = maxWait
            self.queueCapacity = queueCapacity
            self.maxQueue = maxQueue
        }
    }

    /// What the batcher does, in order, for observers (metrics, tests that synchronise on events, not sleeps).
    public enum Event: Sendable, Equatable {
        /// A job joined the queue, which now holds `depth` jobs.
        case enqueued(depth: Int)
        /// A job left the queue before it ran (its task was cancelled).
        case dropped
        /// A pass starts over this many requests, sequences and tokens.
        case passStarted(requests: Int, sequences: Int, tokens: Int)
        /// That pass ended and its outputs were handed out.
        case passFinished
        /// The compute thread exited after ``shutdown()``; nothing runs any more.
        case stopped
    }

    /// Receives every ``Event`` (on the thread that caused it; keep it short).
    public typealias EventHandler = @Sendable (Event) -> Void

    public let limits: Limits
    private let events: EventHandler?
    private let condition = NSCondition()
    private var queue: [Job] = []
    private var stopped = false
    private var thread: Thread?

    public init(limits: Limits, events: EventHandler? = nil) {
        self.limits = limits
        self.events = events
        let thread = Thread { [self] in self.loop() }
        thread.name = "attend-compute"
        thread.stackSize = 8 << 20
        self.thread = thread
        thread.start()
    }

    /// Jobs waiting (not yet taken by the compute thread).
    public var depth: Int {
        condition.lock()
        defer { condition.unlock() }
        return queue.count
    }

    /// Stops the compute thread after the current batch; queued jobs fail with 503.
    public func shutdown() {
        condition.lock()
        stopped = true
        let pending = queue
        queue.removeAll()
        condition.broadcast()
        condition.unlock()
        for job in pending {
            job.finish(.failure(CoreError.shuttingDown))
        }
    }

    /// Runs `inputs` through `model`'s encoder, batched with concurrent callers. Throws `CoreError.overloaded` when
    /// the queue is full, `CancellationError` when the task is cancelled before the pass starts, or the
    /// encoder's `TransformerError`.
    public func run(model: ServedModel, inputs: [EncoderInput], options: ForwardOptions) async throws
        -> [EncoderOutput]
    {
        try await run(model: model, inputs: inputs, options: options) { _, output in output }
    }

    /// Like ``run(model:inputs:options:)``, handing each sequence's output (what its `keep`, or `options`, asked
    /// for) to `each` on the compute thread as soon as its pass ends: pooling and analysis happen there, with the
    /// batch, and what they consume is dropped pass by pass instead of living until the whole job ends.
    public func run<Value: Sendable>(
        model: ServedModel, inputs: [EncoderInput], options: ForwardOptions,
        each: @escaping @Sendable (_ index: Int, _ output: EncoderOutput) -> Value
    ) async throws -> [Value] {
        let job = Job(model: model, inputs: inputs, options: options) { each($0, $1) }
        let results = try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation {
                (continuation: CheckedContinuation<[any Sendable], any Error>) in
                condition.lock()
                job.continuation = continuation
                if Task.isCancelled {
                    condition.unlock()
                    job.finish(.failure(CancellationError()))
                    return
                }
                if stopped || queue.count >= limits.queueCapacity {
                    let stopping = stopped
                    condition.unlock()
                    job.finish(
                        .failure(
                            stopping
                                ? CoreError.shuttingDown
                                : CoreError.overloaded(
                                    "the compute queue is full (\(limits.queueCapacity) requests); retry shortly",
                                    retryAfter: 1)))
                    return
                }
                queue.append(job)
                let depth = queue.count
                condition.signal()
                condition.unlock()
                events?(.enqueued(depth: depth))
            }
        } onCancel: {
            condition.lock()
            job.cancelled = true
            let index = queue.firstIndex { $0 === job }
            if let index { queue.remove(at: index) }
            condition.unlock()
            if index != nil {
                events?(.dropped)
                job.finish(.failure(CancellationError()))
            }
        }
        return results.compactMap { $0 as? Value }
    }

    private func loop() {
        while true {
            condition.lock()
            while queue.isEmpty && !stopped { condition.wait() }
            if stopped {
                condition.unlock()
                events?(.stopped)
                return
            }
            // Wait for company: until the budget is full or the oldest job has waited maxWait.
            let head = queue[0]
            let deadline = Date(timeIntervalSinceNow: limits.maxWait.seconds - head.age.seconds)
            while !stopped, Date() < deadline, queuedTokens(for: head.model.name) < limits.maxBatchTokens,
                !queue.isEmpty, queue[0] === head
            {
                _ = condition.wait(until: deadline)
            }
            let expired = expire()
            if stopped || queue.isEmpty {
                condition.unlock()
                refuse(expired)
                continue
            }
            let batch = takeBatch()
            condition.unlock()
            refuse(expired)
            execute(batch)
        }
    }

    /// Removes the jobs that waited longer than `maxQueue` for their first pass. Lock held.
    private func expire() -> [Job] {
        guard let maxQueue = limits.maxQueue else { return [] }
        let expired = queue.filter { $0.next == 0 && $0.age > maxQueue }
        guard !expired.isEmpty else { return [] }
        queue.removeAll { job in expired.contains { $0 === job } }
        return expired
    }

    private func refuse(_ jobs: [Job]) {
        guard let maxQueue = limits.maxQueue else { return }
        for job in jobs {
            events?(.dropped)
            job.finish(
                .failure(
                    CoreError.overloaded(
                        "the request waited over \(Int(maxQueue.seconds * 1000)) ms in the compute queue "
                            + "(compute.batching.max_queue_ms); retry shortly", retryAfter: 1)))
        }
    }

    private func queuedTokens(for name: String) -> Int {
        var total = 0
        for job in queue where job.model.name == name { total += job.tokens }
        return total
    }

    /// Removes the oldest job and every later job of the same model that fits the budget, each with the range of
    /// its inputs to run. A job over the budget (or already partly run) goes alone, one chunk that fits. Lock held.
    private func takeBatch() -> [(job: Job, range: Range<Int>)] {
        let head = queue.removeFirst()
        if head.next > 0 || head.tokens > limits.maxBatchTokens || head.inputs.count > limits.maxBatchSize {
            var end = head.next
            var tokens = 0
            while end < head.inputs.count, end - head.next < limits.maxBatchSize,
                end == head.next || tokens + head.inputs[end].ids.count <= limits.maxBatchTokens
            {
                tokens += head.inputs[end].ids.count
                end += 1
            }
            return [(head, head.next..<end)]
        }
        var batch = [(job: head, range: 0..<head.inputs.count)]
        var tokens = head.tokens
        var sequences = head.inputs.count
        var index = 0
        while index < queue.count {
            let job = queue[index]
            if job.model.name == head.model.name, job.next == 0, tokens + job.tokens <= limits.maxBatchTokens,
                sequences + job.inputs.count <= limits.maxBatchSize
            {
                batch.append((job, 0..<job.inputs.count))
                tokens += job.tokens
                sequences += job.inputs.count
                queue.remove(at: index)
            } else {
                index += 1
            }
        }
        return batch
    }

    /// Records a chunk's outputs; finishes the job when it is complete or cancelled, else queues the rest.
    private func advance(_ job: Job, range: Range<Int>, outputs: [EncoderOutput]) {
        for (offset, output) in outputs.enumerated() {
            job.partial.append(job.transform(range.lowerBound + offset, output))
        }
        job.next = range.upperBound
        if job.next == job.inputs.count {
            job.finish(.success(job.partial))
            return
        }
        condition.lock()
        let cancelled = job.cancelled
        let stopping = stopped
        if !cancelled && !stopping {
            job.tokens = job.inputs[job.next...].reduce(0) { $0 + $1.ids.count }
            queue.append(job)
            condition.signal()
        }
        condition.unlock()
        if cancelled {
            job.finish(.failure(CancellationError()))
        } else if stopping {
            job.finish(.failure(CoreError.shuttingDown))
        }
    }

    private func execute(_ batch: [(job: Job, range: Range<Int>)]) {
        let encoder = batch[0].job.model.encoder
        // Each sequence keeps what its own job asked for (`EncoderInput.keep`), so a job that wants maps never
        // makes its batch neighbours keep them.
        let options = ForwardOptions()
        var inputs: [EncoderInput] = []
        for (job, range) in batch {
            inputs.append(contentsOf: job.inputs[range])
        }
        let tokens = inputs.reduce(0) { $0 + $1.ids.count }
        events?(.passStarted(requests: batch.count, sequences: inputs.count, tokens: tokens))
        defer { events?(.passFinished) }
        let passStart = ContinuousClock.now
        for (job, _) in batch where job.next == 0 { job.timing?.addQueue(passStart - job.enqueued) }
        // Recorded before any job is handed its outputs (its task may read the timing at once).
        func recordPass() {
            let pass = ContinuousClock.now - passStart
            for (job, _) in batch { job.timing?.addInference(pass) }
        }
        do {
            let outputs = try encoder.forward(inputs, options: options)
            recordPass()
            var start = 0
            for (job, range) in batch {
                let mine = Array(outputs[start..<(start + range.count)])
                start += range.count
                advance(job, range: range, outputs: mine)
            }
        } catch {
            recordPass()
            if batch.count == 1 {
                batch[0].job.finish(.failure(error))
                return
            }
            // One job's input broke the batch: run each alone so the others still get their answer.
            for (job, range) in batch {
                do {
                    advance(
                        job, range: range, outputs: try encoder.forward(Array(job.inputs[range]), options: options))
                } catch {
                    job.finish(.failure(error))
                }
            }
        }
    }

    final class Job: @unchecked Sendable {
        let model: ServedModel
        let inputs: [EncoderInput]
        let options: ForwardOptions
        /// Tokens not yet computed (guarded by the batcher's lock).
        var tokens: Int
        /// Index of the first input not yet computed, and the outputs so far (touched by the compute thread only).
        var next = 0
        var partial: [any Sendable] = []
        /// Applied to each trimmed output on the compute thread (pooling, analysis).
        let transform: @Sendable (Int, EncoderOutput) -> any Sendable
        /// Set under the batcher's lock when the waiting task is cancelled.
        var cancelled = false
        let enqueued = ContinuousClock.now
        /// The request's timing (``RequestTiming/current`` of the task that queued it).
        let timing = RequestTiming.current
        var continuation: CheckedContinuation<[any Sendable], any Error>?
        private let lock = NSLock()

        init(
            model: ServedModel, inputs: [EncoderInput], options: ForwardOptions,
            transform: @escaping @Sendable (Int, EncoderOutput) -> any Sendable
        ) {
            self.transform = transform
            self.model = model
            // The job's options become each input's own keep, unless the input already says what to keep.
            let keep = KeptOutputs(options)
            self.inputs = inputs.map { input in
                var input = input
                if input.keep == nil { input.keep = keep }
                return input
            }
            self.options = options
            self.tokens = inputs.reduce(0) { $0 + $1.ids.count }
        }

        var age: Duration { ContinuousClock.now - enqueued }

        /// Resumes the waiting task once; later calls do nothing.
        func finish(_ result: Result<[any Sendable], any Error>) {
            let c: CheckedContinuation<[any Sendable], any Error>? = lock.withLock {
                let c = continuation
                continuation = nil
                return c
            }
            c?.resume(with: result)
        }
    }
}

extension Duration {
    /// The duration in seconds.
    package var seconds: Double {
        let c = components
        return Double(c.seconds) + Double(c.attoseconds) * 1e-18
    }
}
