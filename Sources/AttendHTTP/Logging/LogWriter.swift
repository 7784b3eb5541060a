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
/// The buffer is split into ``laneCount`` lanes, each with its own lock and bytes; a thread always appends to the
/// same lane (chosen from its thread id), so two request threads rarely touch the same lock or cache lines, and
/// the writer's thread takes each lane's lock only to swap its bytes out. Each line is stored with the monotonic
/// clock at its append, and a batch is written in that order across lanes: lines are written whole, one thread's
/// lines in the order it appended them, and lines of different threads in the order of their appends (the clock
/// reading and the lane's lock are not taken at one instant, so two appends racing within a microsecond may swap).
///
/// A request never waits for the log: when a lane holds `capacity` bytes not yet written (the output is slow or
/// blocked), a new line is dropped and counted (``droppedLines``), and once the output catches up a notice saying
/// how many were dropped is written in the lines' place. The thread wakes every `interval`, or at once when a lane
/// passes a quarter of its capacity or ``flush()`` asks. ``close()`` writes everything still buffered and stops
/// the thread; lines appended after it are written at once, by the caller.
public final class LogWriter: @unchecked Sendable {  // `control` is guarded by `condition`; each lane by its lock.
    /// Where batches go: the bytes of whole lines, in order. Called on the writer's thread only (or by the caller
    /// of ``append(_:)`` after ``close()``), never concurrently.
    public typealias Output = @Sendable (UnsafeRawBufferPointer) -> Void

    /// What the writer writes in place of dropped lines: one whole line (with its newline) for a count.
    public typealias DropNotice = @Sendable (Int) -> [UInt8]

    /// The lanes lines are spread over (by thread).
    public static let laneCount = 16

    /// One lane's lines not yet handed to the writer's thread.
    private struct LaneState {
        /// Records: each line after its head (``recordHeadBytes``).
        var pending: [UInt8] = []
        /// Request lines not yet formatted, with their append times and order in the lane.
        var requests: [(time: UInt64, order: Int, line: RequestLine)] = []
        /// The next entry's order in the lane (bytes and request lines alike).
        var order = 0
        /// The bytes of the lines in `pending` (without their heads): what `capacity` bounds.
        var lineBytes = 0
        /// Lines dropped since the last notice.
        var droppedSinceNotice = 0
        /// Lines accepted and dropped, ever.
        var accepted = 0
        var dropped = 0
        var wakeRequested = false
        /// The writer has stopped: append writes the line itself.
        var stopped = false
    }

    /// One lane: its own lock, in its own allocation.
    private final class Lane: Sendable {
        let state: Mutex<LaneState>
        init(reserve: Int) {
            var state = LaneState()
            state.pending.reserveCapacity(reserve)
            self.state = Mutex(state)
        }
    }

    /// What became of an appended line.
    private enum AppendOutcome { case accepted, acceptedWake, dropped, late }

    /// The writer thread's schedule.
    private struct Control {
        var wakeRequested = false
        var closing = false
        var stopped = false
        /// Passes over every lane begun and finished.
        var passesBegun = 0
        var passesDone = 0
    }

    private let capacity: Int
    private let interval: Duration
    private let output: Output
    private let dropNotice: DropNotice?
    private let condition = NSCondition()
    private var control = Control()
    private let lanes: [Lane]
    /// Serialises the callers' own writes after ``close()``.
    private let lateWrites = Mutex<Void>(())

    /// A writer of at most `capacity` buffered bytes per lane that writes to `output` every `interval` (or
    /// sooner).
    public init(
        capacity: Int = 1 << 18, interval: Duration = .milliseconds(20), output: @escaping Output,
        dropNotice: DropNotice? = nil
    ) {
        self.capacity = max(capacity, 1)
        self.interval = interval
        self.output = output
        self.dropNotice = dropNotice
        let reserve = min(self.capacity, 1 << 12)
        lanes = (0..<Self.laneCount).map { _ in Lane(reserve: reserve) }
        let thread = Thread { [self] in run() }
        thread.name = "attend.log"
        thread.start()
    }

    /// A writer to a file descriptor (standard error by default); see ``init(capacity:interval:output:dropNotice:)``.
    public convenience init(
        fileDescriptor: Int32 = 2, capacity: Int = 1 << 18, interval: Duration = .milliseconds(20),
        dropNotice: DropNotice? = nil
    ) {
        self.init(
            capacity: capacity, interval: interval, output: { Self.writeAll($0, to: fileDescriptor) },
            dropNotice: dropNotice)
    }

