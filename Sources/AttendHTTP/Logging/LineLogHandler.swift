import HTTP1
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
    /// as ``log(level:message:sortedFields:source:)`` with those values, without a `String` per value. Returns
    /// false and writes nothing when the handler has metadata of its own (the caller then logs through its
    /// `Logger`); true otherwise (nothing is written, and `fields` is not called, below ``logLevel``).
    public func log(
        level: Logger.Level, message: String, source: String, fields: (inout LineBuilder) -> Void
    ) -> Bool {
        guard metadata.isEmpty else { return false }
        guard level >= logLevel else { return true }
        let time = Self.now()
        writer.appendLine { pending in
            var builder = LineBuilder(
                format: format, label: label, level: level, message: message, source: source, time: time,
                into: &pending)
            fields(&builder)
            builder.finish(into: &pending)
        }
        return true
    }

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
        var out: [UInt8] = []
        out.reserveCapacity(192)
        switch format {
        case .text:
            appendTimestamp(time, to: &out)
            out.append(UInt8(ascii: " "))
            out.append(contentsOf: level.rawValue.utf8)
            out.append(UInt8(ascii: " "))
            out.append(contentsOf: label.utf8)
            out.append(UInt8(ascii: ":"))
            for (key, value) in sorted {
                out.append(UInt8(ascii: " "))
                appendText(key, to: &out)
                out.append(UInt8(ascii: "="))
                appendText(value.description, to: &out)
            }
            out.append(contentsOf: " [".utf8)
            out.append(contentsOf: source.utf8)
            out.append(contentsOf: "] ".utf8)
            appendText(message, to: &out)
        case .json:
            out.append(contentsOf: #"{"ts":""#.utf8)
            appendTimestamp(time, to: &out)
            out.append(contentsOf: #"","level":""#.utf8)
            out.append(contentsOf: level.rawValue.utf8)
            out.append(contentsOf: #"","label":"#.utf8)
            appendJSONString(label, to: &out)
            out.append(contentsOf: #","msg":"#.utf8)
            appendJSONString(message, to: &out)
            for (key, value) in sorted {
                out.append(UInt8(ascii: ","))
                appendJSONString(key, to: &out)
                out.append(UInt8(ascii: ":"))
                appendJSONValue(value, to: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
        out.append(UInt8(ascii: "\n"))
        return out
    }

    /// The wall clock: whole seconds since 1970 and milliseconds.
    public static func now() -> (seconds: Int, milliseconds: Int) {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return (Int(spec.tv_sec), Int(spec.tv_nsec) / 1_000_000)
    }

    /// `YYYY-MM-DDTHH:MM:SS.mmmZ` (UTC); the part before the point is formatted once per second
    /// (``PerSecondText/iso8601``, shared with every thread).
    static func appendTimestamp(_ time: (seconds: Int, milliseconds: Int), to out: inout [UInt8]) {
        out.append(contentsOf: PerSecondText.iso8601.bytes(for: max(time.seconds, 0)))
        out.append(UInt8(ascii: "."))
        CivilTime.appendPadded(time.milliseconds, width: 3, to: &out)
        out.append(UInt8(ascii: "Z"))
    }

    /// Text with newlines (and other control bytes) replaced by spaces, so that a line stays one line.
    static func appendText(_ text: String, to out: inout [UInt8]) {
        var text = text
        text.withUTF8 { bytes in
            guard bytes.contains(where: { $0 < 0x20 }) else { return out.append(contentsOf: bytes) }
            for byte in bytes {
                out.append(byte < 0x20 ? UInt8(ascii: " ") : byte)
            }
        }
    }

    static func appendJSONString(_ text: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var text = text
        let plain = text.withUTF8 { bytes in
            guard !bytes.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") })
            else { return false }
            out.append(contentsOf: bytes)
            return true
        }
        if plain {
            out.append(UInt8(ascii: "\""))
            return
        }
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: #"\""#.utf8)
            case UInt8(ascii: "\\"): out.append(contentsOf: #"\\"#.utf8)
            case UInt8(ascii: "\n"): out.append(contentsOf: #"\n"#.utf8)
            case UInt8(ascii: "\r"): out.append(contentsOf: #"\r"#.utf8)
            case UInt8(ascii: "\t"): out.append(contentsOf: #"\t"#.utf8)
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                out.append(contentsOf: #"\u00"#.utf8)
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 15)])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// A metadata value: integers and plain decimals as numbers, everything else as a string.
    static func appendJSONValue(_ value: Logger.MetadataValue, to out: inout [UInt8]) {
        let text: String
        switch value {
        case .string(let s): text = s
        case .stringConvertible(let v): text = v.description
        case .array, .dictionary:
            appendJSONString(value.description, to: &out)
            return
        }
        if isNumber(text) {
            out.append(contentsOf: text.utf8)
        } else {
            appendJSONString(text, to: &out)
        }
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
