import CZlib
import HTTP1

/// Incremental gzip compression of a streamed body: each piece is deflated as it comes (`Z_NO_FLUSH`: zlib emits
/// what its window lets go, so output trails input by at most its internal buffers, ~tens of KiB), and
/// `finish()` ends the member. The stream lives at a fixed address (zlib keeps a pointer back to it). Used by one
/// producer at a time.
final class GzipDeflater: @unchecked Sendable {
    private let stream: UnsafeMutablePointer<z_stream>
    private var finished = false

    /// A deflater at `level`; nil if zlib fails to start.
    init?(level: Int32) {
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        // windowBits 31 = 15 (32 KiB window) + 16 (gzip wrapper).
        guard
            deflateInit2_(
                stream, level, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
                == Z_OK
        else {
            stream.deallocate()
            return nil
        }
    }

    deinit {
        deflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    /// The compressed bytes zlib produces for `input` so far (possibly none); nil once zlib fails.
    func deflate(_ input: [UInt8]) -> [UInt8]? {
        run(input, flush: Z_NO_FLUSH)
    }

    /// The rest of the member (pending output and the gzip trailer); nil if zlib fails.
    func finish() -> [UInt8]? {
        guard !finished else { return [] }
        finished = true
        return run([], flush: Z_FINISH)
    }

    private func run(_ input: [UInt8], flush: Int32) -> [UInt8]? {
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: max(16 << 10, input.count / 2 + 64))
        var failed = false
        input.withUnsafeBytes { source in
            stream.pointee.next_in = UnsafeMutablePointer(
                mutating: source.baseAddress?.assumingMemoryBound(to: Bytef.self))
            stream.pointee.avail_in = uInt(source.count)
            while true {
                let (status, produced, room) = chunk.withUnsafeMutableBytes { destination -> (Int32, Int, Int) in
                    stream.pointee.next_out = destination.baseAddress?.assumingMemoryBound(to: Bytef.self)
                    stream.pointee.avail_out = uInt(destination.count)
                    let status = CZlib.deflate(stream, flush)
                    return (status, destination.count - Int(stream.pointee.avail_out), Int(stream.pointee.avail_out))
                }
                output.append(contentsOf: chunk[0..<produced])
                if status == Z_STREAM_END { break }
                guard status == Z_OK || status == Z_BUF_ERROR else {
                    failed = true
                    break
                }
                // Done when zlib took all the input and had room left (nothing more is pending for this flush).
                if stream.pointee.avail_in == 0, room > 0, flush == Z_NO_FLUSH { break }
                if status == Z_BUF_ERROR, stream.pointee.avail_in == 0, room > 0 { break }
            }
        }
        stream.pointee.next_in = nil
        return failed ? nil : output
    }
}

extension GzipDeflater {
    /// zlib failed in the middle of a streamed body.
    enum Failure: Error {
        case zlibFailed
    }

    /// Deflates each piece before passing it on.
    struct Sink: ResponseStream.Sink {
        let deflater: GzipDeflater
        let next: any ResponseStream.Sink

        func write(_ bytes: [UInt8]) async throws {
            guard !bytes.isEmpty else { return }
            let deflater = self.deflater
            let compressed =
                bytes.count >= Offload.minimumBytes
                ? await Offload.run { deflater.deflate(bytes) } : deflater.deflate(bytes)
            guard let compressed else { throw Failure.zlibFailed }
            try await next.write(compressed)
        }
    }
}
