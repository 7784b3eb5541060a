import AttendCore
import TestSupport
import Testing
import Transformer

@Suite struct SequenceReaderTests {
    let limits = RequestLimits(maxTokens: 64, maxSequences: 4)

    func reader(truncate: Bool = false, positions: Int? = nil) throws -> SequenceReader {
        var model = TestModels.tiny
        if let positions {
            var c = model.configuration
            c.maxPositions = positions
            model = ServedModel(name: "short", model: try Model.seeded(c))
        }
        return SequenceReader(model: model, truncate: truncate, limits: limits)
    }

    @Test func boundedText_CutsAtWhitespace_WhenTruncating() throws {
        let text = String(repeating: "ab ", count: 100)
        let cut = try reader(truncate: true, positions: 1).boundedText(text, index: 0)
        #expect(cut.unicodeScalars.count <= SequenceReader.scalarsPerPosition)
        #expect(cut.hasSuffix("ab") && text.hasPrefix(cut))
        #expect(try reader(positions: 1).boundedText("short", index: 0) == "short")
        #expect(throws: CoreError.self) { try reader(positions: 1).boundedText(text, index: 0) }
    }

    @Test func read_RefusesBeforeTokenizing_WhenSequencesOverTheCap() throws {
        let source = SequenceSource.texts(Array(repeating: "a", count: 5))
        #expect {
            try reader().read(source)
        } throws: { error in
            guard case CoreError.requestTooLarge(let message) = error else { return false }
            return message.contains("5 sequences")
        }
    }

    @Test func read_StopsAtTheFirstSequenceOverTheTokenCap_WhenManyLongTexts() throws {
        let long = String(repeating: "word ", count: 20)
        #expect(throws: CoreError.self) { try reader().read(.texts([long, long, long, long])) }
    }

    @Test func read_TokenizesOnlyAsFarAsThePositions_WhenWordsAreTruncated() throws {
        let words = (0..<10_000).map { "w\($0 % 50)" }
        let input = try reader(truncate: true).read(.words([words]))
        #expect(input.encodings[0].count == TestModels.tiny.configuration.maxPositions)
        #expect(input.encodings[0].specialTokensMask.last == true)
    }

    @Test func read_RefusesWithSequenceTooLong_WhenWordsOverThePositionsWithoutTruncation() throws {
        let words = (0..<10_000).map { "w\($0 % 50)" }
        #expect {
            try reader().read(.words([words]))
        } throws: { error in
            guard case CoreError.sequenceTooLong = error else { return false }
            return true
        }
    }

    @Test func read_KeepsTheFirstIDs_WhenIDsAreTruncated() throws {
        let ids = Array(repeating: 7, count: 1000)
        let input = try reader(truncate: true).read(.ids([ids]))
        #expect(input.encodings[0].ids == Array(repeating: Int32(7), count: TestModels.tiny.configuration.maxPositions))
    }

    @Test func read_RefusesIDOutsideTheVocabulary_WhenGiven() throws {
        #expect(throws: CoreError.idOutOfRange(sequence: 0, id: "500", vocabularySize: 500)) {
            try reader().read(.ids([[1, 500]]))
        }
    }

    @Test func read_RefusesEmptySequence_WhenOnlySpecialTokens() throws {
        #expect(throws: CoreError.emptySequence(index: 1, field: "text")) { try reader().read(.texts(["a", " "])) }
    }
}
