import HTTP1
import Synchronization

/// The `YYYY-MM-DDTHH:MM:SS` (UTC) text of one second, formatted once per second and shared by every thread
/// without a lock: a sequence lock whose readers never wait (a reader that finds another second, or a writer at
/// work, formats the text itself) and whose one writer at a time is whoever formats a new second first.
final class SecondText: Sendable {
    /// Odd while a writer stores a new second.
    private let sequence = Atomic<UInt64>(0)
    private let second = Atomic<Int>(Int.min)
    /// The 19 bytes, little-endian, in three words.
    private let word0 = Atomic<UInt64>(0)
    private let word1 = Atomic<UInt64>(0)
    private let word2 = Atomic<UInt64>(0)

    /// Bytes of the text in a 24-byte value (the last 5 unused).
    typealias Words = (UInt64, UInt64, UInt64)

    /// The text's length.
    static let count = 19

    /// The text of `second` (seconds since 1970, ≥ 0).
    func words(for second: Int) -> Words {
        let seen = sequence.load(ordering: .acquiring)
        if seen & 1 == 0, self.second.load(ordering: .relaxed) == second {
            let words = (
                word0.load(ordering: .relaxed), word1.load(ordering: .relaxed), word2.load(ordering: .relaxed)
            )
            atomicMemoryFence(ordering: .acquiring)
            if sequence.load(ordering: .relaxed) == seen { return words }
        }
        let words = Self.format(second)
        if seen & 1 == 0,
            sequence.compareExchange(expected: seen, desired: seen &+ 1, ordering: .acquiring).exchanged
        {
            self.second.store(second, ordering: .relaxed)
            word0.store(words.0, ordering: .relaxed)
            word1.store(words.1, ordering: .relaxed)
            word2.store(words.2, ordering: .relaxed)
            sequence.store(seen &+ 2, ordering: .releasing)
        }
        return words
    }

    /// Formats `second` with ``CivilTime``.
    static func format(_ second: Int) -> Words {
        let civil = CivilTime(secondsSince1970: max(second, 0))
        var words: Words = (0, 0, 0)
        withUnsafeMutableBytes(of: &words) { bytes in
            var index = 0
            // Each part with its width and the byte after it (none after the seconds).
            let parts: [(Int, Int, UInt8)] = [
                (civil.year, 4, UInt8(ascii: "-")), (civil.month, 2, UInt8(ascii: "-")),
                (civil.day, 2, UInt8(ascii: "T")), (civil.hour, 2, UInt8(ascii: ":")),
                (civil.minute, 2, UInt8(ascii: ":")), (civil.second, 2, 0),
            ]
            for (value, width, after) in parts {
                var rest = min(max(value, 0), 9999)
                for offset in stride(from: width - 1, through: 0, by: -1) {
                    bytes[index + offset] = UInt8(truncatingIfNeeded: 48 + rest % 10)
                    rest /= 10
                }
                index += width
                if after != 0 {
                    bytes[index] = after
                    index += 1
                }
            }
        }
        return words
    }
}
