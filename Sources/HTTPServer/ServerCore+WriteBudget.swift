import HTTP1

/// The bytes queued for writing on every connection together, bounded by `maxQueuedWriteBytes`.
extension ServerCore {
    /// Bytes queued for writing (not yet taken by the kernel) over all connections, plus reservations.
    var queuedWriteBytes: Int { queuedWrites.load(ordering: .relaxed) }

    /// Reserves `bytes` if the total stays within `maxQueuedWriteBytes`; false (nothing reserved) otherwise.
    /// Zero bytes always fit.
    func reserveQueuedWriteBytes(_ bytes: Int) -> Bool {
        guard bytes > 0 else { return true }
        let limit = configuration.maxQueuedWriteBytes
        var current = queuedWrites.load(ordering: .relaxed)
        while true {
            guard bytes <= limit - current else { return false }
            let (exchanged, found) = queuedWrites.compareExchange(
                expected: current, desired: current + bytes, ordering: .relaxed)
            if exchanged { return true }
            current = found
        }
    }

    /// Counts bytes queued whatever the total (small responses, the 503 itself, interim responses).
    func addQueuedWriteBytes(_ bytes: Int) {
        if bytes > 0 { queuedWrites.add(bytes, ordering: .relaxed) }
    }

    /// Returns bytes written, dropped, or reserved and then counted on their own.
    func releaseQueuedWriteBytes(_ bytes: Int) {
        if bytes > 0 { queuedWrites.subtract(bytes, ordering: .relaxed) }
    }

    /// The answer to a request whose response would take the write queue past `maxQueuedWriteBytes`.
    static var overloadedResponse: Response {
        HTTPError(
            .serviceUnavailable, code: "overloaded",
            message: "The server has too many response bytes waiting to be sent; retry shortly.",
            headers: ["Retry-After": "1"]
        ).response
    }
}
