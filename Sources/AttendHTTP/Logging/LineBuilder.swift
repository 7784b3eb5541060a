import Logging

/// One log line built field by field straight into bytes, without `Logger.Metadata` or a `String` per value: the
/// per-request line's fast path (``LineLogHandler/log(level:message:source:fields:)``).
///
/// Fields must be added in ascending key order; the bytes are those
/// ``LineLogHandler/line(format:label:level:message:metadata:source:time:)`` writes for the same fields given as
/// `Logger.MetadataValue.string` values (an integer as its decimal text).
public struct LineBuilder {
    private let format: LineLogHandler.Format
    private let message: String
    private let source: String
    private(set) var bytes: [UInt8] = []

    init(
        format: LineLogHandler.Format, label: String, level: Logger.Level, message: String, source: String,
        time: (seconds: Int, milliseconds: Int)
    ) {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(192)
        self.init(
            format: format, label: label, level: level, message: message, source: source, time: time,
            into: &bytes)
    }

    /// A line appended to the end of `buffer`, which the builder takes over (`buffer` is left empty) until
    /// ``finish(into:)`` hands it back: the bytes are written in place, with no array of their own.
    init(
        format: LineLogHandler.Format, label: String, level: Logger.Level, message: String, source: String,
        time: (seconds: Int, milliseconds: Int), into buffer: inout [UInt8]
    ) {
        self.format = format
        self.message = message
        self.source = source
        swap(&bytes, &buffer)
        switch format {
        case .text:
            LineLogHandler.appendTimestamp(time, to: &bytes)
            bytes.append(UInt8(ascii: " "))
            bytes.append(contentsOf: level.rawValue.utf8)
            bytes.append(UInt8(ascii: " "))
            bytes.append(contentsOf: label.utf8)
            bytes.append(UInt8(ascii: ":"))
        case .json:
            bytes.append(contentsOf: #"{"ts":""#.utf8)
            LineLogHandler.appendTimestamp(time, to: &bytes)
            bytes.append(contentsOf: #"","level":""#.utf8)
            bytes.append(contentsOf: level.rawValue.utf8)
            bytes.append(contentsOf: #"","label":"#.utf8)
            LineLogHandler.appendJSONString(label, to: &bytes)
            bytes.append(contentsOf: #","msg":"#.utf8)
            LineLogHandler.appendJSONString(message, to: &bytes)
        }
    }

    private mutating func key(_ key: String) {
        switch format {
        case .text:
            bytes.append(UInt8(ascii: " "))
            LineLogHandler.appendText(key, to: &bytes)
            bytes.append(UInt8(ascii: "="))
        case .json:
            bytes.append(UInt8(ascii: ","))
            LineLogHandler.appendJSONString(key, to: &bytes)
            bytes.append(UInt8(ascii: ":"))
        }
    }

    /// A text value (as a `.string` metadata value: in JSON a number when it reads as one, else a string).
    public mutating func text(_ key: String, _ value: String) {
        self.key(key)
        switch format {
        case .text: LineLogHandler.appendText(value, to: &bytes)
        case .json: LineLogHandler.appendJSONValue(.string(value), to: &bytes)
        }
    }

    /// An integer, as its decimal digits (in JSON a number).
    public mutating func integer(_ key: String, _ value: Int) {
        self.key(key)
        LineBuilder.appendDecimal(value, to: &bytes)
    }

    /// `units / 10^places` with exactly `places` digits after the point, as ``AttendApp/milliseconds(_:decimals:)``
    /// writes it (in JSON a number); `units` must not be negative.
    mutating func fixedPoint(_ key: String, units: Int64, places: Int) {
        self.key(key)
        LineBuilder.appendFixedPoint(units: units, places: places, to: &bytes)
    }

    /// The finished line, newline included.
    consuming func finish() -> [UInt8] {
        var line: [UInt8] = []
        finish(into: &line)
        return line
    }

    /// Ends the line (newline included) and hands the buffer the builder took over back to `buffer` (which must
    /// be empty), the line at its end.
    consuming func finish(into buffer: inout [UInt8]) {
        switch format {
        case .text:
            bytes.append(contentsOf: " [".utf8)
            bytes.append(contentsOf: source.utf8)
            bytes.append(contentsOf: "] ".utf8)
            LineLogHandler.appendText(message, to: &bytes)
        case .json:
            bytes.append(UInt8(ascii: "}"))
        }
        bytes.append(UInt8(ascii: "\n"))
        swap(&bytes, &buffer)
    }

    /// The decimal digits of `value` (with `-` when negative), as `String(value)` writes them.
    static func appendDecimal(_ value: Int, to out: inout [UInt8]) {
        var digits: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        withUnsafeMutableBytes(of: &digits) { buffer in
            var magnitude = value.magnitude
            var start = buffer.count
            repeat {
                start -= 1
                buffer[start] = UInt8(truncatingIfNeeded: 48 + magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            if value < 0 {
                start -= 1
                buffer[start] = UInt8(ascii: "-")
            }
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[start...]))
        }
    }

    /// `units / 10^places` (places 0...6) with exactly `places` digits after the point; `units` >= 0.
    static func appendFixedPoint(units: Int64, places: Int, to out: inout [UInt8]) {
        var digits: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        withUnsafeMutableBytes(of: &digits) { buffer in
            let count = writeFixedPoint(units: units, places: places, into: buffer)
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[..<count]))
        }
    }

    /// Writes `units / 10^places` (places 0...6, `units` >= 0) with exactly `places` digits after the point at
    /// the start of `buffer` (32 bytes or more); returns the bytes written.
    static func writeFixedPoint(units: Int64, places: Int, into buffer: UnsafeMutableRawBufferPointer) -> Int {
        let places = min(max(places, 0), 6)
        var rest = UInt64(max(units, 0))
        // Digits from the right: the fraction's `places` digits, the point, then the whole part.
        var end = 32
        var written = 0
        while written < places {
            end -= 1
            buffer[end] = UInt8(truncatingIfNeeded: 48 + rest % 10)
            rest /= 10
            written += 1
        }
        if places > 0 {
            end -= 1
            buffer[end] = UInt8(ascii: ".")
        }
        repeat {
            end -= 1
            buffer[end] = UInt8(truncatingIfNeeded: 48 + rest % 10)
            rest /= 10
        } while rest > 0
        let count = 32 - end
        buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: buffer[end..<32]))
        return count
    }
}
