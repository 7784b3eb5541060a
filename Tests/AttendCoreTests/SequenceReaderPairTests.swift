import AttendCore
import TestSupport
import Testing
import Transformer

/// Text pairs through the one input reader: truncation, the encoder's token types, and refusals.
@Suite struct SequenceReaderPairTests {
    let limits = RequestLimits(maxTokens: 256, maxSequences: 4)

    func reader(
        truncate: Bool = false, direction: TruncationDirection = .right, types: Int = 2
    ) throws -> SequenceReader {
        var model = TestModels.tiny
        if types != 2 {
            var c = model.configuration
            c.typeVocabularySize = types
            model = ServedModel(name: "typed\(types)", model: try Model.seeded(c))
        }
        return SequenceReader(model: model, truncate: truncate, direction: direction, limits: limits)
    }

    @Test func read_CutsLongestFirstFromEitherEnd_WhenAPairIsTruncated() throws {
        let long = (0..<40).map { "w\($0)" }.joined(separator: " ")
        for direction in [TruncationDirection.right, .left] {
            let input = try reader(truncate: true, direction: direction).read(.textPairs([.pair("a b", long)]))
            let e = input.encodings[0]
            #expect(e.count == TestModels.configuration.maxPositions)
            #expect(e.tokens.prefix(4) == ["[CLS]", "a", "b", "[SEP]"])
            #expect(e.tokens.last == "[SEP]")
            #expect(e.secondSegmentStart == 4)
            // 24 positions: 3 specials, "a b" whole, 19 tokens of the long text (its first or its last).
            // Offsets are relative to the second text: "w0" at 0..<2, or "w21" (the first of the last 19) at 74..<77.
            #expect(e.tokens[4] == (direction == .right ? "w0" : "w21"))
            #expect(e.offsets[4] == (direction == .right ? 0..<2 : 74..<77))
            #expect(input.encoderInputs[0].typeIds == e.typeIDs)
        }
    }

    @Test func read_GivesTheEncoderTypesOnlyForPairs_WhenABatchMixes() throws {
        let input = try reader().read(.textPairs([.pair("a", "b"), .single("c d")]))
        #expect(input.encoderInputs[0].typeIds == [0, 0, 0, 1, 1])
        #expect(input.encoderInputs[1].typeIds == nil)
        #expect(input.totalTokens == 9)
    }

    @Test func read_RefusesAPair_WhenTheModelHasOneTokenType() throws {
        #expect {
            try reader(types: 1).read(.textPairs([.pair("a", "b")]))
        } throws: { error in
            guard case CoreError.unsupported(let message, let field) = error else { return false }
            return field == "text" && message.contains("token type")
        }
        let untyped = try reader(types: 0).read(.textPairs([.pair("a", "b")]))
        #expect(untyped.encoderInputs[0].typeIds == nil)
        #expect(untyped.encodings[0].typeIDs == [0, 0, 0, 1, 1])
    }

    @Test func read_RefusesTooLong_WhenAPairIsOverThePositionsWithoutTruncation() throws {
        let long = (0..<40).map { "w\($0)" }.joined(separator: " ")
        #expect {
            try reader().read(.textPairs([.pair("a", long)]))
        } throws: { error in
            guard case CoreError.sequenceTooLong = error else { return false }
            return true
        }
    }
}
