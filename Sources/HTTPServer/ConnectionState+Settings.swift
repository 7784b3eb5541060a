import HTTP1

extension ConnectionState {
    /// What a connection tolerates, from `ServerConfiguration`; durations in nanoseconds.
    struct Settings: Sendable, Equatable {
        var limits = ParserLimits.default
        var handshake: UInt64 = 10_000_000_000
        var header: UInt64 = 10_000_000_000
        var idle: UInt64 = 60_000_000_000
        var body: UInt64 = 30_000_000_000
        var write: UInt64 = 30_000_000_000
        /// How long a closing connection discards input before closing.
        var linger: UInt64 = 2_000_000_000
        var rateGrace: UInt64 = 10_000_000_000
        /// Bytes per second; 0 disables.
        var minimumBodyRate = 64 * 1024
        /// Bytes per second; 0 disables.
        var minimumWriteRate = 64 * 1024
        var maxPipelinedRequests = 16
        var maxPipelinedBytes = 8 << 20
        /// Queued output past which reading pauses and no handler starts.
        var outputHighWater = 1 << 20
        var serverName: String?
    }
}

extension ConnectionState.Settings {
    /// The settings of `configuration`.
    init(_ configuration: ServerConfiguration) {
        let timeouts = configuration.timeouts
        self.init(
            limits: configuration.limits, handshake: timeouts.handshake.nanoseconds,
            header: timeouts.header.nanoseconds, idle: timeouts.idle.nanoseconds, body: timeouts.body.nanoseconds,
            write: timeouts.write.nanoseconds,
            linger: min(2_000_000_000, max(100_000_000, timeouts.header.nanoseconds)),
            rateGrace: timeouts.rateGrace.nanoseconds, minimumBodyRate: max(0, timeouts.minimumBodyRate),
            minimumWriteRate: max(0, timeouts.minimumWriteRate),
            maxPipelinedRequests: configuration.maxPipelinedRequests,
            maxPipelinedBytes: configuration.maxPipelinedBytes, serverName: configuration.serverName)
    }
}
