/// A pattern of a `Replace` normalizer or a `Split` pre-tokenizer: a literal string, or a regular expression
/// simple enough to match without a regex engine: one character class with a quantifier (`\s+`, ` {2,}`,
/// `[0-9]+`, `\p{N}`), a run of literal characters (`\.`, `--`), or GPT-2's split pattern (matched by
/// ``ByteLevelSplitter``). Any other regular expression is refused by name when the file is read.
enum TextPattern: Sendable, Equatable {
    /// The exact scalars.
    case literal([Unicode.Scalar])
    /// `count` scalars of `characters` in a row, greedy, `minimum ≥ 1`.
    case repeated(ScalarClass, minimum: Int, maximum: Int?)
    /// GPT-2's `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`.
    case gpt2

    /// GPT-2's split pattern, as `tokenizer.json` files spell it.
    static let gpt2Source = #"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"#

    /// The leftmost-first, non-overlapping matches in `scalars`, ascending.
    func matches(in scalars: [Unicode.Scalar]) -> [Range<Int>] {
        switch self {
        case .literal(let needle):
            guard !needle.isEmpty, needle.count <= scalars.count else { return [] }
            var result: [Range<Int>] = []
            var index = 0
            while index + needle.count <= scalars.count {
                if scalars[index] == needle[0] && scalars[index..<(index + needle.count)].elementsEqual(needle) {
                    result.append(index..<(index + needle.count))
                    index += needle.count
                } else {
                    index += 1
                }
            }
            return result
        case .repeated(let characters, let minimum, let maximum):
            var result: [Range<Int>] = []
            var index = 0
            while index < scalars.count {
                guard characters.contains(scalars[index]) else {
                    index += 1
                    continue
                }
                var end = index + 1
                while end < scalars.count, characters.contains(scalars[end]) { end += 1 }
                var start = index
                while end - start >= minimum {
                    let length = min(end - start, maximum ?? Int.max)
                    result.append(start..<(start + length))
                    start += length
                }
                index = end
            }
            return result
        case .gpt2:
            var view = String.UnicodeScalarView()
            view.append(contentsOf: scalars)
            return Self.scalarRanges(ByteLevelSplitter.split(String(view)), in: scalars)
        }
    }

    /// Converts UTF-8 byte ranges of `scalars`' text to scalar ranges.
    static func scalarRanges(_ byteRanges: [Range<Int>], in scalars: [Unicode.Scalar]) -> [Range<Int>] {
        if scalars.allSatisfy(\.isASCII) {  // one byte per scalar: the same ranges
            return byteRanges.filter { $0.lowerBound >= 0 && $0.upperBound <= scalars.count && !$0.isEmpty }
        }
        var scalarAtByte: [Int] = []
        scalarAtByte.reserveCapacity(scalars.count * 2 + 1)
        for (index, scalar) in scalars.enumerated() {
            for _ in 0..<UTF8.width(scalar) { scalarAtByte.append(index) }
        }
        scalarAtByte.append(scalars.count)
        return byteRanges.compactMap { range in
            guard range.lowerBound >= 0, range.upperBound < scalarAtByte.count, !range.isEmpty else { return nil }
            return scalarAtByte[range.lowerBound]..<(scalarAtByte[range.upperBound - 1] + 1)
        }
    }
}

/// A set of scalars of a simple regular expression: `\s \S \d \D \w \W \p{L} \p{N} \P{…} .`, literal characters
/// and ranges, optionally negated (`[^…]`).
struct ScalarClass: Sendable, Equatable {
    /// One member of the class.
    enum Item: Sendable, Equatable {
        case range(ClosedRange<UInt32>)
        case whitespace, digit, word, letter, number, anyButNewline
        case not(Category)

        /// A negatable named class.
        enum Category: Sendable, Equatable { case whitespace, digit, word, letter, number }
    }

    var items: [Item]
    var negated = false

    func contains(_ scalar: Unicode.Scalar) -> Bool {
        items.contains { Self.matches($0, scalar) } != negated
    }

    private static func matches(_ item: Item, _ scalar: Unicode.Scalar) -> Bool {
        switch item {
        case .range(let range): return range.contains(scalar.value)
        case .whitespace: return UnicodeClasses.isWhitespace(scalar)
        case .digit: return scalar.properties.generalCategory == .decimalNumber
        case .word: return UnicodeClasses.isWord(scalar)
        case .letter: return UnicodeClasses.isLetter(scalar)
        case .number: return UnicodeClasses.isNumber(scalar)
        case .anyButNewline: return scalar != "\n"
        case .not(let category):
            switch category {
            case .whitespace: return !UnicodeClasses.isWhitespace(scalar)
            case .digit: return scalar.properties.generalCategory != .decimalNumber
            case .word: return !UnicodeClasses.isWord(scalar)
            case .letter: return !UnicodeClasses.isLetter(scalar)
            case .number: return !UnicodeClasses.isNumber(scalar)
            }
        }
    }
}
