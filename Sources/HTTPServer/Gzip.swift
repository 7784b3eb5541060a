import CZlib

/// gzip (RFC 1952) with zlib: compressing responses and inflating request bodies with a size bound.
enum Gzip {
    enum InflateError: Error, Equatable {
        /// The inflated size would pass the limit (a zip bomb, or just too big).
        case tooLarge
        /// Not a valid gzip stream.
        case corrupt
    }

    /// Compresses `input` as one gzip member; nil if zlib fails.
    static func compress(_ input: [UInt8], level: Int32) -> [UInt8]? {
        var stream = z_stream()
        // windowBits 31 = 15 (32 KiB window) + 16 (gzip wrapper).
        guard
            deflateInit2_(
                &stream, level, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION,
                Int32(MemoryLayout<z_stream>.size)) == Z_OK
        else { return nil }
        defer { deflateEnd(&stream) }
        let bound = Int(deflateBound(&stream, uLong(input.count)))
        var output = [UInt8](repeating: 0, count: bound)
        let status: Int32 = input.withUnsafeBytes { source in
            output.withUnsafeMutableBytes { destination in
                stream.next_in = UnsafeMutablePointer(
                    mutating: source.baseAddress?.assumingMemoryBound(to: Bytef.self))
                stream.avail_in = uInt(source.count)
                stream.next_out = destination.baseAddress?.assumingMemoryBound(to: Bytef.self)
                stream.avail_out = uInt(destination.count)
                return deflate(&stream, Z_FINISH)
            }
        }
        guard status == Z_STREAM_END else { return nil }
        output.removeSubrange(Int(stream.total_out)...)
        return output
    }

    /// Inflates a gzip body (concatenated members allowed), refusing to produce more than `limit` bytes.
    static func inflate(_ input: [UInt8], limit: Int) throws(InflateError) -> [UInt8] {
        guard !input.isEmpty else { throw .corrupt }
        var stream = z_stream()
        guard inflateInit2_(&stream, 31, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw .corrupt
        }
        defer { inflateEnd(&stream) }
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        var failure: InflateError?
        input.withUnsafeBytes { source in
            stream.next_in = UnsafeMutablePointer(mutating: source.baseAddress?.assumingMemoryBound(to: Bytef.self))
            stream.avail_in = uInt(source.count)
            while true {
                let (status, produced) = chunk.withUnsafeMutableBytes { destination -> (Int32, Int) in
                    stream.next_out = destination.baseAddress?.assumingMemoryBound(to: Bytef.self)
                    stream.avail_out = uInt(destination.count)
                    let status = CZlib.inflate(&stream, Z_NO_FLUSH)
                    return (status, destination.count - Int(stream.avail_out))
                }
                if output.count + produced > limit {
                    failure = .tooLarge
                    return
                }
                output.append(contentsOf: chunk[0..<produced])
                switch status {
                case Z_OK:
                    if stream.avail_in == 0 && produced == 0 {
                        failure = .corrupt  // Truncated stream.
                        return
                    }
                case Z_STREAM_END:
                    if stream.avail_in == 0 { return }
                    // Another gzip member follows.
                    guard inflateReset(&stream) == Z_OK else {
                        failure = .corrupt
                        return
                    }
                case Z_BUF_ERROR:
                    if stream.avail_in == 0 {
                        failure = .corrupt
                        return
                    }
                default:
                    failure = .corrupt
                    return
                }
            }
        }
        if let failure { throw failure }
        return output
    }

    /// Whether an `Accept-Encoding` value allows gzip (RFC 9110 §12.5.3): `gzip` or `x-gzip` with q > 0, or
    /// `*` with q > 0 when gzip is not listed. `q=0` refuses.
    static func accepts(_ acceptEncoding: String) -> Bool {
        var explicit: Double?
        var wildcard: Double?
        for element in acceptEncoding.split(separator: ",") {
            let parts = element.split(separator: ";")
            guard let first = parts.first else { continue }
            let coding = first.trimmingSpaces.lowercased()
            var quality = 1.0
            for parameter in parts.dropFirst() {
                let pair = parameter.split(separator: "=", maxSplits: 1)
                guard pair.count == 2, pair[0].trimmingSpaces.lowercased() == "q" else { continue }
                quality = Double(pair[1].trimmingSpaces) ?? 0
            }
            if coding == "gzip" || coding == "x-gzip" {
                explicit = max(explicit ?? 0, quality)
            } else if coding == "*" {
                wildcard = quality
            }
        }
        if let explicit { return explicit > 0 }
        if let wildcard { return wildcard > 0 }
        return false
    }
}

extension Substring {
    var trimmingSpaces: Substring {
        var result = self
        while let first = result.first, first == " " || first == "\t" { result = result.dropFirst() }
        while let last = result.last, last == " " || last == "\t" { result = result.dropLast() }
        return result
    }
}