    /// Lines refused because a lane was full, since the start.
    public var droppedLines: Int { lanes.reduce(0) { $0 + $1.state.withLock { $0.dropped } } }

    /// Lines accepted (buffered or written), since the start.
    public var acceptedLines: Int { lanes.reduce(0) { $0 + $1.state.withLock { $0.accepted } } }

    /// The calling thread's lane.
    private var lane: Lane {
        var mixed = UInt64(UInt(bitPattern: Int(bitPattern: UInt(pthread_self()))))
        mixed = (mixed ^ (mixed >> 29)) &* 0xbf58_476d_1ce4_e5b9
        mixed ^= mixed >> 32
        return lanes[Int(mixed % UInt64(lanes.count))]
    }

    /// Buffers one line (its bytes, newline included); returns false when it was dropped because its lane is
    /// full. Never waits for the output (after ``close()`` it writes the line itself).
    @discardableResult
    public func append(_ line: some Collection<UInt8>) -> Bool {
        admit(size: line.count, late: { writeNow(line) }) { state, time in
            Self.appendRecordHead(time: time, order: state.order, length: line.count, to: &state.pending)
            state.pending.append(contentsOf: line)
        }
    }

    /// Buffers one request line to be formatted on the writer's thread (``RequestLine``): the caller copies its
    /// values and returns. The same rules as ``append(_:)``; after ``close()`` the line is formatted and written
    /// at once.
    @discardableResult
    public func append(request line: RequestLine) -> Bool {
        admit(
            size: line.estimatedBytes,
            late: {
                var bytes: [UInt8] = []
                line.write(to: &bytes)
                writeNow(bytes)
            }
        ) { state, time in
            state.requests.append((time, state.order, line))
        }
    }

    /// One entry of `size` bytes into the calling thread's lane: `store` puts it there (under the lane's lock,
    /// with the append's monotonic time) unless the lane is full (dropped and counted: false); once the writer
    /// has stopped, `late` writes it instead. Wakes the writer when the lane passes a quarter of its capacity.
    private func admit(
        size: Int, late: () -> Void, store: (inout LaneState, UInt64) -> Void
    ) -> Bool {
        let capacity = self.capacity
        let time = Self.monotonicNanoseconds()
        let outcome = lane.state.withLock { state -> AppendOutcome in
            if state.stopped { return .late }
            let start = state.lineBytes
            guard start + size <= capacity || start == 0 else {
                state.droppedSinceNotice += 1
                state.dropped += 1
                return .dropped
            }
            store(&state, time)
            state.order += 1
            state.lineBytes += size
            state.accepted += 1
            guard start < capacity / 4, state.lineBytes >= capacity / 4, !state.wakeRequested else {
                return .accepted
            }
            state.wakeRequested = true
            return .acceptedWake
        }
        switch outcome {
        case .accepted: return true
        case .dropped: return false
        case .acceptedWake:
            wake()
            return true
        case .late:
            late()
            return true
        }
    }

    /// Wakes the writer's thread now.
    private func wake() {
        condition.lock()
        control.wakeRequested = true
        condition.unlock()
        condition.broadcast()
    }

    /// Returns once every line appended before the call has been handed to the output.
    public func flush() {
        condition.lock()
        // A pass that begins after now takes every line appended before.
        let target = control.passesBegun + 1
        control.wakeRequested = true
        condition.broadcast()
        while control.passesDone < target, !control.stopped {
            condition.wait()
        }
        condition.unlock()
    }

    /// Writes everything buffered, stops the thread and returns once it has; later lines are written at once.
    /// Idempotent.
    public func close() {
        condition.lock()
        control.closing = true
        control.wakeRequested = true
        condition.broadcast()
        while !control.stopped {
            condition.wait()
        }
        condition.unlock()
    }

    // MARK: The writer's thread

