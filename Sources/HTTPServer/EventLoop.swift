import Dispatch

/// One serial Dispatch queue with the connections it drives, a shared read buffer and a timeout sweep.
/// Everything here is touched on `queue` only.
final class EventLoop: @unchecked Sendable {
    let queue: DispatchQueue
    /// Reads land here, then are copied by the parser: one buffer per queue instead of one per connection.
    let readBuffer: UnsafeMutableRawBufferPointer
    var connections: [ObjectIdentifier: Connection] = [:]
    private var timer: (any DispatchSourceTimer)?

    init(index: Int) {
        queue = DispatchQueue(label: "httpserver.io.\(index)", qos: .userInitiated)
        readBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
    }

    deinit {
        readBuffer.deallocate()
    }

    /// Starts the sweep that enforces every connection's timeouts, each `interval`.
    func startSweeping(every interval: Duration) {
        queue.async {
            let timer = DispatchSource.makeTimerSource(queue: self.queue)
            let nanoseconds =
                Int(interval.components.seconds) * 1_000_000_000
                + Int(interval.components.attoseconds / 1_000_000_000)
            timer.schedule(
                deadline: .now() + .nanoseconds(nanoseconds), repeating: .nanoseconds(nanoseconds),
                leeway: .nanoseconds(nanoseconds / 4))
            timer.setEventHandler { [unowned self] in
                let now = DispatchTime.now().uptimeNanoseconds
                for connection in Array(self.connections.values) {
                    connection.checkTimeouts(now: now)
                }
            }
            self.timer = timer
            timer.resume()
        }
    }

    /// Stops the sweep.
    func stop() {
        queue.async {
            self.timer?.cancel()
            self.timer = nil
        }
    }
}
