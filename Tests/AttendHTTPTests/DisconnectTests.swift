import AttendCore
import AttendHTTP
import Foundation
import TestSupport
import Testing

/// A request whose client vanished is never computed.
@Suite(.serialized) struct DisconnectTests {
    @Test func server_DoesNotComputeARequest_WhenItsClientDisconnects() async throws {
        let log = EventLog<Batcher.Event>()
        // The job waits up to 30 s for company: long enough that only the client's reset can end its wait.
        let service = try LiveService.start(batchEvents: log) { $0.compute.maxWaitMilliseconds = 30_000 }
        let client = LoopbackClient(port: service.port)
        let body = Array(#"{"text":"gone before the answer"}"#.utf8)
        let head =
            "POST /attend HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: \(body.count)\r\n\r\n"
        try await onThread { try client.send(raw: Array(head.utf8) + body) }
        #expect(await log.wait { $0.contains(.enqueued(depth: 1)) })
        try await onThread { client.reset() }
        #expect(await log.wait { $0.contains(.dropped) })
        // After the shutdown no pass can start: whatever ran, ran before it.
        await service.stop()
        #expect(await log.wait { $0.contains(.stopped) })
        #expect(!log.all.contains { if case .passStarted = $0 { return true } else { return false } })
        let metrics = service.app.metrics.render(
            queueDepth: 0, modelsReady: 0, modelsConfigured: 0, budget: (0, 0, 0))
        #expect(metrics.contains("attend_batch_sequences_count 0"), "\(metrics)")
        #expect(!metrics.contains("attend_tokens_total{"))
    }
}
