import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// A bounded, non-blocking sink for log lines: callers copy a finished line into a buffer and return; one
/// background thread writes what has gathered, in batches.
///
/// A request never waits for the log: when the buffer holds `capacity` bytes not yet written (the output is slow
/// or blocked), a new line is dropped and counted (``droppedLines``), and once the output catches up a notice
/// saying how many were dropped is written in the lines' place. Lines are written whole and in the order they
/// were appended. The thread wakes every `interval`, or at once when the buffer passes a quarter of its capacity
/// or ``flush()`` asks. ``close()`` writes everything still buffered and stops the thread; lines appended after
/// it are written at once, by the caller.
public final class LogWriter: @unchecked Sendable {  // `state` is guarded by `condition`.
    /// Where batches go: the bytes of whole lines, in order. Called on the writer's thread only (or by the caller
    /// of ``append(_:)`` after ``close()``), never concurrently.
    public typealias Output = @Sendable (UnsafeRawBufferPointer) -> Void

    /// What the writer writes in place of dropped lines: one whole line (with its newline) for a count.
    public typealias DropNotice = @Sendable (Int) -> [UInt8]

    private struct State {
        var pending: [UInt8] = []
        /// Lines in `pending`.
        var pendingLines = 0
        /// Lines dropped since the last notice.
        var droppedSinceNotice = 0
        /// Bytes ever appended, and ever handed to the output (both counting only accepted lines).
        var appended: UInt64 = 0
        var written: UInt64 = 0
        var wakeRequested = false
        var closing = false
        var stopped = false
    }

    private let capacity: Int
    private let interval: Duration
    private let output: Output
    private let dropNotice: DropNotice?
    private let condition = NSCondition()
    private var state = State()
    private let dropped = Atomic<Int>(0)
    private let lines = Atomic<Int>(0)

    /// A writer of at most `capacity` buffered bytes that writes to `output` every `interval` (or sooner).
    public init(
        capacity: Int = 1 << 20, interval: Duration = .milliseconds(20), output: @escaping Output,
        dropNotice: DropNotice? = nil
    ) {
        self.capacity = max(capacity, 1)
        self.interval = interval
        self.output = output
        self.dropNotice = dropNotice
        state.pending.reserveCapacity(min(self.capacity, 1 << 16))
        let thread = Thread { [self] in run() }
        thread.name = "attend.log"
        thread.start()
    }

    /// A writer to a file descriptor (standard error by default); see ``init(capacity:interval:output:dropNotice:)``.
    public convenience init(
        fileDescriptor: Int32 = 2, capacity: Int = 1 << 20, interval: Duration = .milliseconds(20),
        dropNotice: DropNotice? = nil
    ) {
        self.init(
            capacity: capacity, interval: interval, output: { Self.writeAll($0, to: fileDescriptor) },
            dropNotice: dropNotice)
    }

    /// Lines refused because the buffer was full, since the start.
    public var droppedLines: Int { dropped.load(ordering: .relaxed) }

    /// Lines accepted (buffered or written), since the start.
    public var acceptedLines: Int { lines.load(ordering: .relaxed) }

    /// Buffers one line (its bytes, newline included); returns false when it was dropped because the buffer is
    /// full. Never waits for the output (after ``close()`` it writes the line itself).
    @discardableResult
    public func append(_ line: some Collection<UInt8>) -> Bool {
        condition.lock()
        if state.stopped {
            condition.unlock()
            writeNow(line)
            return true
        }
        guard state.pending.count + line.count <= capacity || state.pending.isEmpty else {
            state.droppedSinceNotice += 1
            condition.unlock()
            dropped.add(1, ordering: .relaxed)
            return false
        }
        let wasBelow = state.pending.count < capacity / 4
        state.pending.append(contentsOf: line)
        state.pendingLines += 1
        state.appended += UInt64(line.count)
        let wake = wasBelow && state.pending.count >= capacity / 4 && !state.wakeRequested
        if wake { state.wakeRequested = true }
        condition.unlock()
        lines.add(1, ordering: .relaxed)
        if wake { condition.broadcast() }
        return true
    }

