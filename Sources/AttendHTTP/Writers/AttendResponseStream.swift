import AttendCore
import HTTP1
import JSON
import Synchronization

/// A large `POST /attend` JSON answer as a `ResponseStream`: the writer's parts (`AttendResponseWriter.pieces`)
/// grouped into chunks of about ``JobEstimate/streamPieceBytes``, formatted on the engine's workers (both cores)
/// up to ``JobEstimate/streamWindowPieces`` chunks ahead of the one being sent, and sent in order. The body is
/// never held whole: at most the window, the chunk being sent and the connection's queued output. The budget
/// lease is released when the last chunk is handed over, the producer fails, or the stream is dropped unrun.
package enum AttendResponseStream {
    /// One chunk: consecutive parts formatted on one writer.
    struct Chunk: Sendable {
        var pieces: [AttendResponseWriter.Piece]
        var bytes: Int

        /// The chunk's bytes at `precision`, formatted straight into the array that is sent (no copy). The parts'
        /// estimates count 13 bytes a float, but a float can take 16 (`-0.000012345678,`): a quarter more is
        /// reserved (untouched pages cost nothing), and a chunk that still outgrows it is copied once.
        func format(precision: Int?) -> [UInt8] {
            JSONWriter.collect(capacity: min(bytes + bytes / 4 + 4096, 1 << 26), precision: precision) { w in
                for piece in pieces { piece.write(w) }
            }
        }
    }

    /// The parts grouped in order into chunks of at least `target` estimated bytes (the last may be smaller).
    static func chunks(_ pieces: [AttendResponseWriter.Piece], target: Int) -> [Chunk] {
        var chunks: [Chunk] = []
        var current = Chunk(pieces: [], bytes: 0)
        for piece in pieces {
            current.pieces.append(piece)
            current.bytes += piece.bytes
            if current.bytes >= target {
                chunks.append(current)
                current = Chunk(pieces: [], bytes: 0)
            }
        }
        if !current.pieces.isEmpty { chunks.append(current) }
        return chunks
    }

    /// The stream of `job`'s answer; `lease` is its memory reservation; `window` chunks of about `target` bytes.
    package static func make(
        _ job: AttendJob, results: [SequenceResult], lease: BudgetLease?, workers: Workers,
        window: Int = JobEstimate.streamWindowPieces, target: Int = JobEstimate.streamPieceBytes
    ) -> ResponseStream {
        let chunks = chunks(AttendResponseWriter.pieces(job, results: results), target: target)
        let precision = job.precision
        return ResponseStream { sink in
            defer { lease?.release() }
            var next = 0
            var inFlight: [Task<[UInt8], any Error>] = []
            func submit() {
                let chunk = chunks[next]
                next += 1
                inFlight.append(Task { try await workers.run { chunk.format(precision: precision) } })
            }
            while next < chunks.count, inFlight.count < max(1, window) { submit() }
            do {
                while !inFlight.isEmpty {
                    let bytes = try await inFlight.removeFirst().value
                    if next < chunks.count { submit() }
                    try await sink.write(bytes)
                }
            } catch {
                for task in inFlight { task.cancel() }
                throw error
            }
        }
    }

    /// Produces `job`'s streamed answer into a sink that only counts it; returns the byte count (the writer's
    /// benchmark: formatting and ordering without a socket).
    package static func countBytes(
        _ job: AttendJob, results: [SequenceResult], workers: Workers
    ) async throws -> Int {
        let sink = CountingSink()
        try await make(job, results: results, lease: nil, workers: workers).produce(into: sink)
        return sink.count.load(ordering: .relaxed)
    }

    /// A sink that counts bytes.
    final class CountingSink: ResponseStream.Sink {
        let count = Atomic<Int>(0)

        func write(_ bytes: [UInt8]) async throws {
            count.add(bytes.count, ordering: .relaxed)
        }
    }
}
