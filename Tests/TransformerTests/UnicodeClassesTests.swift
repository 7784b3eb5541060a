import Testing

@testable import Transformer

@Suite struct UnicodeClassesTests {
    /// Every scalar below U+10000, and a sample above: the inline ASCII answers and the table give what the
    /// standard library's properties give.
    @Test func unicodeClasses_MatchTheStandardLibrary_WhenEveryPlaneZeroScalar() {
        var values = Array(UInt32(0)..<0x1_0000)
        values += [0x1_0000, 0x1_0400, 0x1_D400, 0x1_D7CE, 0x1_F600, 0x2_0000, 0xE_0001, 0x10_FFFF]
        var mismatches: [UInt32] = []
        for value in values {
            guard let scalar = Unicode.Scalar(value) else { continue }
            let whitespace =
                scalar.value < 0x80
                ? [0x20, 0x09, 0x0A, 0x0B, 0x0C, 0x0D].contains(scalar.value)
                : UnicodeClasses.computedWhitespace(scalar)
            if UnicodeClasses.isWhitespace(scalar) != whitespace
                || UnicodeClasses.isWord(scalar) != UnicodeClasses.computedWord(scalar)
                || UnicodeClasses.isLetter(scalar) != UnicodeClasses.computedLetter(scalar)
                || UnicodeClasses.isNumber(scalar) != UnicodeClasses.computedNumber(scalar)
            {
                mismatches.append(value)
            }
        }
        #expect(mismatches.isEmpty, "first mismatches: \(mismatches.prefix(8))")
    }

    @Test func unicodeClasses_AnswerKnownScalars_WhenSampled() {
        #expect(UnicodeClasses.isLetter("é") && UnicodeClasses.isLetter("ß") && UnicodeClasses.isLetter("中"))
        #expect(!UnicodeClasses.isLetter("1") && !UnicodeClasses.isLetter("_") && !UnicodeClasses.isLetter(" "))
        #expect(UnicodeClasses.isNumber("٣") && UnicodeClasses.isNumber("²") && UnicodeClasses.isNumber("Ⅻ"))
        #expect(UnicodeClasses.isWhitespace("\u{3000}") && UnicodeClasses.isWhitespace("\u{85}"))
        #expect(!UnicodeClasses.isWhitespace("\u{200B}"))
        #expect(UnicodeClasses.isWord("_") && UnicodeClasses.isWord("\u{301}") && !UnicodeClasses.isWord("-"))
    }
}
