/// A string compared and hashed byte for byte (its UTF-8), as Rust's `String` keys of `tokenizers` are.
///
/// Swift's `String` equality is canonical equivalence: `"é"` (U+00E9) and `"e"` + U+0301 are one `String` key,
/// though they are two vocabulary entries with two ids. Every token → id map of the `tokenizer.json` pipeline is
/// keyed by this type instead.
struct ExactString: Hashable, Sendable {
    /// The string itself.
    var string: String

    init(_ string: String) { self.string = string }

    static func == (a: ExactString, b: ExactString) -> Bool { a.string.utf8.elementsEqual(b.string.utf8) }

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
