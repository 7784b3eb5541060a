import Foundation

/// BERT's text normalisation and pre-tokenisation, as Hugging Face's fast `BertNormalizer` + `BertPreTokenizer`
/// (and, on the ids, the slow `BasicTokenizer`) do it. Every output scalar remembers the input scalar it came from,
/// so tokens can report offsets in the original text.
///
/// Steps, in the fast tokenizer's order:
/// 1. Special-token strings (`[CLS]`, `[MASK]`, …) typed in the text are cut out verbatim and become words of
///    their own (case-sensitive, not normalised).
/// 2. Clean text: drop NUL, U+FFFD and control characters (categories Cc, Cf, Co, Cn, Cs except tab/newline/CR);
///    every whitespace character (`\t \n \r` and the Unicode White_Space property) becomes a space.
/// 3. CJK ideographs (the ranges of HF's `_is_chinese_char`) are surrounded by spaces.
/// 4. Strip accents (when `stripAccents`, or when it is `nil` and `lowercase`): canonical decomposition (NFD)
///    and removal of nonspacing marks (Mn).
/// 5. Lowercase: each scalar's full lowercase mapping, per scalar (so no Greek final-sigma context rule).
/// 6. Split on whitespace, and isolate each punctuation scalar (Unicode P* and all ASCII non-alphanumeric
///    symbols `!`…`/`, `:`…`@`, `[`…`` ` ``, `{`…`~`).
///
/// Where the two Hugging Face tokenizers disagree this follows the fast one for lower-casing (per scalar: a final
/// `Σ` becomes `σ`, not Python's `ς`). Character classes come from the Swift standard library's Unicode tables:
/// like Python's (slow tokenizer), a code point that is unassigned or a format character there is dropped, whereas
/// the fast tokenizer's older tables keep some of them (as `[UNK]`). `scripts/make-fixtures.py` shows both cases.
struct BasicTokenizer: Sendable, Equatable {
    /// Step 2.
    var cleanText = true
    /// Step 3.
    var tokenizeChineseChars = true
    /// Step 5.
    var lowercase = true
    /// Step 4; `nil` follows `lowercase`.
    var stripAccents: Bool?
    /// Strings matched verbatim before normalisation (step 1).
    var specialTokens: [String] = []

    /// One pre-tokenised word: normalised scalars, the original scalar index each came from, and whether it is a
    /// verbatim special token.
    struct Word: Equatable {
        var scalars: [Unicode.Scalar]
        var origins: [Int]
        var special: Bool
    }

    /// Splits `text` (as Unicode scalars) into normalised words.
    func words(_ text: [Unicode.Scalar]) -> [Word] {
        var result: [Word] = []
        let specials = specialTokens.map { Array($0.unicodeScalars) }.filter { !$0.isEmpty }
        var segmentStart = 0
        var index = 0
        while index < text.count {
            if let match = Self.longestSpecial(specials, in: text, at: index) {
                appendWords(of: text, range: segmentStart..<index, to: &result)
                result.append(Word(scalars: match, origins: Array(index..<(index + match.count)), special: true))
                index += match.count
                segmentStart = index
            } else {
                index += 1
            }
        }
        appendWords(of: text, range: segmentStart..<text.count, to: &result)
        return result
    }

    private static func longestSpecial(
        _ specials: [[Unicode.Scalar]], in text: [Unicode.Scalar], at index: Int
    ) -> [Unicode.Scalar]? {
        var best: [Unicode.Scalar]?
        for special in specials where special.count > (best?.count ?? 0) && index + special.count <= text.count {
            if text[index..<(index + special.count)].elementsEqual(special) { best = special }
        }
        return best
    }

    private func appendWords(of text: [Unicode.Scalar], range: Range<Int>, to result: inout [Word]) {
        guard !range.isEmpty else { return }
        var scalars: [Unicode.Scalar] = []
        var origins: [Int] = []
        scalars.reserveCapacity(range.count)
        origins.reserveCapacity(range.count)
        let space: Unicode.Scalar = " "
        for index in range {
            let scalar = text[index]
            if cleanText {
                if scalar.value == 0 || scalar.value == 0xFFFD || Self.isControl(scalar) { continue }
                if Self.isWhitespace(scalar) {
                    scalars.append(space)
                    origins.append(index)
                    continue
                }
            }
            if tokenizeChineseChars && Self.isChineseCharacter(scalar) {
                scalars += [space, scalar, space]
                origins += [index, index, index]
                continue
            }
            scalars.append(scalar)
            origins.append(index)
        }
        if stripAccents ?? lowercase {
            (scalars, origins) = Self.stripAccents(scalars, origins)
        }
        if lowercase {
            (scalars, origins) = Self.lowercase(scalars, origins)
        }
        var current = Word(scalars: [], origins: [], special: false)
        func flush() {
            if !current.scalars.isEmpty {
                result.append(current)
                current = Word(scalars: [], origins: [], special: false)
            }
        }
        for (scalar, origin) in zip(scalars, origins) {
            if Self.isWhitespace(scalar) {
                flush()
            } else if Self.isPunctuation(scalar) {
                flush()
                result.append(Word(scalars: [scalar], origins: [origin], special: false))
            } else {
                current.scalars.append(scalar)
                current.origins.append(origin)
            }
        }
        flush()
    }

