/// Per-request caps (`compute.max_request_tokens`, `compute.max_request_sequences`), checked while a request is
/// read, so one request cannot occupy the service for long. Over a cap: ``CoreError/requestTooLarge(_:)``
/// naming the limit.
public struct RequestLimits: Sendable, Equatable {
    public var maxTokens: Int
    public var maxSequences: Int

    public init(maxTokens: Int = 16384, maxSequences: Int = 2048) {
        self.maxTokens = maxTokens
        self.maxSequences = maxSequences
    }

    /// Throws when a request holds more than `maxSequences` sequences.
    public func check(sequences count: Int) throws(CoreError) {
        guard count <= maxSequences else {
            throw .requestTooLarge(
                "the request holds \(count) sequences, over the limit of \(maxSequences) per request "
                    + "(compute.max_request_sequences); split it into several requests")
        }
    }

    /// Throws when a request holds more than `maxTokens` tokens (`count` may be a running total).
    public func check(tokens count: Int) throws(CoreError) {
        guard count <= maxTokens else {
            throw .requestTooLarge(
                "the request holds more than \(maxTokens) tokens, the limit per request "
                    + "(compute.max_request_tokens); split it into several requests")
        }
    }

    /// A running token count for a request being read; with truncation each sequence counts at most
    /// `truncatingAt` tokens (what will be computed).
    public func counter(truncatingAt maximum: Int?) -> TokenCounter {
        TokenCounter(limits: self, maximum: maximum)
    }

    /// Counts tokens sequence by sequence and throws as soon as the total passes the cap.
    public struct TokenCounter: Sendable {
        let limits: RequestLimits
        let maximum: Int?
        /// Tokens counted so far.
        public private(set) var total = 0

        /// Adds one sequence of `count` tokens.
        public mutating func add(_ count: Int) throws(CoreError) {
            total += maximum.map { min($0, count) } ?? count
            try limits.check(tokens: total)
        }
    }
}
