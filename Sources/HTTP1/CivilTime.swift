/// A UTC calendar date and time of day (proleptic Gregorian calendar) for a count of seconds since 1970: the one
/// date computation behind the `Date` field (IMF-fixdate, ``ResponseEncoder/imfFixdate(_:)``) and the service's
/// log timestamps (ISO 8601, ``appendISO8601(to:)``).
public struct CivilTime: Sendable, Equatable {
    /// The year, e.g. 2026.
    public var year: Int
    /// 1...12.
    public var month: Int
    /// 1...31.
    public var day: Int
    /// 0 (Sunday) ... 6 (Saturday).
    public var weekday: Int
    /// 0...23.
    public var hour: Int
    /// 0...59.
    public var minute: Int
    /// 0...59.
    public var second: Int

    /// The date and time `secondsSince1970` seconds after 1970-01-01T00:00:00Z (negative: before it).
    public init(secondsSince1970: Int) {
        let (days, secondOfDay) = secondsSince1970.quotientAndRemainderFlooring(dividingBy: 86_400)
        weekday = (days + 4).quotientAndRemainderFlooring(dividingBy: 7).remainder  // 1970-01-01: Thursday
        // Howard Hinnant's civil_from_days.
        let shifted = days + 719_468
        let era = shifted.quotientAndRemainderFlooring(dividingBy: 146_097).quotient
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        hour = secondOfDay / 3600
        minute = secondOfDay / 60 % 60
        second = secondOfDay % 60
    }

    /// Appends `YYYY-MM-DDTHH:MM:SS` (no fraction, no zone).
    public func appendISO8601(to out: inout [UInt8]) {
        Self.appendPadded(year, width: 4, to: &out)
        out.append(UInt8(ascii: "-"))
        Self.appendPadded(month, width: 2, to: &out)
        out.append(UInt8(ascii: "-"))
        Self.appendPadded(day, width: 2, to: &out)
        out.append(UInt8(ascii: "T"))
        appendClock(to: &out)
    }

    /// Appends `HH:MM:SS`.
    func appendClock(to out: inout [UInt8]) {
        Self.appendPadded(hour, width: 2, to: &out)
        out.append(ASCII.colon)
        Self.appendPadded(minute, width: 2, to: &out)
        out.append(ASCII.colon)
        Self.appendPadded(second, width: 2, to: &out)
    }

    /// Appends `value` (≥ 0) in decimal, left-padded with zeros to `width` digits (more digits when it needs them).
    public static func appendPadded(_ value: Int, width: Int, to out: inout [UInt8]) {
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0, 0, 0, 0, 0)
        var rest = max(0, value)
        var count = 0
        withUnsafeMutableBytes(of: &digits) { d in
            repeat {
                d[7 - count] = UInt8(48 + rest % 10)
                rest /= 10
                count += 1
            } while rest > 0 && count < 8
            for _ in count..<max(width, count) { out.append(48) }
            out.append(contentsOf: d[(8 - count)...])
        }
    }
}

extension Int {
    /// Quotient and remainder with the quotient rounded towards negative infinity.
    func quotientAndRemainderFlooring(dividingBy divisor: Int) -> (quotient: Int, remainder: Int) {
        var (quotient, remainder) = quotientAndRemainder(dividingBy: divisor)
        if remainder < 0 {
            quotient -= 1
            remainder += divisor
        }
        return (quotient, remainder)
    }
}
