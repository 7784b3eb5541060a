import Logging

/// One log line built field by field straight into bytes (``LineBytes``, on the caller's stack), without
/// `Logger.Metadata` or a `String` per value: the per-request line's fast path
/// (``LineLogHandler/log(level:message:source:fields:)``), and the formatting of every other line
/// (``LineLogHandler/line(format:label:level:message:metadata:source:time:)``) too, so both write the same bytes.
///
/// Fields must be added in ascending key order. Text: `timestamp level label: key=value ... [source] message`;
/// JSON: `{"ts":…,"level":…,"label":…,"msg":…,"key":value,…}`.
public struct LineBuilder: ~Copyable {
    private let format: LineLogHandler.Format
    private let message: String
    private let source: String
    private var bytes: LineBytes

    /// A line whose bytes go to `scratch` (which must outlive the builder) while they fit.
    init(
        format: LineLogHandler.Format, label: String, level: Logger.Level, message: String, source: String,
        time: (seconds: Int, milliseconds: Int), scratch: UnsafeMutableBufferPointer<UInt8>
    ) {
        self.format = format
        self.message = message
        self.source = source
        bytes = LineBytes(scratch: scratch)
        switch format {
        case .text:
            Self.putTimestamp(time, to: &bytes)
            bytes.put(UInt8(ascii: " "))
            bytes.put(level.rawValue)
            bytes.put(UInt8(ascii: " "))
            bytes.put(label)
            bytes.put(UInt8(ascii: ":"))
        case .json:
            bytes.put(#"{"ts":""#)
            Self.putTimestamp(time, to: &bytes)
            bytes.put(#"","level":""#)
            bytes.put(level.rawValue)
            bytes.put(#"","label":"#)
            Self.putJSONString(label, to: &bytes)
            bytes.put(#","msg":"#)
            Self.putJSONString(message, to: &bytes)
        }
    }

    private mutating func key(_ key: String) {
        switch format {
        case .text:
            bytes.put(UInt8(ascii: " "))
            Self.putText(key, to: &bytes)
            bytes.put(UInt8(ascii: "="))
        case .json:
            bytes.put(UInt8(ascii: ","))
            Self.putJSONString(key, to: &bytes)
            bytes.put(UInt8(ascii: ":"))
        }
    }

    /// A text value (as a `.string` metadata value: in JSON a number when it reads as one, else a string).
    public mutating func text(_ key: String, _ value: String) {
        self.key(key)
        switch format {
        case .text: Self.putText(value, to: &bytes)
        case .json: Self.putJSONValue(value, to: &bytes)
        }
    }

    /// A metadata value, as `Logger.MetadataValue.description` writes it (in JSON integers and plain decimals as
    /// numbers, arrays and dictionaries as their description in a string).
    mutating func metadata(_ key: String, _ value: Logger.MetadataValue) {
        switch value {
        case .string(let text): self.text(key, text)
        case .stringConvertible(let convertible): self.text(key, convertible.description)
        case .array, .dictionary:
            self.key(key)
            switch format {
            case .text: Self.putText(value.description, to: &bytes)
            case .json: Self.putJSONString(value.description, to: &bytes)
            }
        }
    }

    /// An integer, as its decimal digits (in JSON a number).
    public mutating func integer(_ key: String, _ value: Int) {
        self.key(key)
        Self.putDecimal(value, to: &bytes)
    }

    /// `units / 10^places` with exactly `places` digits after the point, as ``AttendApp/milliseconds(_:decimals:)``
    /// writes it (in JSON a number); `units` must not be negative.
    mutating func fixedPoint(_ key: String, units: Int64, places: Int) {
        self.key(key)
        var digits: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        withUnsafeMutableBytes(of: &digits) { buffer in
            let count = Self.writeFixedPoint(units: units, places: places, into: buffer)
            bytes.put(UnsafeRawBufferPointer(rebasing: buffer[..<count]))
        }
    }

    /// The finished line, newline included.
    consuming func finish() -> LineBytes {
        switch format {
        case .text:
            bytes.put(" [")
            bytes.put(source)
            bytes.put("] ")
            Self.putText(message, to: &bytes)
        case .json:
            bytes.put(UInt8(ascii: "}"))
        }
        bytes.put(UInt8(ascii: "\n"))
        return bytes
    }

    // MARK: Values

    /// The current second's text, shared by every line.
    static let secondText = SecondText()

    /// `YYYY-MM-DDTHH:MM:SS.mmmZ` (UTC): the part before the point from ``secondText`` (formatted once per
    /// second, read without a lock).
    static func putTimestamp(_ time: (seconds: Int, milliseconds: Int), to out: inout LineBytes) {
        var words = secondText.words(for: max(time.seconds, 0))
        withUnsafeBytes(of: &words) { out.put(UnsafeRawBufferPointer(rebasing: $0[..<SecondText.count])) }
        out.put(UInt8(ascii: "."))
        out.putPadded(time.milliseconds, width: 3)
        out.put(UInt8(ascii: "Z"))
    }

    /// Text with newlines (and other control bytes) replaced by spaces, so that a line stays one line.
    static func putText(_ text: String, to out: inout LineBytes) {
        var text = text
        text.withUTF8 { out.putReplacingControls($0) }
    }

    /// A JSON string: quotes, backslashes and control bytes escaped.
    static func putJSONString(_ text: String, to out: inout LineBytes) {
        out.put(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { bytes in
            guard bytes.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") })
            else { return out.put(UnsafeRawBufferPointer(bytes)) }
            for byte in bytes {
                switch byte {
                case UInt8(ascii: "\""): out.put(#"\""#)
                case UInt8(ascii: "\\"): out.put(#"\\"#)
                case UInt8(ascii: "\n"): out.put(#"\n"#)
                case UInt8(ascii: "\r"): out.put(#"\r"#)
                case UInt8(ascii: "\t"): out.put(#"\t"#)
                case 0..<0x20:
                    let hex: StaticString = "0123456789abcdef"
                    out.put(#"\u00"#)
                    out.put(hex.utf8Start[Int(byte >> 4)])
                    out.put(hex.utf8Start[Int(byte & 15)])
                default: out.put(byte)
                }
            }
        }
        out.put(UInt8(ascii: "\""))
    }

    /// A text value in JSON: integers and plain decimals as numbers, everything else as a string.
    static func putJSONValue(_ text: String, to out: inout LineBytes) {
        if LineLogHandler.isNumber(text) {
            out.put(text)
        } else {
            putJSONString(text, to: &out)
        }
    }

    /// The decimal digits of `value` (with `-` when negative), as `String(value)` writes them.
    static func putDecimal(_ value: Int, to out: inout LineBytes) {
        if value < 0 { out.put(UInt8(ascii: "-")) }
        out.putDigits(UInt64(value.magnitude))
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
