import AttendCore
import TestSupport
import Testing

@testable import AttendHTTP

/// Every error code the API documents, over loopback, always as `{"error":{"code","message"}}`.
@Suite(.serialized) struct ErrorResponseTests {
    func expectError(
        _ reply: LoopbackClient.Reply, _ status: Int, _ code: String? = nil,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(reply.status == status, "\(reply.text)", sourceLocation: sourceLocation)
        let message = reply.json?["error"]?["message"]?.stringValue
        #expect(message?.isEmpty == false, "\(reply.text)", sourceLocation: sourceLocation)
        if let code { #expect(reply.errorCode == code, "\(reply.text)", sourceLocation: sourceLocation) }
        #expect(reply.header("content-type") == "application/json", sourceLocation: sourceLocation)
    }

    @Test func attend_Answers400_WhenRequestIsMalformed() async throws {
        try await LiveService.with() { live in
            let cases: [(String, String)] = [
                (#"{"text":"a""#, "invalid_json"),
                (#"{"text":"a","text":"b"}"#, "invalid_json"),
                (#"{"text":"a","precision":NaN}"#, "invalid_json"),
                (#"{"input_ids":[1,Infinity]}"#, "invalid_json"),
                (#"[1,2]"#, "invalid_request"),
                (#"{}"#, "invalid_input"),
                (#"{"text":"a","input_ids":[1]}"#, "invalid_input"),
                (#"{"text":""}"#, "empty_sequence"),
                (#"{"text":[]}"#, "empty_sequence"),
                (#"{"input_ids":[[]]}"#, "empty_sequence"),
                (#"{"text":5}"#, "invalid_request"),
                (#"{"text":"a","layers":"all"}"#, "invalid_request"),
                (#"{"text":"a","pooling":"sum"}"#, "invalid_request"),
                (#"{"text":"a","precision":12}"#, "invalid_request"),
                (#"{"text":"a","attentions":1}"#, "invalid_request"),
                (#"{"text":"a","colour":"blue"}"#, "unknown_field"),
                (#"{"input_ids":[1.5]}"#, "invalid_request"),
            ]
            for (body, code) in cases {
                let reply = try await live.post("/attend", body)
                expectError(reply, 400, code)
            }
            let emptyNoSpecials = try await live.post("/attend", #"{"text":"","add_special_tokens":false}"#)
            expectError(emptyNoSpecials, 400, "empty_sequence")
            let emptyBody = try await live.call("POST", "/attend", json: "")
            expectError(emptyBody, 400)
        }
    }

    @Test func attend_Answers404_WhenModelOrPathUnknown() async throws {
        try await LiveService.with() { live in
            expectError(try await live.post("/attend", #"{"model":"gpt","text":"a"}"#), 404, "model_not_found")
            expectError(try await live.call("GET", "/nothing/here"), 404)
        }
    }

    @Test func attend_Answers405_WhenMethodWrong() async throws {
        try await LiveService.with() { live in
            let reply = try await live.call("GET", "/attend")
            expectError(reply, 405)
            #expect(reply.header("allow")?.contains("POST") == true)
        }
    }

    @Test func attend_Answers413_WhenBodyOverLimit() async throws {
        try await LiveService.with(configure: { $0.server.maxBodyBytes = 1000 }) { live in
            let big = String(repeating: "a ", count: 1000)
            expectError(try await live.post("/attend", #"{"text":"\#(big)"}"#), 413)
        }
    }

    @Test func attend_Answers415_WhenNotJSON() async throws {
        try await LiveService.with() { live in
            expectError(
                try await live.call("POST", "/attend", json: #"{"text":"a"}"#, contentType: "text/plain"), 415,
                "unsupported_media_type")
            expectError(try await live.call("POST", "/attend", json: #"{"text":"a"}"#, contentType: nil), 415)
            let charset = try await live.call(
                "POST", "/attend", json: #"{"text":"a"}"#, contentType: "application/json; charset=utf-8")
            #expect(charset.status == 200)
        }
    }

    @Test func attend_Answers422_WhenModelCannotTakeIt() async throws {
        try await LiveService.with(configure: { $0.server.maxResponseBytes = 20_000 }) { live in
            let long = Array(repeating: "w", count: 40).joined(separator: " ")
            expectError(try await live.post("/attend", #"{"text":"\#(long)"}"#), 422, "sequence_too_long")
            expectError(try await live.post("/attend", #"{"input_ids":[1,500]}"#), 422, "id_out_of_range")
            expectError(try await live.post("/attend", #"{"input_ids":[1,-1]}"#), 422, "id_out_of_range")
            expectError(try await live.post("/attend", #"{"text":"a","layers":[3]}"#), 422, "layer_out_of_range")
            expectError(try await live.post("/attend", #"{"text":"a","layers":[-4]}"#), 422, "layer_out_of_range")
            expectError(try await live.post("/attend", #"{"text":"a","heads":[4]}"#), 422, "head_out_of_range")
            let tooBig = try await live.post(
                "/attend", #"{"text":"\#(Array(repeating: "w", count: 20).joined(separator: " "))"}"#)
            expectError(tooBig, 422, "response_too_large")
            let message = tooBig.json?["error"]?["message"]?.stringValue ?? ""
            #expect(message.contains("bytes") && message.contains("precision") && message.contains("layers"))
            // Shrinking as told fits.
            let small = try await live.post(
                "/attend", #"{"text":"\#(Array(repeating: "w", count: 20).joined(separator: " "))","attentions":false}"#
            )
            #expect(small.status == 200)
        }
    }

    @Test func embeddings_Answers400And422_WhenInputBad() async throws {
        try await LiveService.with() { live in
            expectError(try await live.post("/v1/embeddings", #"{}"#), 400)
            expectError(try await live.post("/v1/embeddings", #"{"input":{}}"#), 400)
            expectError(try await live.post("/v1/embeddings", #"{"input":"a","encoding_format":"hex"}"#), 400)
            expectError(try await live.post("/v1/embeddings", #"{"input":[1,999]}"#), 422)
            expectError(try await live.post("/v1/embeddings", #"{"input":"a","model":"nope"}"#), 404)
            expectError(try await live.post("/tokenize", #"{"text":"a","extra":true}"#), 400, "unknown_field")
        }
    }

    @Test func fields_SayOutOfRange_WhenIntegerTooLarge() async throws {
        try await LiveService.with() { live in
            let dimensions = try await live.post("/v1/embeddings", #"{"input":"a","dimensions":1e20}"#)
            expectError(dimensions, 400)
            #expect(
                dimensions.text.contains("out of range") && !dimensions.text.contains("fraction"), "\(dimensions.text)")
            let layers = try await live.post("/attend", #"{"text":"a","layers":[1e20]}"#)
            expectError(layers, 400)
            #expect(layers.text.contains("out of range") && !layers.text.contains("fraction"), "\(layers.text)")
            let ids = try await live.post("/attend", #"{"input_ids":[99999999999999999999]}"#)
            expectError(ids, 422, "id_out_of_range")
            let fraction = try await live.post("/v1/embeddings", #"{"input":"a","dimensions":1.5}"#)
            #expect(fraction.text.contains("fraction"))
        }
    }

    @Test func attend_RefusesHugeTextBeforeTokenizing_WhenNotTruncating() async throws {
        try await LiveService.with() { live in
            let huge = String(repeating: "abcdefghij ", count: 100_000)
            let start = ContinuousClock.now
            expectError(try await live.post("/attend", #"{"text":"\#(huge)"}"#), 422, "sequence_too_long")
            expectError(try await live.post("/v1/embeddings", #"{"input":"\#(huge)"}"#), 422, "sequence_too_long")
            expectError(try await live.post("/v1/embeddings", #"{"input":["a","\#(huge)"]}"#), 422, "sequence_too_long")
            #expect(ContinuousClock.now - start < .seconds(5))
            let cut = try await live.post("/tokenize", #"{"text":"\#(huge)","truncate":true}"#)
            #expect(cut.status == 200, "\(cut.text.prefix(300))")
            let short = String(repeating: "abcdefghij ", count: 600)
            let reference = try await live.post("/tokenize", #"{"text":"\#(short)","truncate":true}"#)
            #expect(cut.json?["results"] == reference.json?["results"])
        }
    }

    @Test func auth_Answers401_WhenKeyMissingOrWrong() async throws {
        try await LiveService.with(configure: { $0.server.apiKeys = ["sekret-1", "other-key"] }) { live in
            let missing = try await live.post("/attend", #"{"text":"a"}"#)
            expectError(missing, 401, "unauthorized")
            #expect(missing.header("www-authenticate") == "Bearer")
            expectError(
                try await live.post("/attend", #"{"text":"a"}"#, headers: [("Authorization", "Bearer nope")]), 401)
            expectError(try await live.post("/attend", #"{"text":"a"}"#, headers: [("X-API-Key", "sekret-")]), 401)
            expectError(try await live.call("GET", "/models"), 401)
            expectError(try await live.call("GET", "/metrics"), 401)
            #expect(
                try await live.post("/attend", #"{"text":"a"}"#, headers: [("Authorization", "Bearer sekret-1")]).status
                    == 200)
            #expect(
                try await live.post("/attend", #"{"text":"a"}"#, headers: [("X-API-Key", "other-key")]).status == 200)
            #expect(try await live.call("GET", "/healthz").status == 200)
            #expect(try await live.call("GET", "/readyz").status == 200)
        }
    }

    @Test func overload_Answers503WithRetryAfter_WhenQueueFull() async throws {
        // One queued job waits 2 s for company; with room for one, the next request is refused at once.
        let log = EventLog<Batcher.Event>()
        try await LiveService.with(
            batchEvents: log,
            configure: {
                $0.compute.queueCapacity = 1
                $0.compute.maxWaitMilliseconds = 2000
            }
        ) { live in
            let first = Task { try await live.post("/attend", #"{"text":"first"}"#) }
            #expect(await log.wait { $0.contains(.enqueued(depth: 1)) })
            let reply = try await live.post("/attend", #"{"text":"second"}"#)
            expectError(reply, 503, "overloaded")
            #expect(reply.header("retry-after") == "1")
            #expect(try await first.value.status == 200)
        }
    }
}
