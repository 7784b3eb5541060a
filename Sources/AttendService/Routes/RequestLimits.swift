/// Per-request caps (`compute.max_request_tokens`, `compute.max_request_sequences`), checked before any
/// tokenizing or computing so one request cannot occupy the compute thread for long. Over a cap: 413
/// `request_too_large`, naming the limit.
struct RequestLimits: Sendable {
    var maxTokens = 16384
    var maxSequences = 2048

    /// Throws when a request holds more than `maxSequences` sequences.
    func check(sequences count: Int) throws(ServiceError) {
        guard count <= maxSequences else {
            throw ServiceError(
                .contentTooLarge, code: "request_too_large",
                message:
                    "the request holds \(count) sequences, over the limit of \(maxSequences) per request "
                    + "(compute.max_request_sequences); split it into several requests")
        }
    }

    /// Throws when a request holds more than `maxTokens` tokens (`count` may be a running total).
    func check(tokens count: Int) throws(ServiceError) {
        guard count <= maxTokens else {
            throw ServiceError(
                .contentTooLarge, code: "request_too_large",
                message:
                    "the request holds more than \(maxTokens) tokens, the limit per request "
                    + "(compute.max_request_tokens); split it into several requests")
        }
    }
}
