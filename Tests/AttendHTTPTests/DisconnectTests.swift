import AttendCore
import AttendHTTP
import Foundation
import TestSupport
import Testing

/// A request whose client vanished is never computed.
@Suite(.serialized) struct DisconnectTests {
    @Test func server_DoesNotComputeARequest_WhenItsClientDisconnects() async throws {
        let service = try LiveService.start { $0.compute.maxWaitMilliseconds = 1000 }
        let port = service.port
        let client = LoopbackClient(port: port)
        let body = Array(#"{"text":"gone before the answer"}"#.utf8)
        let head =
            "POST /attend HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: \(body.count)\r\n\r\n"
        try await onThread { try client.send(raw: Array(head.utf8) + body) }
        // The job waits up to 1 s for company; the client resets while it is queued.
        let queued = await waitUntil { service.app.engine.batcher.depth == 1 }
        #expect(queued)
        try await onThread { client.reset() }
        #expect(await waitUntil { service.app.engine.batcher.depth == 0 })
        // After the shutdown no pass can start: whatever ran, ran before it.
        await service.stop()
        let metrics = service.app.metrics.render(
            queueDepth: 0, modelsReady: 0, modelsConfigured: 0, budget: (0, 0, 0))
        #expect(metrics.contains("attend_batch_sequences_count 0"), "\(metrics)")
        #expect(!metrics.contains("attend_tokens_total{"))
    }
}
