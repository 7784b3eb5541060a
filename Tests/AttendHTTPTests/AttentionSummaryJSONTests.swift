import AttendCore
import JSON
import Testing
import Transformer

@testable import AttendHTTP

@Suite("AttentionSummary+JSON")
struct AttentionSummaryJSONTests {
    /// Two layers of `[2, 2, 2]` maps: head 0 attends to itself, head 1 to token 0.
    private let attentions: [Int: Tensor] = [
        0: Tensor(shape: [2, 2, 2], storage: [1, 0, 0, 1, 1, 0, 1, 0]),
        1: Tensor(shape: [2, 2, 2], storage: [1, 0, 0, 1, 0.5, 0.5, 0.5, 0.5]),
    ]

    @Test func write_EmitsRolloutAndEntropyArrays_WhenWritten() throws {
        let summary = try #require(AttentionSummary(attentions: attentions, layers: [0], heads: [0, 1]))
        let writer = JSONWriter()
        summary.write(to: writer)
        let text = String(decoding: writer.bytes, as: UTF8.self)
        #expect(text == #"{"rollout":[[1.0,0.0],[0.25,0.75]],"entropy":[[0.0,0.0]]}"#)
    }
}
