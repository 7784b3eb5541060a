/// A `tokenizer.json` pre-tokenizer: splits normalised pieces into smaller ones (the model's words), as the
/// `tokenizers` pre-tokenizers of the same names do; empty pieces are dropped.
indirect enum PreTokenizer: Sendable, Equatable {
    /// What a split does with the matched delimiters (`SplitDelimiterBehavior`).
    enum Behavior: String, Sendable, Equatable {
        case removed = "Removed", isolated = "Isolated", mergedWithPrevious = "MergedWithPrevious"
        case mergedWithNext = "MergedWithNext", contiguous = "Contiguous"
    }

    /// Metaspace's `prepend_scheme`.
    enum PrependScheme: String, Sendable, Equatable { case always, first, never }

    /// `BertPreTokenizer`: whitespace removed, each punctuation character isolated.
    case bert
    /// `ByteLevel`: optional leading space, GPT-2's split pattern, then every UTF-8 byte as its printable character.
    case byteLevel(addPrefixSpace: Bool, useRegex: Bool)
    /// `Metaspace`: spaces become `replacement`, which is prepended by `prepend` and starts each piece with `split`.
    case metaspace(replacement: Unicode.Scalar, prepend: PrependScheme, split: Bool)
    /// `Whitespace`: the matches of `\w+|[^\w\s]+`.
    case whitespace
    /// `WhitespaceSplit`: runs of non-whitespace.
    case whitespaceSplit
    /// `Punctuation`: splits on each punctuation character.
    case punctuation(Behavior)
    /// `Digits`: each digit alone (`individual`) or runs of digits.
    case digits(individual: Bool)
    /// `Split`: splits on a pattern's matches (or, `invert`ed, on what lies between them).
    case split(TextPattern, Behavior, invert: Bool)
    /// `Sequence`: each in turn.
    case sequence([PreTokenizer])

    /// The pieces of `pieces` after this pre-tokenizer.
    func apply(_ pieces: [NormalizedText]) -> [NormalizedText] {
        switch self {
        case .sequence(let steps):
            return steps.reduce(pieces) { $1.apply($0) }
        default:
            var result: [NormalizedText] = []
            result.reserveCapacity(pieces.count)
            for piece in pieces { apply(piece, into: &result) }
            return result
        }
    }

    private func apply(_ piece: NormalizedText, into result: inout [NormalizedText]) {
        switch self {
        case .bert:  // whitespace removed, then each punctuation scalar isolated, in one pass
            let scalars = piece.scalars
            var start = 0
            for index in scalars.indices {
                let scalar = scalars[index]
                let isSpace = UnicodeClasses.isWhitespace(scalar)
                guard isSpace || UnicodeClasses.isPunctuation(scalar) else { continue }
                if start < index { result.append(piece[start..<index]) }
                if !isSpace { result.append(piece[index..<(index + 1)]) }
                start = index + 1
            }
            if start < scalars.count { result.append(piece[start..<scalars.count]) }
        case .byteLevel(let addPrefixSpace, let useRegex):
            var text = piece
            if addPrefixSpace && text.scalars.first != " " { text.prepend([" "]) }
            let parts =
                useRegex ? Self.split(text, matches: TextPattern.gpt2.matches(in: text.scalars), .isolated) : [text]
            for part in parts where !part.isEmpty { result.append(Self.byteLevelMapped(part)) }
        case .metaspace(let replacement, let prepend, let split):
            var text = piece
            for index in text.scalars.indices where text.scalars[index] == " " {  // one for one: origins stay
                text.scalars[index] = replacement
            }
            let prepends: Bool
            switch prepend {
            case .always: prepends = true
            case .first: prepends = (text.origins.first ?? 0) == 0
            case .never: prepends = false
            }
            if prepends && text.scalars.first != replacement { text.prepend([replacement]) }
            if split {
                result += Self.split(text, predicate: { $0 == replacement }, .mergedWithNext)
            } else if !text.isEmpty {
                result.append(text)
            }
        case .whitespace:
            var start = 0
            let scalars = piece.scalars
            while start < scalars.count {
                let kind = Self.wordKind(scalars[start])
                var end = start + 1
                if kind != 0 { while end < scalars.count, Self.wordKind(scalars[end]) == kind { end += 1 } }
                if kind != 0 { result.append(piece[start..<end]) }
                start = end
            }
        case .whitespaceSplit:
            result += Self.split(piece, predicate: UnicodeClasses.isWhitespace, .removed)
        case .punctuation(let behavior):
            result += Self.split(piece, predicate: UnicodeClasses.isPunctuation, behavior)
        case .digits(let individual):
            result += Self.split(piece, predicate: UnicodeClasses.isNumber, individual ? .isolated : .contiguous)
        case .split(let pattern, let behavior, let invert):
            result += Self.split(piece, matches: pattern.matches(in: piece.scalars), behavior, invert: invert)
        case .sequence:
            result += apply([piece])
        }
    }

    /// Every UTF-8 byte of `part` as its ``ByteLevelAlphabet`` character, each with its scalar's origin.
    static func byteLevelMapped(_ part: NormalizedText) -> NormalizedText {
        var scalars: [Unicode.Scalar] = []
        var origins: [Int] = []
        scalars.reserveCapacity(part.count + part.count / 2)
        origins.reserveCapacity(part.count + part.count / 2)
        let alphabet = ByteLevelAlphabet.characters
        for (scalar, origin) in zip(part.scalars, part.origins) {
            if scalar.isASCII {
                scalars.append(alphabet[Int(scalar.value)])
                origins.append(origin)
                continue
            }
            UTF8.encode(scalar) { byte in
                scalars.append(alphabet[Int(byte)])
                origins.append(origin)
            }
        }
        return NormalizedText(scalars: scalars, origins: origins)
    }

    /// 1 for `\w`, 2 for `[^\w\s]`, 0 for whitespace.
    private static func wordKind(_ scalar: Unicode.Scalar) -> Int {
        if UnicodeClasses.isWord(scalar) { return 1 }
        return UnicodeClasses.isWhitespace(scalar) ? 0 : 2
    }

    /// Splits on every scalar for which `predicate` holds (each one its own match).
    static func split(
        _ piece: NormalizedText, predicate: (Unicode.Scalar) -> Bool, _ behavior: Behavior
    ) -> [NormalizedText] {
        var matches: [Range<Int>] = []
        for (index, scalar) in piece.scalars.enumerated() where predicate(scalar) {
            matches.append(index..<(index + 1))
        }
        return split(piece, matches: matches, behavior)
    }

    /// `NormalizedString::split`: the matches and the gaps between them, combined by `behavior`.
    static func split(
        _ piece: NormalizedText, matches: [Range<Int>], _ behavior: Behavior, invert: Bool = false
    ) -> [NormalizedText] {
        var parts: [(range: Range<Int>, isMatch: Bool)] = []
        var last = 0
        for match in matches where !match.isEmpty {
            if last < match.lowerBound { parts.append((last..<match.lowerBound, false)) }
            parts.append((match, true))
            last = match.upperBound
        }
        if last < piece.count || parts.isEmpty { parts.append((last..<piece.count, false)) }
        if invert { parts = parts.map { ($0.range, !$0.isMatch) } }
        var kept: [(range: Range<Int>, remove: Bool)] = []
        switch behavior {
        case .isolated:
            kept = parts.map { ($0.range, false) }
        case .removed:
            kept = parts.map { ($0.range, $0.isMatch) }
        case .contiguous, .mergedWithPrevious:
            var previousMatch = false
            for part in parts {
                let merge = behavior == .contiguous ? part.isMatch == previousMatch : part.isMatch && !previousMatch
                if merge, let lastIndex = kept.indices.last {
                    kept[lastIndex].range = kept[lastIndex].range.lowerBound..<part.range.upperBound
                } else {
                    kept.append((part.range, false))
                }
                previousMatch = part.isMatch
            }
        case .mergedWithNext:
            var previousMatch = false
            for part in parts.reversed() {
                if part.isMatch && !previousMatch, let lastIndex = kept.indices.last {
                    kept[lastIndex].range = part.range.lowerBound..<kept[lastIndex].range.upperBound
                } else {
                    kept.append((part.range, false))
                }
                previousMatch = part.isMatch
            }
            kept.reverse()
        }
        return kept.compactMap { $0.remove || $0.range.isEmpty ? nil : piece[$0.range] }
    }
}
