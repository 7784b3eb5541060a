import Synchronization

/// Text derived from the current second (a `Date` field value, a log timestamp's `YYYY-MM-DDTHH:MM:SS`), formatted
/// at most once per second and shared by every thread: readers take a short lock to copy the cached bytes.
public final class PerSecondText: Sendable {
    private let format: @Sendable (Int) -> [UInt8]
    private let cache = Mutex<(second: Int, bytes: [UInt8])>((Int.min, []))

    /// A cache of `format(second)`.
    public init(_ format: @escaping @Sendable (Int) -> [UInt8]) {
        self.format = format
    }

    /// `format(second)`, from the cache when `second` is the one last formatted.
    public func bytes(for second: Int) -> [UInt8] {
        if let hit = cache.withLock({ $0.second == second ? $0.bytes : nil }) { return hit }
        let bytes = format(second)
        cache.withLock { $0 = (second, bytes) }
        return bytes
    }

    /// The log timestamp prefix: `YYYY-MM-DDTHH:MM:SS` in UTC.
    public static let iso8601 = PerSecondText { second in
        var out: [UInt8] = []
        out.reserveCapacity(19)
        CivilTime(secondsSince1970: second).appendISO8601(to: &out)
        return out
    }
}
