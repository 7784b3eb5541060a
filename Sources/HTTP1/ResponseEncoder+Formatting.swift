import JSON

/// Byte formatting helpers of `ResponseEncoder`: numbers, fields, dates and JSON error bodies.
extension ResponseEncoder {
    /// An RFC 9110 §5.6.7 IMF-fixdate, e.g. `Sun, 06 Nov 1994 08:49:37 GMT`, for seconds since 1970.
    public static func imfFixdate(_ secondsSince1970: Int) -> [UInt8] {
        let (days, secondOfDay) = secondsSince1970.quotientAndRemainderFlooring(dividingBy: 86_400)
        let weekday = (days + 4).quotientAndRemainderFlooring(dividingBy: 7).remainder  // 1970-01-01: Thursday
        // Howard Hinnant's civil_from_days.
        let shifted = days + 719_468
        let era = shifted.quotientAndRemainderFlooring(dividingBy: 146_097).quotient
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        let dayNames = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let monthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        var bytes: [UInt8] = []
        bytes.reserveCapacity(29)
        bytes.append(contentsOf: dayNames[weekday].utf8)
        bytes.append(contentsOf: ", ".utf8)
        appendPadded(day, width: 2, to: &bytes)
        bytes.append(ASCII.space)
        bytes.append(contentsOf: monthNames[month - 1].utf8)
        bytes.append(ASCII.space)
        appendPadded(year, width: 4, to: &bytes)
        bytes.append(ASCII.space)
        appendPadded(secondOfDay / 3600, width: 2, to: &bytes)
        bytes.append(ASCII.colon)
        appendPadded(secondOfDay / 60 % 60, width: 2, to: &bytes)
        bytes.append(ASCII.colon)
        appendPadded(secondOfDay % 60, width: 2, to: &bytes)
        bytes.append(contentsOf: " GMT".utf8)
        return bytes
    }

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
        for byte in name.utf8 {
            buffer.append(ASCII.isTokenChar(byte) ? byte : UInt8(ascii: "-"))
        }
        buffer.append(contentsOf: ": ".utf8)
        appendText(value, to: &buffer)
        buffer.append(contentsOf: "\r\n".utf8)
    }

    /// Appends text with CR, LF and NUL replaced by spaces.
    static func appendText(_ text: String, to buffer: inout [UInt8]) {
        for byte in text.utf8 {
            buffer.append(byte == ASCII.cr || byte == ASCII.lf || byte == 0 ? ASCII.space : byte)
        }
    }

    static func appendDecimal(_ value: Int, to buffer: inout [UInt8]) {
        if value < 0 {
            buffer.append(UInt8(ascii: "-"))
            appendDecimal(0 - value, to: &buffer)
            return
        }
        if value >= 10 {
            appendDecimal(value / 10, to: &buffer)
        }
        buffer.append(UInt8(48 + value % 10))
    }

    static func appendHex(_ value: Int, to buffer: inout [UInt8]) {
        let digits = Array("0123456789abcdef".utf8)
        if value >= 16 {
            appendHex(value / 16, to: &buffer)
        }
        buffer.append(digits[value % 16])
    }

    static func appendPadded(_ value: Int, width: Int, to buffer: inout [UInt8]) {
        var digits: [UInt8] = []
        var rest = value
        repeat {
            digits.append(UInt8(48 + rest % 10))
            rest /= 10
        } while rest > 0
        for _ in digits.count..<max(width, digits.count) {
            buffer.append(48)
        }
        buffer.append(contentsOf: digits.reversed())
    }
}

extension Int {
    /// Quotient and remainder with the quotient rounded towards negative infinity.
    fileprivate func quotientAndRemainderFlooring(dividingBy divisor: Int) -> (quotient: Int, remainder: Int) {
        var (quotient, remainder) = quotientAndRemainder(dividingBy: divisor)
        if remainder < 0 {
            quotient -= 1
            remainder += divisor
        }
        return (quotient, remainder)
    }
}
