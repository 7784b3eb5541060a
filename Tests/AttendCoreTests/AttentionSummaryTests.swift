import JSON
import Testing
import Transformer

@testable import AttendCore

@Suite("AttentionSummary")
struct AttentionSummaryTests {
    /// Two layers of `[2, 2, 2]` maps: head 0 attends to itself, head 1 to token 0.
    private let attentions: [Int: Tensor] = [
        0: Tensor(shape: [2, 2, 2], storage: [1, 0, 0, 1, 1, 0, 1, 0]),
        1: Tensor(shape: [2, 2, 2], storage: [1, 0, 0, 1, 0.5, 0.5, 0.5, 0.5]),
    ]

    @Test func init_UsesAllHeadsForRolloutAndSelectedHeadsForEntropy_WhenHeadsAreSelected() throws {
        let summary = try #require(AttentionSummary(attentions: attentions, layers: [1, 0], heads: [1]))
        #expect(summary.rollout == AttentionAnalysis.rollout([attentions[0]!, attentions[1]!]))
        #expect(summary.entropy.count == 2)
        #expect(summary.entropy[1] == [0])
        #expect(abs(summary.entropy[0][0] - Float(0.6931472)) < 1e-6)
    }

    @Test func init_IsNil_WhenALayerIsMissingOrAHeadIsOutOfRange() {
        #expect(AttentionSummary(attentions: attentions, layers: [2], heads: [0]) == nil)
        #expect(AttentionSummary(attentions: attentions, layers: [0], heads: [2]) == nil)
    }
}
