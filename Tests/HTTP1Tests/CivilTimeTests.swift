import Synchronization
import Testing

@testable import HTTP1

/// The shared UTC calendar computation and the per-second text cache.
@Suite struct CivilTimeTests {
    final class Calls: Sendable {
        let count = Atomic<Int>(0)
    }

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

    @Test func perSecondText_FormatsOncePerSecond_WhenAskedAgainInTheSameSecond() {
        let calls = Calls()
        let cache = PerSecondText { second in
            calls.count.add(1, ordering: .relaxed)
            return Array(String(second).utf8)
        }
        #expect(cache.bytes(for: 10) == Array("10".utf8))
        #expect(cache.bytes(for: 10) == Array("10".utf8))
        #expect(calls.count.load(ordering: .relaxed) == 1)
        #expect(cache.bytes(for: 11) == Array("11".utf8))
        #expect(calls.count.load(ordering: .relaxed) == 2)
        #expect(PerSecondText.iso8601.bytes(for: 951_868_799) == Array("2000-02-29T23:59:59".utf8))
    }
}
