import Foundation

/// A `tokenizer.json` normalizer: rewrites a text scalar by scalar, keeping each scalar's alignment to the
/// original (``NormalizedText``), as the `tokenizers` normalizers of the same names do.
indirect enum TextNormalizer: Sendable, Equatable {
    /// A Unicode normalization form.
    enum Form: String, Sendable, Equatable {
        case nfc = "NFC", nfd = "NFD", nfkc = "NFKC", nfkd = "NFKD"

        var scalarForm: ScalarNormalization.Form {
            switch self {
            case .nfc: return .nfc
            case .nfd: return .nfd
            case .nfkc: return .nfkc
            case .nfkd: return .nfkd
            }
        }
    }

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
            if cleanText || chinese { Self.cleanAndPad(&text, cleanText: cleanText, chinese: chinese) }
            if strip ?? lowercase {
                (text.scalars, text.origins) = BasicTokenizer.stripAccents(text.scalars, text.origins)
            }
            if lowercase { Self.lowercase(&text) }
        case .unicode(let form):
            Self.normalize(&text, form)
        case .lowercase:
            Self.lowercase(&text)
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

    /// What `BertNormalizer`'s clean text and CJK padding do to one scalar.
    enum BertAction: UInt8 {
        /// Kept as it is.
        case keep
        /// Removed (NUL, U+FFFD, controls).
        case drop
        /// Replaced by a space (whitespace).
        case space
        /// Surrounded by spaces (CJK ideographs).
        case pad
    }

    /// The action of clean text (``isControl(_:)``, NUL and U+FFFD dropped, whitespace to a space) and CJK padding
    /// on `scalar`, in the order of `tokenizers`' `BertNormalizer` (a dropped or respaced scalar is never padded).
    static func bertAction(_ scalar: Unicode.Scalar, cleanText: Bool, chinese: Bool) -> BertAction {
        let value = scalar.value
        if value < 0x80 {
            guard cleanText, value < 0x21 || value == 0x7F else { return .keep }
            switch value {
            case 0x20: return .keep  // a space to a space
            case 0x09, 0x0A, 0x0D: return .space
            default: return .drop  // NUL and the other C0 controls, DEL
            }
        }
        if cleanText {
            if value == 0xFFFD || isControl(scalar) { return .drop }
            if UnicodeClasses.isWhitespace(scalar) { return .space }
        }
        return chinese && BasicTokenizer.isChineseCharacter(scalar) ? .pad : .keep
    }

    /// `BertNormalizer`'s clean text and CJK padding in one pass; the inserted spaces share their scalar's origin.
    /// A text neither changes is left as it is.
    private static func cleanAndPad(_ text: inout NormalizedText, cleanText: Bool, chinese: Bool) {
        let scalars = text.scalars
        guard let first = scalars.firstIndex(where: { bertAction($0, cleanText: cleanText, chinese: chinese) != .keep })
        else { return }
        var outScalars = Array(scalars[..<first])
        var outOrigins = Array(text.origins[..<first])
        outScalars.reserveCapacity(scalars.count + 8)
        outOrigins.reserveCapacity(scalars.count + 8)
        for index in first..<scalars.count {
            let scalar = scalars[index], origin = text.origins[index]
            switch bertAction(scalar, cleanText: cleanText, chinese: chinese) {
            case .keep:
                outScalars.append(scalar)
                outOrigins.append(origin)
            case .drop:
                continue
            case .space:
                outScalars.append(" ")
                outOrigins.append(origin)
            case .pad:
                outScalars.append(" ")
                outScalars.append(scalar)
                outScalars.append(" ")
                for _ in 0..<3 { outOrigins.append(origin) }
            }
        }
        text.scalars = outScalars
        text.origins = outOrigins
    }

    /// Each scalar's full lower-case mapping; an ASCII text is lowered in place.
    private static func lowercase(_ text: inout NormalizedText) {
        guard text.scalars.allSatisfy(\.isASCII) else {
            (text.scalars, text.origins) = BasicTokenizer.lowercase(text.scalars, text.origins)
            return
        }
        for index in text.scalars.indices {
            let value = text.scalars[index].value
            if (65...90).contains(value) { text.scalars[index] = Unicode.Scalar(UInt8(value + 32)) }
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
                let count = end - start
                if count == 1 {  // a scalar alone: its remembered normal form
                    for scalar in ScalarNormalization.normalize(scalars[start], form.scalarForm) {
                        outScalars.append(scalar)
                        outOrigins.append(text.origins[start])
                    }
                } else {
                    let segment = String(String.UnicodeScalarView(scalars[start..<end]))
                    let normalized = ScalarNormalization.normalize(segment, form.scalarForm)
                    for (index, scalar) in normalized.unicodeScalars.enumerated() {
                        outScalars.append(scalar)
                        outOrigins.append(text.origins[start + min(index, count - 1)])
                    }
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
