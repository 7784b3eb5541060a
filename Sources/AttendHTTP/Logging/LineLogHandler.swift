import Logging

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// A `LogHandler` that formats each event into one line of bytes and hands it to a ``LogWriter`` (which never
/// blocks): human-readable text, or one JSON object per line.
///
/// Text: `2026-12-01T12:35:20.123Z info attend: key=value ... [Module] message`, metadata sorted by key.
/// JSON: `{"ts":"2026-12-01T12:35:20.123Z","level":"info","label":"attend","msg":"message",<metadata>}`, metadata
/// sorted by key; integer and decimal values are written as JSON numbers.
public struct LineLogHandler: LogHandler {
    /// The line format.
    public enum Format: Sendable {
        /// `timestamp level label: metadata [source] message`.
        case text
        /// One JSON object per line.
        case json
    }

    public let label: String
    public let format: Format
    public let writer: LogWriter
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]

    /// A handler for `label` writing `format` lines to `writer`.
    public init(label: String, format: Format, writer: LogWriter) {
        self.label = label
        self.format = format
        self.writer = writer
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var fields = metadata
        if let extra = event.metadata {
            if fields.isEmpty {
                fields = extra
            } else {
                fields.merge(extra) { $1 }
            }
        }
        writer.append(
            Self.line(
                format: format, label: label, level: event.level, message: event.message.description,
                metadata: fields, source: event.source, time: Self.now()))
    }

    /// Writes the line ``log(event:)`` would write for `message` with `sortedFields` as the event's metadata
    /// (keys in ascending order), without building a `Logger.Metadata` dictionary: the per-request line's fast
    /// path. Returns false and writes nothing when the handler has metadata of its own (the caller then logs
    /// through its `Logger`); true otherwise (nothing is written below ``logLevel``).
    public func log(
        level: Logger.Level, message: String, sortedFields: KeyValuePairs<String, Logger.MetadataValue>,
        source: String
    ) -> Bool {
        guard metadata.isEmpty else { return false }
        guard level >= logLevel else { return true }
        writer.append(
            Self.line(
                format: format, label: label, level: level, message: message, sortedFields: sortedFields,
                source: source, time: Self.now()))
        return true
    }

    /// Writes one line whose fields `fields` adds to a ``LineBuilder`` (keys in ascending order), the same bytes
    /// as ``log(level:message:sortedFields:source:)`` with those values, without a `String` per value. The line is
    /// built on the caller's stack, outside the writer's lock, which it then holds only to copy the bytes. Returns
    /// false and writes nothing when the handler has metadata of its own (the caller then logs through its
    /// `Logger`); true otherwise (nothing is written, and `fields` is not called, below ``logLevel``).
    public func log(
        level: Logger.Level, message: String, source: String, fields: (inout LineBuilder) -> Void
    ) -> Bool {
        guard metadata.isEmpty else { return false }
        guard level >= logLevel else { return true }
        let time = Self.now()
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Self.scratchBytes) { scratch in
            var builder = LineBuilder(
                format: format, label: label, level: level, message: message, source: source, time: time,
                scratch: scratch)
            fields(&builder)
            let line = builder.finish()
            _ = line.withBytes { writer.append($0) }
        }
        return true
    }

    /// Hands one request line (`request` at info, the fields of ``RequestLine``) to the writer, which formats it
    /// on its own thread: the same bytes as ``log(level:message:source:fields:)`` with those fields. Returns false
    /// and writes nothing when the handler has metadata of its own (the caller then logs through its `Logger`);
    /// true otherwise (nothing is written below ``logLevel``).
    public func logRequest(
        bytes: Int, method: String, millisecondUnits: Int64?, millisecondsText: @autoclosure () -> String,
        path: String, status: Int, tokens: Int
    ) -> Bool {
        guard metadata.isEmpty else { return false }
        guard Logger.Level.info >= logLevel else { return true }
        writer.append(
            request: RequestLine(
                format: format, label: label, time: Self.now(), bytes: bytes, method: method,
                millisecondUnits: millisecondUnits, millisecondsText: millisecondUnits == nil ? millisecondsText() : "",
                path: path, status: status, tokens: tokens))
        return true
    }

    /// Stack bytes for building a line; a longer line moves to the heap.
    static let scratchBytes = 512

    /// The bytes of one line (newline included) at `time` (seconds and milliseconds since 1970; now by default).
    public static func line(
        format: Format, label: String, level: Logger.Level, message: String, metadata: Logger.Metadata,
        source: String, time: (seconds: Int, milliseconds: Int) = now()
    ) -> [UInt8] {
        let sorted = metadata.count > 1 ? metadata.sorted { $0.key < $1.key } : Array(metadata)
        return line(
            format: format, label: label, level: level, message: message, sortedFields: sorted, source: source,
            time: time)
    }

    /// One line for metadata already in key order.
    static func line<Fields: Sequence<(key: String, value: Logger.MetadataValue)>>(
        format: Format, label: String, level: Logger.Level, message: String, sortedFields sorted: Fields,
        source: String, time: (seconds: Int, milliseconds: Int)
    ) -> [UInt8] {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: scratchBytes) { scratch in
            var builder = LineBuilder(
                format: format, label: label, level: level, message: message, source: source, time: time,
                scratch: scratch)
            for (key, value) in sorted { builder.metadata(key, value) }
            let line = builder.finish()
            let bytes = line.withBytes { Array($0) }
            return bytes
        }
    }

    /// The wall clock: whole seconds since 1970 and milliseconds.
    public static func now() -> (seconds: Int, milliseconds: Int) {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return (Int(spec.tv_sec), Int(spec.tv_nsec) / 1_000_000)
    }

    /// `-?digits(.digits)?` with no leading zeros (a JSON number that reads back as the same text).
    static func isNumber(_ text: String) -> Bool {
        var bytes = text.utf8[...]
        if bytes.first == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
        guard let first = bytes.first, (48...57).contains(first), bytes.count <= 20 else { return false }
        var seenDot = false
        var previous: UInt8 = 0
        for (i, byte) in bytes.enumerated() {
            if byte == UInt8(ascii: ".") {
                guard !seenDot, i > 0 else { return false }
                seenDot = true
            } else if !(48...57).contains(byte) {
                return false
            } else if i == 1, previous == 48, !seenDot {
                return false
            }
            previous = byte
        }
        return previous != UInt8(ascii: ".")
    }
}
