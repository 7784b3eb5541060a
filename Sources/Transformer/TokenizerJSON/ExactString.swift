#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A string compared and hashed byte for byte (its UTF-8), as Rust's `String` keys of `tokenizers` are.
///
/// Swift's `String` equality is canonical equivalence: `"é"` (U+00E9) and `"e"` + U+0301 are one `String` key,
/// though they are two vocabulary entries with two ids. Every token → id map of the `tokenizer.json` pipeline is
/// keyed by this type instead.
struct ExactString: Hashable, Sendable {
    /// The string itself.
    var string: String

    init(_ string: String) { self.string = string }

    /// Byte for byte: lengths first (O(1) for native strings), then one `memcmp` over the contiguous UTF-8
    /// (the generic element-by-element comparison showed up in `perf report` of the subword caches' lookups).
    static func == (a: ExactString, b: ExactString) -> Bool {
        let (x, y) = (a.string.utf8, b.string.utf8)
        guard x.count == y.count else { return false }
        let compared: Bool?? = x.withContiguousStorageIfAvailable { p in
            y.withContiguousStorageIfAvailable { q in
                p.count == 0 || memcmp(p.baseAddress!, q.baseAddress!, p.count) == 0
            }
        }
        if let compared, let compared { return compared }
        return x.elementsEqual(y)
    }

    func hash(into hasher: inout Hasher) {
        let hashed: Void? = string.utf8.withContiguousStorageIfAvailable {
            hasher.combine(bytes: UnsafeRawBufferPointer($0))
        }
        if hashed == nil {
            for byte in string.utf8 { hasher.combine(byte) }
        }
        hasher.combine(string.utf8.count)
    }
}

extension Dictionary where Key == ExactString {
    /// The value of `string`'s exact bytes.
    @inline(__always)
    subscript(exact string: String) -> Value? {
        get { self[ExactString(string)] }
        set { self[ExactString(string)] = newValue }
    }
}
