import TestSupport
import Testing
import Transformer

@testable import AttendCore

@Suite("AttentionTable")
struct AttentionTableTests {
    /// Two heads over three tokens. Head 0 row 0 ties keys 1 and 2; head 1 is the identity.
    private let maps = Tensor(
        shape: [2, 3, 3],
        storage: [
            0.2, 0.4, 0.4,
            0.1, 0.3, 0.6,
            0.5, 0.25, 0.25,
            1, 0, 0,
            0, 1, 0,
            0, 0, 1,
        ])
    private let tokens = ["[CLS]", "café", "##s"]

    private func table(head: Int?, top: Int, tokens: [String]? = nil) throws -> AttentionTable {
        try AttentionTable(
            title: "t", tokens: tokens ?? self.tokens, maps: maps, head: head,
            heads: head.map { .head($0) } ?? .mean(count: 2), layer: 1, layerCount: 2, top: top)
    }

    @Test func init_OrdersKeysLargestFirstAndTiesByLowerIndex_WhenOneHeadIsChosen() throws {
        let t = try table(head: 0, top: 3)
        #expect(t.rows.map { $0.targets.map(\.index) } == [[1, 2, 0], [2, 1, 0], [0, 1, 2]])
        #expect(t.rows[0].targets.map(\.weight) == [0.4, 0.4, 0.2])
        #expect(t.rows[1].targets.map(\.token) == ["##s", "café", "[CLS]"])
        #expect(t.rows.map(\.token) == tokens)
    }

    @Test func init_AveragesTheHeads_WhenNoHeadIsChosen() throws {
        let t = try table(head: nil, top: 2)
        // Row 0: (0.2+1)/2, (0.4+0)/2, (0.4+0)/2 → 0.6, then the tie 0.2/0.2 keeps the lower index.
        #expect(t.rows[0].targets.map(\.index) == [0, 1])
        #expect(abs(t.rows[0].targets[0].weight - 0.6) < 1e-6)
        #expect(abs(t.rows[0].targets[1].weight - 0.2) < 1e-6)
        // Row 1: 0.05, 0.65, 0.3; row 2: 0.25, 0.125, 0.625.
        #expect(t.rows[1].targets.map(\.index) == [1, 2])
        #expect(abs(t.rows[1].targets[0].weight - 0.65) < 1e-6)
        #expect(t.rows[2].targets.map(\.index) == [2, 0])
        #expect(abs(t.rows[2].targets[0].weight - 0.625) < 1e-6)
        for row in try table(head: nil, top: 3).rows {
            #expect(abs(row.targets.reduce(0) { $0 + $1.weight } - 1) < 1e-6)
        }
    }

    @Test func init_ReadsTheSecondHead_WhenHeadOneIsChosen() throws {
        let t = try table(head: 1, top: 1)
        #expect(t.rows.map { $0.targets.map(\.index) } == [[0], [1], [2]])
        #expect(t.rows.allSatisfy { $0.targets[0].weight == 1 })
    }

    @Test func init_KeepsEveryKey_WhenTopIsLongerThanTheSequence() throws {
        #expect(try table(head: 0, top: 10).rows.allSatisfy { $0.targets.count == 3 })
    }

    @Test func init_Throws_WhenTopIsBelowOneTheShapeDiffersOrTheHeadIsOutOfRange() {
        #expect(throws: CoreError.self) { try table(head: 0, top: 0) }
        #expect(throws: CoreError.self) { try table(head: 0, top: 1, tokens: ["a", "b"]) }
        #expect(throws: CoreError.selectionOutOfRange(kind: "head", index: 2, count: 2)) {
            try table(head: 2, top: 1)
        }
    }

    @Test func rendered_LaysOutTheTable_WhenTwoKeysAreKept() throws {
        let text = try table(head: 0, top: 2).rendered(decimals: 2)
        let expected = """
            t
            layer 1 of 0…1, head 0, the 2 largest weights of each row
            #  token | 1st           | 2nd
            0  [CLS] | 1 café   0.40 | 2 ##s    0.40
            1  café  | 2 ##s    0.60 | 1 café   0.30
            2  ##s   | 0 [CLS]  0.50 | 1 café   0.25

            """
        #expect(text == expected)
    }

    @Test func rendered_AlignsColumnsByDisplayWidth_WhenTokensHaveCombiningAccentsAndWideCharacters() throws {
        let mixed = ["[CLS]", "e\u{301}te\u{301}", "日本"]
        let text = try table(head: nil, top: 3, tokens: mixed).rendered()
        let lines = text.split(separator: "\n").map(String.init).dropFirst(2)
        #expect(lines.count == 4)
        // Every " | " separator starts at the same display column on the header and on each row.
        let columns = lines.map { line -> [Int] in
            var found: [Int] = []
            var prefix = ""
            for character in line {
                if prefix.hasSuffix(" |") && character == " " {
                    found.append(AttentionTable.displayWidth(prefix) - 2)
                }
                prefix.append(character)
            }
            return found
        }
        #expect(columns.allSatisfy { $0 == columns.first && $0.count == 3 })
        #expect(!text.contains(" \n"))
    }

    @Test func rendered_NamesTheMeanAndClampsDecimals_WhenNoHeadIsChosen() throws {
        let text = try table(head: nil, top: 1).rendered(decimals: 0)
        #expect(text.contains("mean over 2 heads, the 1 largest weight of each row"))
        #expect(text.contains("0 [CLS]  0.6\n"))
    }

    @Test func displayWidth_CountsClustersAndWideCharacters_WhenTextIsMixed() {
        #expect(AttentionTable.displayWidth("##ing") == 5)
        #expect(AttentionTable.displayWidth("café") == 4)
        #expect(AttentionTable.displayWidth("cafe\u{301}") == 4)
        #expect(AttentionTable.displayWidth("日本") == 4)
        #expect(AttentionTable.displayWidth("") == 0)
    }

    @Test func ordinal_UsesEnglishSuffixes_WhenCountingRanks() {
        #expect(
            [1, 2, 3, 4, 11, 12, 13, 21, 22, 101].map(AttentionTable.ordinal) == [
                "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "101st",
            ])
    }
}
