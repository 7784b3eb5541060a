import JSON

/// Byte formatting helpers of `ResponseEncoder`: numbers, fields, dates and JSON error bodies.
extension ResponseEncoder {
    /// An RFC 9110 §5.6.7 IMF-fixdate, e.g. `Sun, 06 Nov 1994 08:49:37 GMT`, for seconds since 1970.
    public static func imfFixdate(_ secondsSince1970: Int) -> [UInt8] {
        let time = CivilTime(secondsSince1970: secondsSince1970)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(29)
        bytes.append(contentsOf: dayNames[time.weekday].utf8)
        bytes.append(contentsOf: ", ".utf8)
        CivilTime.appendPadded(time.day, width: 2, to: &bytes)
        bytes.append(ASCII.space)
        bytes.append(contentsOf: monthNames[time.month - 1].utf8)
        bytes.append(ASCII.space)
        CivilTime.appendPadded(time.year, width: 4, to: &bytes)
        bytes.append(ASCII.space)
        time.appendClock(to: &bytes)
        bytes.append(contentsOf: " GMT".utf8)
        return bytes
    }

    private static let dayNames = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let monthNames = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ]

    /// The response to a parse error: its status, a JSON error body and `Connection: close`.
    public static func errorResponse(for error: ParseError) -> Response {
        Response(
            status: error.status,
            headers: ["Content-Type": "application/json", "Connection": "close"],
            body: JSONString.errorBody(code: error.code, message: error.message))
    }

    /// The bytes answering a parse error (always closing the connection).
    public mutating func encodeError(_ error: ParseError, into buffer: inout [UInt8]) {
        encode(Self.errorResponse(for: error), keepAlive: false, into: &buffer)
    }

    /// Appends `name: value` CRLF. Never lets a field break the framing: a name byte that is not a token
    /// character becomes `-`; CR, LF and NUL in a value become spaces.
    static func appendField(_ name: String, _ value: String, to buffer: inout [UInt8]) {
        var name = name
        name.withUTF8 { bytes in
            guard bytes.allSatisfy(ASCII.isTokenChar) else {
                for byte in bytes { buffer.append(ASCII.isTokenChar(byte) ? byte : UInt8(ascii: "-")) }
                return
            }
            buffer.append(contentsOf: bytes)
        }
        appendLiteral(": ", to: &buffer)
        appendText(value, to: &buffer)
        appendLiteral("\r\n", to: &buffer)
    }

    /// Appends text with CR, LF and NUL replaced by spaces.
    static func appendText(_ text: String, to buffer: inout [UInt8]) {
        var text = text
        text.withUTF8 { bytes in
            guard bytes.contains(where: { $0 == ASCII.cr || $0 == ASCII.lf || $0 == 0 }) else {
                return buffer.append(contentsOf: bytes)
            }
            for byte in bytes {
                buffer.append(byte == ASCII.cr || byte == ASCII.lf || byte == 0 ? ASCII.space : byte)
            }
        }
    }

    /// Appends a literal's bytes (one copy, no UTF-8 view).
    @inline(__always)
    static func appendLiteral(_ text: StaticString, to buffer: inout [UInt8]) {
        buffer.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// Appends `value` in decimal (with `-` when negative).
    static func appendDecimal(_ value: Int, to buffer: inout [UInt8]) {
        if value < 0 { buffer.append(UInt8(ascii: "-")) }
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
        withUnsafeMutableBytes(of: &digits) { scratch in
            var rest = value.magnitude
            var start = scratch.count
            repeat {
                start -= 1
                scratch[start] = UInt8(truncatingIfNeeded: 48 + rest % 10)
                rest /= 10
            } while rest > 0
            buffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: scratch[start...]))
        }
    }

    static func appendHex(_ value: Int, to buffer: inout [UInt8]) {
        let digits = Array("0123456789abcdef".utf8)
        if value >= 16 {
            appendHex(value / 16, to: &buffer)
        }
        buffer.append(digits[value % 16])
    }
}
