import AttendCore
import Foundation
import JSON
import TestSupport
import Testing

@testable import AttendHTTP

/// Issue 10's cases over loopback: the memory budget, caps while reading, and the small hygiene items.
@Suite(.serialized) struct BudgetTests {
    @Test func attend_Answers422NamingTheBudget_WhenAnalysisMapsCanNeverFit() async throws {
        // Analysis without maps used to pass the response estimate while the pass kept every head's map.
        try await LiveService.with(configure: { $0.compute.maxMemoryBytes = 4 << 20 }) { live in
            let text = "a b c d e f g h i j k l m n o p q r s t u v"
            let batch = "[" + Array(repeating: "\"\(text)\"", count: 600).joined(separator: ",") + "]"
            let reply = try await live.post(
                "/attend", #"{"text":\#(batch),"attentions":false,"analysis":true,"precision":0}"#)
            #expect(reply.status == 422, "\(reply.text.prefix(300))")
            #expect(reply.errorCode == "response_too_large")
            #expect(reply.text.contains("compute.max_memory_bytes"), "\(reply.text)")
            #expect(live.app.engine.budget.reserved == 0)
        }
    }

    @Test func attend_Answers503WithRetryAfter_WhenTheBudgetIsHeldByAnotherRequest() async throws {
        try await LiveService.with(configure: {
            $0.compute.maxMemoryBytes = 4 << 20
            $0.compute.maxBudgetWaitMilliseconds = 0
        }) { live in
            let budget = live.app.engine.budget
            // Hold all but a few bytes of the budget, as a large request in flight would.
            try await budget.reserve((4 << 20) - 16)
            let reply = try await live.post("/attend", #"{"text":"the budget is taken"}"#)
            #expect(reply.status == 503, "\(reply.text)")
            #expect(reply.errorCode == "overloaded")
            #expect(reply.header("retry-after") == "1")
            budget.release((4 << 20) - 16)
            #expect(try await live.post("/attend", #"{"text":"room again"}"#).status == 200)
            #expect(budget.reserved == 0)
        }
    }

    @Test func attend_WaitsForTheBudget_WhenRoomFreesWithinTheWait() async throws {
        try await LiveService.with(configure: {
            $0.compute.maxMemoryBytes = 16 << 20
            $0.compute.maxBudgetWaitMilliseconds = 20_000
        }) { live in
            let budget = live.app.engine.budget
            try await budget.reserve(16 << 20)
            let waiting = Task { try await live.post("/attend", #"{"text":"waits for room"}"#) }
            #expect(await waitUntil { budget.waiting == 1 })
            budget.release(16 << 20)
            #expect(try await waiting.value.status == 200)
        }
    }

    @Test func attend_Answers413WithoutExpandingIDs_WhenManyTruncatedSequencesPassTheCap() async throws {
        try await LiveService.with { live in
            let ids = "[" + Array(repeating: "5", count: 400).joined(separator: ",") + "]"
            let body =
                #"{"input_ids":["# + Array(repeating: ids, count: 2000).joined(separator: ",") + #"],"truncate":true}"#
            let start = ContinuousClock.now
            let reply = try await live.post("/attend", body)
            #expect(reply.status == 413 && reply.errorCode == "request_too_large", "\(reply.text.prefix(200))")
            #expect(ContinuousClock.now - start < .seconds(10))
        }
    }

    @Test func metrics_CountUnknownMethodsAndPathsUnderOneLabel_WhenClientsInventThem() async throws {
        try await LiveService.with { live in
            for method in ["FOO", "BAR", "BAZ"] { _ = try await live.call(method, "/healthz") }
            for path in ["/a", "/b", "/c"] { _ = try await live.call("GET", path) }
            let text = try await live.call("GET", "/metrics").text
            #expect(!text.contains("FOO") && !text.contains("BAR") && !text.contains("BAZ"))
            #expect(text.contains(#"method="other""#))
            #expect(!text.contains(#"route="/a""#))
            #expect(text.contains(#"route="unmatched""#))
            #expect(text.contains("attend_memory_budget_bytes"))
        }
    }

    @Test func matches_ComparesFullLengths_WhenOneKeyIsAPrefixOfTheOther() {
        let keys = [Array("secret-key".utf8)]
        #expect(AttendApp.matches(Array("secret-key".utf8), keys))
        #expect(!AttendApp.matches(Array("secret".utf8), keys))
        #expect(!AttendApp.matches(Array("secret-key-and-more".utf8), keys))
        #expect(!AttendApp.matches([], keys))
        // Lengths that differ by a multiple of 256 differ in a higher byte of the length.
        let long = [Array(repeating: UInt8(ascii: "a"), count: 300)]
        #expect(!AttendApp.matches(Array(repeating: UInt8(ascii: "a"), count: 44), long))
    }

    @Test func models_HideCheckpointPaths_UnlessExposed() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("no-such-model-\(UUID())").path
        let entry = ServiceConfiguration.ModelEntry(name: "broken", source: .checkpoint(folder))
        try await LiveService.with(models: nil, configure: { $0.models = [entry] }) { live in
            live.app.loadModels()
            let models = try await live.call("GET", "/models")
            #expect(!models.text.contains(folder), "\(models.text)")
            let ready = try await live.call("GET", "/readyz")
            #expect(ready.status == 503 && !ready.text.contains(folder))
        }
        try await LiveService.with(
            models: nil,
            configure: {
                $0.models = [entry]
                $0.server.exposePaths = true
            }
        ) { live in
            live.app.loadModels()
            let models = try await live.call("GET", "/models")
            #expect(models.text.contains("no-such-model"))
        }
    }

    @Test func jsonResponses_CarryNosniff_WhenSuccessOrError() async throws {
        try await LiveService.with { live in
            for reply in [
                try await live.post("/attend", #"{"text":"a"}"#), try await live.post("/attend", "{"),
                try await live.call("GET", "/nope"), try await live.call("GET", "/models"),
            ] {
                #expect(reply.header("x-content-type-options") == "nosniff", "\(reply.status)")
            }
        }
    }
}
