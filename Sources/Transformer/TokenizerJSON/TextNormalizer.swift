import Foundation

/// A `tokenizer.json` normalizer: rewrites a text scalar by scalar, keeping each scalar's alignment to the
/// original (``NormalizedText``), as the `tokenizers` normalizers of the same names do.
indirect enum TextNormalizer: Sendable, Equatable {
    /// A Unicode normalization form.
    enum Form: String, Sendable, Equatable { case nfc = "NFC", nfd = "NFD", nfkc = "NFKC", nfkd = "NFKD" }

    /// `BertNormalizer`: clean text (``isControl(_:)``), pad CJK ideographs with spaces, strip accents (`nil`:
    /// when lower-casing),
    /// lower-case.
    case bert(cleanText: Bool, chineseCharacters: Bool, stripAccents: Bool?, lowercase: Bool)
    /// `NFC`, `NFD`, `NFKC`, `NFKD`.
    case unicode(Form)
    /// `Lowercase`: each scalar's full lower-case mapping.
    case lowercase
    /// `StripAccents`: drops combining marks (Mn, Mc, Me; `BertNormalizer` drops only Mn).
    case stripAccents
    /// `Replace`: every match of the pattern becomes `content`.
    case replace(TextPattern, content: [Unicode.Scalar])
    /// `Prepend`: `prefix` before a non-empty text.
    case prepend([Unicode.Scalar])
    /// `Strip`: leading and/or trailing whitespace removed.
    case strip(left: Bool, right: Bool)
    /// `Sequence`: each in turn.
    case sequence([TextNormalizer])
    /// `Precompiled`: SentencePiece's compiled normalization rules (``PrecompiledCharsMap``).
    case precompiled(PrecompiledCharsMap)

    /// Applies the normalizer to `text`.
    func apply(_ text: inout NormalizedText) {
        switch self {
        case .bert(let cleanText, let chinese, let strip, let lowercase):
            if cleanText {
                text.filter { !($0.value == 0 || $0.value == 0xFFFD || Self.isControl($0)) }
                text.map { UnicodeClasses.isWhitespace($0) ? [" "] : [$0] }
            }
            if chinese {
                text.map { BasicTokenizer.isChineseCharacter($0) ? [" ", $0, " "] : [$0] }
            }
            if strip ?? lowercase {
                (text.scalars, text.origins) = BasicTokenizer.stripAccents(text.scalars, text.origins)
            }
            if lowercase {
                (text.scalars, text.origins) = BasicTokenizer.lowercase(text.scalars, text.origins)
            }
        case .unicode(let form):
            Self.normalize(&text, form)
        case .lowercase:
            (text.scalars, text.origins) = BasicTokenizer.lowercase(text.scalars, text.origins)
        case .stripAccents:
            text.filter { scalar in
                switch scalar.properties.generalCategory {
                case .nonspacingMark, .spacingMark, .enclosingMark: return false
                default: return true
                }
            }
        case .replace(let pattern, let content):
            text.replace(pattern.matches(in: text.scalars), with: content)
        case .prepend(let prefix):
            text.prepend(prefix)
        case .strip(let left, let right):
            var lower = 0
            var upper = text.count
            if left { while lower < upper, UnicodeClasses.isWhitespace(text.scalars[lower]) { lower += 1 } }
            if right { while upper > lower, UnicodeClasses.isWhitespace(text.scalars[upper - 1]) { upper -= 1 } }
            if lower > 0 || upper < text.count { text = text[lower..<upper] }
        case .sequence(let normalizers):
            for normalizer in normalizers { normalizer.apply(&text) }
        case .precompiled(let map):
            map.apply(&text)
        }
    }

    /// Normalises segment by segment (a segment starts at each scalar of canonical combining class 0 that is not a
    /// Hangul vowel or trailing consonant jamo): within a segment of `m` scalars normalised to `n`, output `i` keeps
    /// the origin of input `min(i, m - 1)` (a decomposition shares its scalar's origin, a composition keeps the
    /// first composed scalar's), as `tokenizers`' alignment-keeping normalisation does. ASCII is left as it is.
    private static func normalize(_ text: inout NormalizedText, _ form: Form) {
        var outScalars: [Unicode.Scalar] = []
        var outOrigins: [Int] = []
        outScalars.reserveCapacity(text.count)
        outOrigins.reserveCapacity(text.count)
        let scalars = text.scalars
        var start = 0
        while start < scalars.count {
            var end = start + 1
            while end < scalars.count, !startsSegment(scalars[end]) { end += 1 }
            if end == start + 1, scalars[start].isASCII, end == scalars.count || scalars[end].isASCII {
                outScalars.append(scalars[start])
                outOrigins.append(text.origins[start])
            } else {
                let segment = String(String.UnicodeScalarView(scalars[start..<end]))
                let normalized: String
                switch form {
                case .nfc: normalized = segment.precomposedStringWithCanonicalMapping
                case .nfd: normalized = segment.decomposedStringWithCanonicalMapping
                case .nfkc: normalized = segment.precomposedStringWithCompatibilityMapping
                case .nfkd: normalized = segment.decomposedStringWithCompatibilityMapping
                }
                let count = end - start
                for (index, scalar) in normalized.unicodeScalars.enumerated() {
                    outScalars.append(scalar)
                    outOrigins.append(text.origins[start + min(index, count - 1)])
                }
            }
            start = end
        }
        text.scalars = outScalars
        text.origins = outOrigins
    }

    /// `tokenizers`' `is_control`: Cc, Cf, Co, Cs except tab, newline and carriage return. Unlike Python's
    /// `BertTokenizer` (and ``BasicTokenizer``), unassigned code points (Cn) are kept: the `tokenizers` package
    /// keeps every one of them.
    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        BasicTokenizer.isControl(scalar) && scalar.properties.generalCategory != .unassigned
    }

    private static func startsSegment(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.isASCII { return true }
        switch scalar.value {
        case 0x1161...0x1175, 0x11A8...0x11C2: return false
        default: return scalar.properties.canonicalCombiningClass.rawValue == 0
        }
    }
}
