import AttendCore
import Foundation
import JSON
import TestSupport
import Testing
import Transformer

@testable import AttendHTTP

/// Operator items end to end: per-request timing headers and histograms, the queue deadline, warm-up, and
/// checkpoint folders relative to the configuration file.
@Suite(.serialized) struct OperatorTests {
    func milliseconds(_ reply: LoopbackClient.Reply, _ header: String) -> Double? {
        reply.header(header).flatMap(Double.init)
    }

    @Test func timingHeaders_ReportEachStage_WhenARequestComputes() async throws {
        try await LiveService.with { live in
            for (path, body) in [
                ("/attend", #"{"text":"hello there"}"#), ("/v1/embeddings", #"{"input":"hello there"}"#),
                ("/embed", #"{"inputs":"hello there"}"#),
            ] {
                let reply = try await live.post(path, body)
                #expect(reply.status == 200)
                let total = try #require(milliseconds(reply, "x-attend-total-time"), "\(path)")
                for header in ["x-attend-queue-time", "x-attend-tokenization-time", "x-attend-inference-time"] {
                    let value = try #require(milliseconds(reply, header), "\(path) \(header)")
                    #expect(value >= 0 && value <= total, "\(path) \(header)")
                }
            }
            let health = try await live.call("GET", "/healthz")
            #expect(milliseconds(health, "x-attend-total-time") != nil)
            #expect(health.header("x-attend-inference-time") == nil)
            let metrics = try await live.call("GET", "/metrics").text
            for stage in ["queue", "tokenization", "inference", "total"] {
                #expect(metrics.contains(#"attend_request_stage_seconds_count{stage="\#(stage)"} 3"#), "\(stage)")
            }
            #expect(metrics.contains("attend_request_input_tokens_count 3"))
        }
    }

    @Test func queueDeadline_Answers503_WhenAJobWaitedTooLong() async throws {
        try await LiveService.with(configure: {
            $0.compute.maxWaitMilliseconds = 40
            $0.compute.maxQueueMilliseconds = 5
        }) { live in
            let reply = try await live.post("/attend", #"{"text":"a"}"#)
            #expect(reply.status == 503, "\(reply.text)")
            #expect(reply.errorCode == "overloaded" && reply.header("retry-after") == "1")
            #expect(reply.text.contains("max_queue_ms"))
            let tei = try await live.post("/embed", #"{"inputs":"a"}"#)
            #expect(tei.status == 429 && tei.json?["error_type"] == .string("overloaded"))
        }
        try await LiveService.with(configure: {
            $0.compute.maxWaitMilliseconds = 40
            $0.compute.maxQueueMilliseconds = 0
        }) { live in
            let reply = try await live.post("/attend", #"{"text":"a"}"#)
            #expect(reply.status == 200)
        }
    }

    @Test func configuration_ReadsQueueDeadline_AndResolvesCheckpointsAgainstItsFolder() throws {
        let json = #"""
            {"compute":{"batching":{"max_queue_ms":250}},
             "models":[{"name":"a","checkpoint":"../models/m"},{"name":"b","checkpoint":"/abs/m"}]}
            """#
        var c = try ServiceConfiguration.parse(json: Array(json.utf8))
        #expect(c.compute.maxQueueMilliseconds == 250)
        c.resolveCheckpoints(relativeTo: URL(fileURLWithPath: "/repo/config"))
        #expect(c.models[0].source == .checkpoint("/repo/models/m"))
        #expect(c.models[1].source == .checkpoint("/abs/m"))
        #expect(ServiceConfiguration().compute.maxQueueMilliseconds == 0)
    }

    @Test func warmUp_RunsOnePassBeforeTheModelCountsAsLoaded() throws {
        try ModelRegistry.warmUp(TestModels.tiny)
        let entry = ServiceConfiguration.ModelEntry(name: "m", source: .architecture(TestModels.configuration))
        let registry = ModelRegistry(entries: [entry])
        #expect(!registry.isReady)
        #expect(registry.loadAll().isEmpty)
        #expect(registry.isReady)
    }
}
