import Transformer

/// What the core is configured with: compute (threads, caps, batching, memory budget) and the models.
/// Read from the `compute` and `models` members of the service's configuration file (README "Configuration").
public struct CoreConfiguration: Sendable, Equatable {
    public var compute = Compute()
    public var models: [ModelEntry] = []
    /// `server.max_response_bytes`: the estimated answer above which `/attend` is refused before computing.
    public var maxResponseBytes = 256 << 20

    public init(compute: Compute = Compute(), models: [ModelEntry] = [], maxResponseBytes: Int = 256 << 20) {
        self.compute = compute
        self.models = models
        self.maxResponseBytes = maxResponseBytes
    }

    /// `compute`: threads of the math library, per-request caps, the batcher and the memory budget.
    public struct Compute: Sendable, Equatable {
        /// 0 = every core.
        public var threads = 0
        public var maxBatchTokens = 8192
        public var maxBatchSize = 64
        public var maxWaitMilliseconds = 1.5
        public var queueCapacity = 256
        /// `batching.max_queue_ms`: a job that waited longer than this before its first pass is refused with 503
        /// `overloaded` (and `Retry-After`) instead of computed; 0 = no deadline.
        public var maxQueueMilliseconds = 0
        /// `max_request_tokens`: tokens one request may hold (413 above).
        public var maxRequestTokens = 16384
        /// `max_request_sequences`: sequences one request may hold (413 above).
        public var maxRequestSequences = 2048
        /// `max_memory_bytes`: the memory budget shared by all requests in flight; nil =
        /// ``MemoryBudget/defaultCapacity(cgroupLimit:physicalMemory:)``.
        public var maxMemoryBytes: Int?
        /// `budget_wait_ms`: how long a request may wait for room in the budget before a 503.
        public var maxBudgetWaitMilliseconds = 10_000
        public init() {}
    }

    /// One entry of `models`.
    public struct ModelEntry: Sendable, Equatable {
        public var name: String
        public var source: Source
        /// Overrides of the model's default pooling and normalisation.
        public var pooling: Pooling?
        public var normalize: Bool?
        /// `matryoshka_dimensions`: the widths the model was trained to be cut to (Matryoshka representation
        /// learning); `dimensions` on an embeddings request must be one of them or the full width.
        public var matryoshkaDimensions: [Int]

        public init(
            name: String, source: Source, pooling: Pooling? = nil, normalize: Bool? = nil,
            matryoshkaDimensions: [Int] = []
        ) {
            self.name = name
            self.source = source
            self.pooling = pooling
            self.normalize = normalize
            self.matryoshkaDimensions = matryoshkaDimensions
        }

        public enum Source: Sendable, Equatable {
            case architecture(EncoderConfiguration)
            case checkpoint(String)
        }
    }
}
