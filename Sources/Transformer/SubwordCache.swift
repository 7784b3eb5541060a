import Synchronization

/// A bounded, thread-safe word → tokens cache shared by the copies of a subword model.
///
/// Like the cache of `tokenizers`, it stops taking entries once full (no eviction) and skips long words.
final class SubwordCache: Sendable {
    /// The most words kept (`tokenizers`' `DEFAULT_CACHE_CAPACITY`).
    static let capacity = 10_000
    /// Words of this many UTF-8 bytes or more are not cached (`tokenizers`' `MAX_LENGTH`).
    static let maximumWordBytes = 256

    /// Words compared byte for byte (Swift `String` equality would make `é` and `e` + U+0301 one word, though
    /// their tokens and offsets differ).
    private let entries = Mutex<[ExactString: [SubwordToken]]>([:])

    /// The cached tokens of `word`.
    func tokens(of word: String) -> [SubwordToken]? {
        entries.withLock { $0[exact: word] }
    }

    /// Keeps `tokens` for `word` when there is room and the word is short enough.
    func store(_ tokens: [SubwordToken], for word: String) {
        guard word.utf8.count < Self.maximumWordBytes else { return }
        entries.withLock { entries in
            if entries.count < Self.capacity { entries[exact: word] = tokens }
        }
    }
}
