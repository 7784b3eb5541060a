import Testing

@testable import HTTP1

/// The shared UTC calendar computation.
@Suite struct CivilTimeTests {
    static func iso(_ seconds: Int) -> String {
        var out: [UInt8] = []
        CivilTime(secondsSince1970: seconds).appendISO8601(to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    @Test func civilTime_GivesTheCalendarDate_AcrossLeapDaysAndCenturies() {
        #expect(Self.iso(0) == "1970-01-01T00:00:00")
        #expect(Self.iso(951_868_799) == "2000-02-29T23:59:59")
        #expect(Self.iso(4_107_542_400) == "2100-03-01T00:00:00")
        #expect(Self.iso(-1) == "1969-12-31T23:59:59")
        let leap = CivilTime(secondsSince1970: 951_782_400)  // Tue, 29 Feb 2000
        #expect((leap.year, leap.month, leap.day, leap.weekday) == (2000, 2, 29, 2))
    }

    @Test func appendPadded_PadsToTheWidth_AndKeepsLongerNumbersWhole() {
        var out: [UInt8] = []
        CivilTime.appendPadded(7, width: 3, to: &out)
        CivilTime.appendPadded(12345, width: 2, to: &out)
        CivilTime.appendPadded(0, width: 1, to: &out)
        #expect(String(decoding: out, as: UTF8.self) == "007123450")
    }
}