    // MARK: - Character classes (HF's _is_control, _is_whitespace, _is_punctuation, _is_chinese_char)

    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09, 0x0A, 0x0D: return false
        default: break
        }
        switch scalar.properties.generalCategory {
        case .control, .format, .privateUse, .unassigned, .surrogate: return true
        default: return false
        }
    }

    static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x20, 0x09, 0x0A, 0x0D: return true
        case 0..<0x80: return false
        default: return scalar.properties.isWhitespace
        }
    }

    static func isPunctuation(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 33...47, 58...64, 91...96, 123...126: return true
        case 0..<0x80: return false
        default: break
        }
        switch scalar.properties.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation, .initialPunctuation,
            .finalPunctuation, .otherPunctuation:
            return true
        default:
            return false
        }
    }

    static func isChineseCharacter(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0x20000...0x2A6DF, 0x2A700...0x2B73F, 0x2B740...0x2B81F,
            0x2B820...0x2CEAF, 0xF900...0xFAFF, 0x2F800...0x2FA1F:
            return true
        default:
            return false
        }
    }

    // MARK: - Normalisation with alignment

    /// NFD (per-scalar canonical decomposition, then canonical ordering of combining marks), minus Mn scalars.
    static func stripAccents(
        _ scalars: [Unicode.Scalar], _ origins: [Int]
    ) -> ([Unicode.Scalar], [Int]) {
        if scalars.allSatisfy(\.isASCII) { return (scalars, origins) }  // ASCII decomposes to itself, has no Mn
        var decomposed: [(scalar: Unicode.Scalar, origin: Int)] = []
        decomposed.reserveCapacity(scalars.count)
        for (scalar, origin) in zip(scalars, origins) {
            if scalar.isASCII {
                decomposed.append((scalar, origin))
            } else {
                for part in ScalarNormalization.normalize(scalar, .nfd) { decomposed.append((part, origin)) }
            }
        }
        canonicalOrder(&decomposed)
        var outScalars: [Unicode.Scalar] = []
        var outOrigins: [Int] = []
        outScalars.reserveCapacity(decomposed.count)
        outOrigins.reserveCapacity(decomposed.count)
        for (scalar, origin) in decomposed where scalar.isASCII || scalar.properties.generalCategory != .nonspacingMark
        {
            outScalars.append(scalar)
            outOrigins.append(origin)
        }
        return (outScalars, outOrigins)
    }

    /// Stable-sorts each run of non-starters (canonical combining class ≠ 0) by combining class, as NFD requires.
    private static func canonicalOrder(_ items: inout [(scalar: Unicode.Scalar, origin: Int)]) {
        var start = 0
        while start < items.count {
            guard !items[start].scalar.isASCII, items[start].scalar.properties.canonicalCombiningClass.rawValue != 0
            else {
                start += 1
                continue
            }
            var end = start + 1
            while end < items.count, !items[end].scalar.isASCII,
                items[end].scalar.properties.canonicalCombiningClass.rawValue != 0
            {
                end += 1
            }
            if end - start > 1 {
                let run = items[start..<end].enumerated().sorted {
                    let a = $0.element.scalar.properties.canonicalCombiningClass.rawValue
                    let b = $1.element.scalar.properties.canonicalCombiningClass.rawValue
                    return a != b ? a < b : $0.offset < $1.offset
                }
                items.replaceSubrange(start..<end, with: run.map(\.element))
            }
            start = end
        }
    }

    static func lowercase(_ scalars: [Unicode.Scalar], _ origins: [Int]) -> ([Unicode.Scalar], [Int]) {
        var outScalars: [Unicode.Scalar] = []
        var outOrigins: [Int] = []
        outScalars.reserveCapacity(scalars.count)
        outOrigins.reserveCapacity(scalars.count)
        for (scalar, origin) in zip(scalars, origins) {
            if scalar.isASCII {
                let value = scalar.value
                let lowered = (65...90).contains(value) ? Unicode.Scalar(UInt8(value + 32)) : scalar
                outScalars.append(lowered)
                outOrigins.append(origin)
            } else {
                for part in scalar.properties.lowercaseMapping.unicodeScalars {
                    outScalars.append(part)
                    outOrigins.append(origin)
                }
            }
        }
        return (outScalars, outOrigins)
    }
}