    private func run() {
        var batches: [[UInt8]] = Array(repeating: [], count: lanes.count)
        var requestBatches: [[(time: UInt64, order: Int, line: RequestLine)]] = Array(
            repeating: [], count: lanes.count)
        var merged: [UInt8] = []
        var records: [Record] = []
        condition.lock()
        while true {
            if !control.wakeRequested, !control.closing {
                _ = condition.wait(until: Date(timeIntervalSinceNow: interval.secondsValue))
            }
            control.wakeRequested = false
            let closing = control.closing
            control.passesBegun += 1
            condition.unlock()

            // Holding `lateWrites` from the swaps to the write: a caller that finds its lane stopped writes its
            // line only after every earlier line.
            lateWrites.withLock { _ in
                var droppedNow = 0
                for (index, lane) in lanes.enumerated() {
                    droppedNow += lane.state.withLock { state in
                        swap(&batches[index], &state.pending)
                        swap(&requestBatches[index], &state.requests)
                        state.lineBytes = 0
                        state.wakeRequested = false
                        let dropped = state.droppedSinceNotice
                        state.droppedSinceNotice = 0
                        // The last pass: from now on, callers write their lines themselves.
                        if closing { state.stopped = true }
                        return dropped
                    }
                }
                Self.merge(batches, requestBatches, records: &records, into: &merged)
                if !merged.isEmpty { merged.withUnsafeBytes { output($0) } }
                if droppedNow > 0, let notice = dropNotice?(droppedNow) {
                    notice.withUnsafeBytes { output($0) }
                }
            }
            for index in batches.indices {
                batches[index].removeAll(keepingCapacity: true)
                requestBatches[index].removeAll(keepingCapacity: true)
            }
            merged.removeAll(keepingCapacity: true)

            condition.lock()
            control.passesDone += 1
            condition.broadcast()
            if closing {
                control.stopped = true
                condition.broadcast()
                condition.unlock()
                return
            }
        }
    }

    // MARK: Records

    /// Where one line sits in a lane's batch (bytes at `start` of length `count`, or request line `request`),
    /// and when it was appended.
    private struct Record {
        var time: UInt64
        var lane: Int
        var order: Int
        var start: Int
        var count: Int
        /// The index in the lane's request lines, or -1 for bytes.
        var request: Int
    }

    /// Bytes before each line in a lane: the append's monotonic time, its order in the lane and the line's
    /// length (8 each).
    private static let recordHeadBytes = 24

    private static func appendRecordHead(time: UInt64, order: Int, length: Int, to pending: inout [UInt8]) {
        withUnsafeBytes(of: (time.littleEndian, UInt64(order).littleEndian, UInt64(length).littleEndian)) {
            pending.append(contentsOf: $0)
        }
    }

    /// The lines of every lane's batch, in the order of their append times (a lane's own order on ties), into
    /// `merged`; request lines are formatted here.
    private static func merge(
        _ batches: [[UInt8]], _ requests: [[(time: UInt64, order: Int, line: RequestLine)]],
        records: inout [Record], into merged: inout [UInt8]
    ) {
        records.removeAll(keepingCapacity: true)
        var total = 0
        for (lane, batch) in batches.enumerated() where !batch.isEmpty {
            batch.withUnsafeBytes { bytes in
                var offset = 0
                while offset + recordHeadBytes <= bytes.count {
                    func word(_ at: Int) -> UInt64 {
                        UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset + at, as: UInt64.self))
                    }
                    let count = Int(word(16))
                    records.append(
                        Record(
                            time: word(0), lane: lane, order: Int(word(8)), start: offset + recordHeadBytes,
                            count: count, request: -1))
                    offset += recordHeadBytes + count
                    total += count
                }
            }
        }
        for (lane, lines) in requests.enumerated() {
            for (index, entry) in lines.enumerated() {
                records.append(
                    Record(time: entry.time, lane: lane, order: entry.order, start: 0, count: 0, request: index))
                total += entry.line.estimatedBytes
            }
        }
        if records.count > 1 {
            records.sort { ($0.time, $0.lane, $0.order) < ($1.time, $1.lane, $1.order) }
        }
        merged.reserveCapacity(total)
        for record in records {
            if record.request >= 0 {
                requests[record.lane][record.request].line.write(to: &merged)
                continue
            }
            batches[record.lane].withUnsafeBytes { bytes in
                let line = bytes[record.start..<(record.start + record.count)]
                merged.append(contentsOf: UnsafeRawBufferPointer(rebasing: line))
            }
        }
    }

    /// CLOCK_MONOTONIC in nanoseconds.
    private static func monotonicNanoseconds() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return UInt64(spec.tv_sec) &* 1_000_000_000 &+ UInt64(spec.tv_nsec)
    }

    /// After ``close()``: the caller writes its line itself (serialised with every other write, so never
    /// interleaved).
    private func writeNow(_ line: some Collection<UInt8>) {
        let bytes = Array(line)
        lateWrites.withLock { _ in bytes.withUnsafeBytes { output($0) } }
        lane.state.withLock { $0.accepted += 1 }
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
