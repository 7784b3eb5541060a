/// A piece of text being normalised, with the alignment Hugging Face's `NormalizedString` keeps: for every
/// normalised scalar, the index of the original scalar it came from.
///
/// In `tokenizers` every normalised byte aligns to exactly one original character (a replaced character keeps its
/// own alignment, an inserted one shares the previous one's, a merge keeps the first merged character's), so one
/// original index per scalar is the same information. A token's offsets are
/// `origins[first] ..< origins[last] + 1`.
struct NormalizedText: Sendable, Equatable {
    /// The normalised scalars.
    var scalars: [Unicode.Scalar]
    /// For each scalar, the index of the original scalar (Python `str` index) it came from.
    var origins: [Int]

    /// `scalars` unchanged, the first at original index `start`.
    init(_ scalars: [Unicode.Scalar], start: Int = 0) {
        self.scalars = scalars
        self.origins = Array(start..<(start + scalars.count))
    }

    init(scalars: [Unicode.Scalar], origins: [Int]) {
        self.scalars = scalars
        self.origins = origins
    }

    var isEmpty: Bool { scalars.isEmpty }
    var count: Int { scalars.count }

    /// The scalars in `range`, with their alignment.
    subscript(range: Range<Int>) -> NormalizedText {
        if range == scalars.indices { return self }
        return NormalizedText(scalars: Array(scalars[range]), origins: Array(origins[range]))
    }

    /// The original range covered by normalised scalars `range` (empty at the first origin when `range` is
    /// empty).
    func originalRange(_ range: Range<Int>) -> Range<Int> {
        guard !range.isEmpty else {
            let at = range.lowerBound < origins.count ? origins[range.lowerBound] : (origins.last.map { $0 + 1 } ?? 0)
            return at..<at
        }
        let lower = origins[range.lowerBound]
        return lower..<max(lower, origins[range.upperBound - 1] + 1)
    }

    /// The text as a Swift string.
    var string: String {
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars)
        return String(view)
    }

    /// Replaces every scalar by `transform(scalar)` (possibly several, possibly none); they keep its origin.
    mutating func map(_ transform: (Unicode.Scalar) -> [Unicode.Scalar]) {
        var outScalars: [Unicode.Scalar] = []
        var outOrigins: [Int] = []
        outScalars.reserveCapacity(scalars.count)
        outOrigins.reserveCapacity(scalars.count)
        for (scalar, origin) in zip(scalars, origins) {
            for part in transform(scalar) {
                outScalars.append(part)
                outOrigins.append(origin)
            }
        }
        scalars = outScalars
        origins = outOrigins
    }

    /// Keeps the scalars for which `keep` holds.
    mutating func filter(_ keep: (Unicode.Scalar) -> Bool) {
        guard let first = scalars.firstIndex(where: { !keep($0) }) else { return }
        var outScalars = Array(scalars[..<first])
        var outOrigins = Array(origins[..<first])
        outScalars.reserveCapacity(scalars.count)
        outOrigins.reserveCapacity(scalars.count)
        for (scalar, origin) in zip(scalars[(first + 1)...], origins[(first + 1)...]) where keep(scalar) {
            outScalars.append(scalar)
            outOrigins.append(origin)
        }
        scalars = outScalars
        origins = outOrigins
    }

    /// Puts `prefix` in front; its scalars share the first scalar's origin (`NormalizedString::prepend`). Nothing
    /// happens to an empty text.
    mutating func prepend(_ prefix: [Unicode.Scalar]) {
        guard let first = origins.first else { return }
        scalars.insert(contentsOf: prefix, at: 0)
        origins.insert(contentsOf: [Int](repeating: first, count: prefix.count), at: 0)
    }

    /// Replaces each of the non-overlapping `matches` (ascending) by `content`, whose scalars share the last
    /// matched scalar's origin (`NormalizedString::replace`).
    mutating func replace(_ matches: [Range<Int>], with content: [Unicode.Scalar]) {
        var matches = matches
        if content.count == 1 {  // a scalar replaced by itself keeps its origin: nothing changes
            matches.removeAll { $0.count == 1 && scalars[$0.lowerBound] == content[0] }
        }
        guard !matches.isEmpty else { return }
        var outScalars: [Unicode.Scalar] = []
        var outOrigins: [Int] = []
        var last = 0
        for match in matches {
            outScalars.append(contentsOf: scalars[last..<match.lowerBound])
            outOrigins.append(contentsOf: origins[last..<match.lowerBound])
            if !match.isEmpty {
                outScalars.append(contentsOf: content)
                outOrigins.append(contentsOf: [Int](repeating: origins[match.upperBound - 1], count: content.count))
            }
            last = match.upperBound
        }
        outScalars.append(contentsOf: scalars[last...])
        outOrigins.append(contentsOf: origins[last...])
        scalars = outScalars
        origins = outOrigins
    }
}

extension NormalizedText {
    /// Rewrites the whole text as `tokenizers`' `NormalizedString::transform(dest, 0)`: each new scalar with its
    /// change — 0 replaces the next old scalar (taking its origin), 1 is inserted (taking the origin of the old
    /// scalar before), −n replaces the next old scalar and removes the n after it. Old scalars left over are
    /// removed.
    mutating func transform(_ changes: [(scalar: Unicode.Scalar, change: Int)]) {
        var outScalars: [Unicode.Scalar] = []
        var outOrigins: [Int] = []
        outScalars.reserveCapacity(changes.count)
        outOrigins.reserveCapacity(changes.count)
        var offset = 0
        for (scalar, change) in changes {
            let origin: Int
            if change > 0 {
                origin = offset >= 1 ? origins[min(offset - 1, origins.count - 1)] : (origins.first ?? 0)
            } else {
                origin = origins.isEmpty ? 0 : origins[min(offset, origins.count - 1)]
                offset += 1
                if change < 0 { offset -= change }
            }
            outScalars.append(scalar)
            outOrigins.append(origin)
        }
        scalars = outScalars
        origins = outOrigins
    }
}
