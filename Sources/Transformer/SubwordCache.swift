import Synchronization

/// A bounded, thread-safe word → tokens cache shared by the copies of a subword model.
///
/// Like the cache of `tokenizers`, it stops taking entries once full (no eviction) and skips long words.
final class SubwordCache: Sendable {
    /// The most words kept (`tokenizers`' `DEFAULT_CACHE_CAPACITY`).
    static let capacity = 10_000
    /// Words of this many UTF-8 bytes or more are not cached (`tokenizers`' `MAX_LENGTH`).
    static let maximumWordBytes = 256

    private let entries = Mutex<[Key: [SubwordToken]]>([:])

    /// A word compared byte for byte (Swift `String` equality would make `é` and `e` + U+0301 one word, though
    /// their tokens and offsets differ).
    struct Key: Hashable {
        var word: String

        static func == (a: Key, b: Key) -> Bool { a.word.utf8.elementsEqual(b.word.utf8) }

        func hash(into hasher: inout Hasher) {
            for byte in word.utf8 { hasher.combine(byte) }
        }
    }

    /// The cached tokens of `word`.
    func tokens(of word: String) -> [SubwordToken]? {
        entries.withLock { $0[Key(word: word)] }
    }

    /// Keeps `tokens` for `word` when there is room and the word is short enough.
    func store(_ tokens: [SubwordToken], for word: String) {
        guard word.utf8.count < Self.maximumWordBytes else { return }
        entries.withLock { entries in
            if entries.count < Self.capacity { entries[Key(word: word)] = tokens }
        }
    }
}
