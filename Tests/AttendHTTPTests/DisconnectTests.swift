import AttendCore
import AttendHTTP
import Foundation
import TestSupport
import Testing

/// A request whose client vanished is never computed.
@Suite(.serialized) struct DisconnectTests {
    @Test func server_DoesNotComputeARequest_WhenItsClientDisconnects() async throws {
        let live = try LiveService.start { $0.compute.maxWaitMilliseconds = 800 }
        defer { Task { await live.stop() } }
        let port = live.port
        try await onThread {
            let client = LoopbackClient(port: port)
            let body = Array(#"{"text":"gone before the answer"}"#.utf8)
            let head =
                "POST /attend HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: \(body.count)\r\n\r\n"
            try client.send(raw: Array(head.utf8) + body)
            Thread.sleep(forTimeInterval: 0.2)
            client.reset()
        }
        try await Task.sleep(for: .milliseconds(1200))
        let metrics = try await live.call("GET", "/metrics")
        #expect(metrics.text.contains("attend_batch_sequences_count 0"), "\(metrics.text)")
        #expect(!metrics.text.contains("attend_tokens_total{"))
        #expect(live.app.engine.batcher.depth == 0)
    }
}