    /// Buffers one line that `build` appends (its bytes, newline included) straight to the end of the pending
    /// buffer, under the writer's lock: no array per line. The same rules as ``append(_:)``: the line is dropped
    /// (and its bytes removed again) when it does not fit; after ``close()`` it is built apart and written at once.
    /// `build` must only append, and must be quick (other threads' lines wait for it).
    @discardableResult
    func appendLine(_ build: (inout [UInt8]) -> Void) -> Bool {
        condition.lock()
        if state.stopped {
            condition.unlock()
            var line: [UInt8] = []
            build(&line)
            writeNow(line)
            return true
        }
        let start = state.pending.count
        build(&state.pending)
        let count = state.pending.count - start
        guard start + count <= capacity || start == 0 else {
            state.pending.removeSubrange(start...)
            state.droppedSinceNotice += 1
            condition.unlock()
            dropped.add(1, ordering: .relaxed)
            return false
        }
        state.pendingLines += 1
        state.appended += UInt64(count)
        let wake = start < capacity / 4 && state.pending.count >= capacity / 4 && !state.wakeRequested
        if wake { state.wakeRequested = true }
        condition.unlock()
        lines.add(1, ordering: .relaxed)
        if wake { condition.broadcast() }
        return true
    }

    /// Returns once every line appended before the call has been handed to the output.
    public func flush() {
        condition.lock()
        let target = state.appended
        state.wakeRequested = true
        condition.broadcast()
        while state.written < target, !state.stopped {
            condition.wait()
        }
        condition.unlock()
    }

    /// Writes everything buffered, stops the thread and returns once it has; later lines are written at once.
    /// Idempotent.
    public func close() {
        condition.lock()
        state.closing = true
        state.wakeRequested = true
        condition.broadcast()
        while !state.stopped {
            condition.wait()
        }
        condition.unlock()
    }

    // MARK: The writer's thread

    private func run() {
        var batch: [UInt8] = []
        batch.reserveCapacity(min(capacity, 1 << 16))
        condition.lock()
        while true {
            if !state.wakeRequested, !state.closing {
                _ = condition.wait(until: Date(timeIntervalSinceNow: interval.secondsValue))
            }
            state.wakeRequested = false
            let closing = state.closing
            swap(&batch, &state.pending)
            state.pendingLines = 0
            let droppedNow = state.droppedSinceNotice
            state.droppedSinceNotice = 0
            let upTo = state.appended
            condition.unlock()

            if !batch.isEmpty { batch.withUnsafeBytes { output($0) } }
            if droppedNow > 0, let notice = dropNotice?(droppedNow) {
                notice.withUnsafeBytes { output($0) }
            }
            batch.removeAll(keepingCapacity: true)

            condition.lock()
            state.written = upTo
            condition.broadcast()
            if closing, state.pending.isEmpty, state.droppedSinceNotice == 0 {
                state.stopped = true
                condition.broadcast()
                condition.unlock()
                return
            }
        }
    }

    /// After ``close()``: the caller writes its line itself (serialised by the lock, so never interleaved).
    private func writeNow(_ line: some Collection<UInt8>) {
        let bytes = Array(line)
        condition.lock()
        bytes.withUnsafeBytes { output($0) }
        condition.unlock()
        lines.add(1, ordering: .relaxed)
    }

    /// Writes every byte to `descriptor`, retrying after signals and short writes; gives up on any other error
    /// (a closed standard error must not stop the service).
    static func writeAll(_ bytes: UnsafeRawBufferPointer, to descriptor: Int32) {
        guard var base = bytes.baseAddress else { return }
        var left = bytes.count
        while left > 0 {
            let n = write(descriptor, base, left)
            if n > 0 {
                base += n
                left -= n
            } else if n < 0, errno == EINTR || errno == EAGAIN {
                if errno == EAGAIN {
                    var descriptor = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
                    _ = poll(&descriptor, 1, 100)
                }
            } else {
                return
            }
        }
    }
}

extension Duration {
    /// The duration in seconds, as a `Double`.
    fileprivate var secondsValue: Double {
        Double(components.seconds) + Double(components.attoseconds) * 1e-18
    }
}
