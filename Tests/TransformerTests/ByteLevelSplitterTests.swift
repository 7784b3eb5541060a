import Foundation
import Testing

@testable import Transformer

@Suite struct ByteLevelSplitterTests {
    @Test func split_MatchesTokenizersByteLevel_ForEveryCorpusLine() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: FixtureSupport.fixture("tokenizers/subword/split.json")))
        let lines = try #require(try JSONSerialization.jsonObject(with: data) as? [[Any]])
        #expect(lines.count >= 500)
        var mismatches: [String] = []
        for line in lines {
            let text = try #require(line[0] as? String)
            let expected = try #require(line[1] as? [String])
            let bytes = Array(text.utf8)
            let ranges = ByteLevelSplitter.split(text)
            let pieces = ranges.map { ByteLevelAlphabet.encode(bytes[$0]) }
            if pieces.map({ Array($0.utf8) }) != expected.map({ Array($0.utf8) }) {
                mismatches.append("\(text.debugDescription): \(pieces) expected \(expected)")
            }
            // The ranges tile the text.
            #expect(ranges.first?.lowerBound ?? 0 == 0 && ranges.last?.upperBound ?? 0 == bytes.count)
            #expect(zip(ranges, ranges.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound })
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) lines differ: \(mismatches.prefix(5))")
    }

    @Test func split_FollowsGPT2Pattern_ForContractionsAndWhitespaceRuns() {
        let text = "I'm   here\t\tnow's 42 !!x  "
        let bytes = Array(text.utf8)
        let pieces = ByteLevelSplitter.split(text).map { String(decoding: bytes[$0], as: UTF8.self) }
        #expect(pieces == ["I", "'m", "  ", " here", "\t", "\t", "now", "'s", " 42", " !!", "x", "  "])
        #expect(ByteLevelSplitter.split("").isEmpty)
    }

    @Test func alphabet_RoundTripsEveryByte_AndRejectsOtherCharacters() {
        let all = (0...255).map { UInt8($0) }
        let encoded = ByteLevelAlphabet.encode(all)
        #expect(encoded.unicodeScalars.count == 256)
        #expect(Set(encoded.unicodeScalars).count == 256)
        #expect(ByteLevelAlphabet.decode(encoded) == all)
        #expect(ByteLevelAlphabet.encode(Array(" hé\n".utf8)) == "ĠhÃ©Ċ")
        #expect(ByteLevelAlphabet.decode("Ġx") == [0x20, 0x78])
        #expect(ByteLevelAlphabet.decode("€") == nil)
        #expect(ByteLevelAlphabet.decode(" ") == nil)
    }
}
