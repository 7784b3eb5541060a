import HTTP1

@testable import HTTPServer

typealias Action = ConnectionState.Action

/// Drives a `ConnectionState` by hand: no socket, no clock. By default the "socket" takes every write at once
/// (each `.write` is followed by `wrote`), like a client that reads fast; `takesWrites = false` leaves them
/// queued, like one that stops reading.
struct ConnectionDriver {
    /// Small round figures (nanoseconds), and rates of 1 byte per nanosecond, so deadlines are easy to compute.
    static let settings = ConnectionState.Settings(
        limits: .default, handshake: 5_000, header: 1_000, idle: 3_000, body: 2_000, write: 4_000, linger: 500,
        rateGrace: 10_000, minimumBodyRate: 1_000_000_000, minimumWriteRate: 1_000_000_000, maxPipelinedRequests: 16,
        maxPipelinedBytes: 8 << 20, outputHighWater: 1 << 20, serverName: nil)

    var state: ConnectionState
    var takesWrites = true

    init(_ settings: ConnectionState.Settings = Self.settings, tls: Bool = false, acceptedAt: UInt64 = 0) {
        state = ConnectionState(settings: settings, tls: tls, now: acceptedAt, clock: { 0 })
    }

    /// `actions`, then what the socket taking their writes causes.
    mutating func settle(_ actions: [Action], at now: UInt64) -> [Action] {
        var all = actions
        var batch = actions
        while takesWrites, batch.writtenBytes > 0 {
            batch = state.wrote(batch.writtenBytes, now: now)
            all += batch
        }
        return all
    }

    mutating func receive(_ text: String, at now: UInt64) -> [Action] {
        settle(state.bytesReceived(Array(text.utf8), now: now), at: now)
    }

    mutating func receive(_ bytes: [UInt8], at now: UInt64) -> [Action] {
        settle(state.bytesReceived(bytes, now: now), at: now)
    }

    mutating func answer(_ response: Response = Response(body: Array("ok".utf8)), at now: UInt64) -> [Action] {
        settle(state.handlerFinished(response, now: now), at: now)
    }

    mutating func wrote(_ count: Int, at now: UInt64) -> [Action] {
        settle(state.wrote(count, now: now), at: now)
    }

    mutating func tick(at now: UInt64) -> [Action] {
        settle(state.tick(now: now), at: now)
    }

    mutating func peerClosed(at now: UInt64) -> [Action] {
        settle(state.peerClosed(now: now), at: now)
    }

    mutating func shutdown(at now: UInt64) -> [Action] {
        settle(state.shutdown(now: now), at: now)
    }

    /// The instant the state's next timer fires at (it must do nothing a nanosecond before).
    var deadline: UInt64? { state.deadline }
}

extension Array where Element == ConnectionState.Action {
    /// Every `.write`, concatenated, as text.
    var written: String { String(decoding: writtenData, as: UTF8.self) }

    var writtenData: [UInt8] {
        flatMap { action -> [UInt8] in
            if case .write(let bytes) = action { return bytes }
            return []
        }
    }

    var writtenBytes: Int { writtenData.count }

    /// The requests handed to handlers, by path.
    var started: [String] {
        compactMap { action in
            if case .startHandler(let request) = action { return request.path }
            return nil
        }
    }

    var startedRequests: [Request] {
        compactMap { action in
            if case .startHandler(let request) = action { return request }
            return nil
        }
    }

    var closeReason: ConnectionState.CloseReason? {
        for case .close(let reason) in self { return reason }
        return nil
    }

    /// The last timer action: the deadline armed, or nil for `.cancelTimer`; nil, nil when there is none.
    var armed: UInt64?? {
        for action in reversed() {
            if case .armTimer(let instant) = action { return .some(instant) }
            if action == .cancelTimer { return .some(nil) }
        }
        return nil
    }

    /// The status codes of the responses written, 1xx included, in order.
    var statuses: [Int] {
        written.components(separatedBy: "HTTP/1.1 ").dropFirst().compactMap { Int($0.prefix(3)) }
    }
}
