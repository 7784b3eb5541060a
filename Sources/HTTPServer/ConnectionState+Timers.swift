import HTTP1

/// Every timeout, as a deadline computed from the state (never from a clock).
extension ConnectionState {
    /// The timers; which apply depends on the state.
    enum Timer: Equatable {
        /// The TLS handshake: `handshake` from the accept.
        case handshake
        /// Nothing of a request: `idle` from the moment the connection waits (`header` from the accept for the
        /// first request). Silent close.
        case idle
        /// A head (or empty lines) started: `header` from its first byte. 408, or a silent close after only empty
        /// lines.
        case header
        /// A body: `body` from its last read. 408.
        case bodyStalled
        /// A body: `rateGrace + bytes / minimumBodyRate` from when its timers started. 408.
        case bodyTooSlow
        /// Queued output: `write` from its last progress. Dropped.
        case writeStalled
        /// Queued output: `rateGrace + written / minimumWriteRate` from when the queue became non-empty. Dropped.
        case writeTooSlow
        /// Lingering: until its end.
        case linger
        /// The half-close probe was sent: look for a reset on every tick while the handler runs.
        case probe
    }

    /// The earliest timer that applies now and its deadline; `includingProbe` counts the probe (always due).
    func nextTimer(includingProbe: Bool) -> (deadline: UInt64, timer: Timer)? {
        switch phase {
        case .closed:
            return nil
        case .handshaking(let since):
            return (Self.adding(since, settings.handshake), .handshake)
        case .lingering(let until):
            return (until, .linger)
        case .open, .closingAfterWrite:
            break
        }
        var earliest: (deadline: UInt64, timer: Timer)?
        func consider(_ deadline: UInt64, _ timer: Timer) {
            if earliest == nil || deadline < earliest!.deadline { earliest = (deadline, timer) }
        }
        if output.bytes > 0 {
            consider(Self.adding(output.lastProgress, settings.write), .writeStalled)
            if settings.minimumWriteRate > 0 {
                let allowed = Self.duration(of: output.writtenSince, at: settings.minimumWriteRate)
                consider(Self.adding(output.since, Self.adding(settings.rateGrace, allowed)), .writeTooSlow)
            }
        }
        if includingProbe, let probedAt = running?.probedAt {
            consider(probedAt, .probe)
        }
        guard phase == .open, !isBusy else { return earliest }
        switch input {
        case .idle:
            let limit = requestsAnswered > 0 ? settings.idle : settings.header
            consider(Self.adding(waitingSince ?? 0, limit), .idle)
        case .head(let since):
            consider(Self.adding(since, settings.header), .header)
        case .body(let body):
            consider(Self.adding(body.lastReadAt, settings.body), .bodyStalled)
            if settings.minimumBodyRate > 0 {
                let allowed = Self.duration(of: body.bytesSinceTimers, at: settings.minimumBodyRate)
                consider(Self.adding(body.timersSince, Self.adding(settings.rateGrace, allowed)), .bodyTooSlow)
            }
        case .halfClosed, .failed:
            break
        }
        return earliest
    }

    /// The deadline `tick` would act at (the probe included), as last announced with `.armTimer`.
    var deadline: UInt64? { nextTimer(includingProbe: true)?.deadline }

    /// Does what a timer that ran out does.
    mutating func fire(_ timer: Timer, now: UInt64) {
        switch timer {
        case .handshake:
            close(.handshakeTimeout)
        case .idle:
            close(.idleTimeout)
        case .header:
            if parser.isIdle {
                close(.headerTimeout)
            } else {
                sendError(
                    HTTPError(.requestTimeout, code: "request_timeout", message: "The request header took too long."),
                    now: now)
            }
        case .bodyStalled:
            sendError(
                HTTPError(.requestTimeout, code: "request_timeout", message: "The request body stalled."), now: now)
        case .bodyTooSlow:
            sendError(
                HTTPError(.requestTimeout, code: "request_timeout", message: "The request body arrived too slowly."),
                now: now)
        case .writeStalled:
            close(.writeTimeout)
        case .writeTooSlow:
            close(.writeTooSlow)
        case .linger:
            close(.lingerEnded)
        case .probe:
            emit(.checkPeer)
        }
    }

    /// `a + b`, saturating.
    static func adding(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let (sum, overflow) = a.addingReportingOverflow(b)
        return overflow ? .max : sum
    }

    /// Nanoseconds `bytes` take at `rate` bytes per second (saturating).
    static func duration(of bytes: Int, at rate: Int) -> UInt64 {
        guard bytes > 0, rate > 0 else { return 0 }
        let (bytes, rate) = (UInt64(bytes), UInt64(rate))
        let (whole, overflow) = (bytes / rate).multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return .max }
        let part = rate.dividingFullWidth((bytes % rate).multipliedFullWidth(by: 1_000_000_000)).quotient
        return adding(whole, part)
    }
}
