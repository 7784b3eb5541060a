import AttendCore
import AttendHTTP
import Foundation
import JSON
import TestSupport
import Testing
import Transformer

@Suite(.serialized) struct AttendEndpointTests {
    @Test func attend_ReturnsEveryLayerAndHead_WhenTextGiven() async throws {
        try await LiveService.with() { live in
            let reply = try await live.post("/attend", #"{"text":"the dog chased the ball"}"#)
            #expect(reply.status == 200)
            let json = try #require(reply.json)
            #expect(json["model"] == .string("tiny"))
            #expect(json["layers"]?.array?.count == 3)
            #expect(json["heads"]?.array?.count == 4)
            let result = try #require(json["results"]?[0])
            let n = try #require(result["input_ids"]?.array?.count)
            #expect(result["tokens"]?.array?.count == n)
            #expect(result["offsets"]?.array?.count == n)
            #expect(result["embeddings"]?.array?.count == n)
            #expect(result["embeddings"]?[0]?.array?.count == 32)
            #expect(result["pooled"]?.array?.count == 32)
            #expect(result["hidden_states"] == nil)
            let attentions = try #require(result["attentions"]?.array)
            #expect(attentions.count == 3)
            for layer in attentions {
                #expect(layer.array?.count == 4)
                for head in layer.array ?? [] {
                    #expect(head.array?.count == n)
                    for row in head.array ?? [] {
                        let values = row.floats
                        #expect(values.count == n)
                        #expect(abs(values.reduce(0, +) - 1) < 1e-4)
                    }
                }
            }
            #expect(json["usage"]?["tokens"]?.number == Double(n))
            #expect(reply.header("x-attend-tokens") == String(n))
        }
    }

    @Test func attend_MatchesTheBareForwardPass_WhenInputIDsGiven() async throws {
        try await LiveService.with() { live in
            let ids: [Int32] = [2, 17, 99, 230, 3]
            let reply = try await live.post(
                "/attend", #"{"input_ids":[2,17,99,230,3],"layers":[-1,0],"heads":[1],"hidden_states":true}"#)
            #expect(reply.status == 200)
            let json = try #require(reply.json)
            #expect(
                json["layers"]
                    == .array([
                        .number(.init(text: "2", double: 2, isIntegerLiteral: true)),
                        .number(.init(text: "0", double: 0, isIntegerLiteral: true)),
                    ]))
            let result = try #require(json["results"]?[0])
            #expect(result["offsets"] == nil)
            #expect(result["word_ids"] == nil)
            let expected = try TestModels.tiny.encoder.forward(
                [EncoderInput(ids: ids)], options: ForwardOptions(attentionLayers: [0, 2], hiddenStates: true))[0]
            let embeddings = (result["embeddings"]?.array ?? []).flatMap(\.floats)
            #expect(embeddings == expected.lastHiddenState.storage)
            let layer2head1 = (result["attentions"]?[0]?[0]?.array ?? []).flatMap(\.floats)
            let map = try #require(expected.attentions[2])
            #expect(layer2head1 == Array(map.storage[25..<50]))
            #expect(result["hidden_states"]?.array?.count == 4)
            let pooled = result["pooled"]?.floats ?? []
            #expect(pooled == Encoder.pool(expected.lastHiddenState, .mean, normalize: true))
        }
    }

    @Test func attend_ReportsWordIDs_WhenPreSplitTokensGiven() async throws {
        try await LiveService.with() { live in
            let reply = try await live.post(
                "/attend", #"{"tokens":[["hello","world"],["one"]],"attentions":false,"pooling":"cls","precision":3}"#)
            #expect(reply.status == 200)
            let json = try #require(reply.json)
            #expect(json["results"]?.array?.count == 2)
            let first = try #require(json["results"]?[0])
            let wordIDs = try #require(first["word_ids"]?.array)
            #expect(wordIDs.first == .null)
            #expect(wordIDs.last == .null)
            #expect(first["attentions"] == nil)
            for value in (first["embeddings"]?[0]?.array ?? []) {
                guard case .number(let n) = value else { continue }
                let decimals = n.text.split(separator: ".").last?.count ?? 0
                #expect(decimals <= 3)
            }
        }
    }

    @Test func attend_TruncatesKeepingSEP_WhenTruncateTrue() async throws {
        try await LiveService.with() { live in
            let long = Array(repeating: "word", count: 40).joined(separator: " ")
            let reply = try await live.post("/attend", #"{"text":"\#(long)","truncate":true,"attentions":false}"#)
            #expect(reply.status == 200)
            let tokens = reply.json?["results"]?[0]?["tokens"]?.array ?? []
            #expect(tokens.count == 24)
            #expect(tokens.last == .string("[SEP]"))
        }
    }

    @Test func attend_UsesTheNamedModel_WhenModelGiven() async throws {
        try await LiveService.with() { live in
            let reply = try await live.post("/attend", #"{"model":"other","text":"hi"}"#)
            #expect(reply.status == 200)
            #expect(reply.json?["layers"]?.array?.count == 2)
        }
    }

    @Test func routes_Answer413NamingTheLimit_WhenRequestOverTheCaps() async throws {
        try await LiveService.with(configure: {
            $0.compute.maxRequestTokens = 50
            $0.compute.maxRequestSequences = 4
        }) { live in
            let fiveSequences = "[" + Array(repeating: "[5,6]", count: 5).joined(separator: ",") + "]"
            let longIDs = "[" + Array(repeating: "5", count: 30).joined(separator: ",") + "]"
            let letters = Array(repeating: "a b", count: 15).joined(separator: " ")
            let cases: [(String, String, String)] = [
                ("/attend", #"{"input_ids":\#(fiveSequences)}"#, "max_request_sequences"),
                ("/attend", #"{"input_ids":[\#(longIDs),\#(longIDs)]}"#, "max_request_tokens"),
                ("/attend", #"{"text":["\#(letters)","\#(letters)"]}"#, "max_request_tokens"),
                ("/tokenize", #"{"text":["a","b","c","d","e"]}"#, "max_request_sequences"),
                ("/v1/embeddings", #"{"input":["a","b","c","d","e"]}"#, "max_request_sequences"),
                ("/v1/embeddings", #"{"input":[\#(longIDs),\#(longIDs)]}"#, "max_request_tokens"),
            ]
            for (path, body, limit) in cases {
                let reply = try await live.post(path, body)
                #expect(reply.status == 413, "\(path) \(body)")
                #expect(reply.json?["error"]?["code"] == .string("request_too_large"))
                #expect(reply.text.contains(limit), "\(reply.text)")
            }
            #expect(try await live.post("/attend", #"{"input_ids":[[5,6],[5,6],[5,6],[5,6]]}"#).status == 200)
        }
    }

    @Test func tokenize_ReturnsTokensIDsAndOffsets() async throws {
        try await LiveService.with() { live in
            let reply = try await live.post("/tokenize", #"{"text":["a b","c"],"add_special_tokens":false}"#)
            #expect(reply.status == 200)
            let results = try #require(reply.json?["results"]?.array)
            #expect(results.count == 2)
            #expect(results[0]["tokens"]?.array?.count == 2)
            #expect(
                results[0]["offsets"]?[1]
                    == .array([
                        .number(.init(text: "2", double: 2, isIntegerLiteral: true)),
                        .number(.init(text: "3", double: 3, isIntegerLiteral: true)),
                    ]))
        }
    }

    @Test func embeddings_AnswersInOpenAIShape_WhenFloatAndBase64() async throws {
        try await LiveService.with() { live in
            let reply = try await live.post("/v1/embeddings", #"{"input":["hello there","bye"],"model":"tiny"}"#)
            #expect(reply.status == 200)
            let json = try #require(reply.json)
            #expect(json["object"] == .string("list"))
            let data = try #require(json["data"]?.array)
            #expect(data.count == 2)
            #expect(data[1]["index"]?.number == 1)
            #expect(data[0]["object"] == .string("embedding"))
            let vector = data[0]["embedding"]?.floats ?? []
            #expect(vector.count == 32)
            #expect(abs(vector.reduce(0) { $0 + $1 * $1 } - 1) < 1e-4)
            #expect(json["usage"]?["prompt_tokens"] == json["usage"]?["total_tokens"])

            let b64 = try await live.post("/v1/embeddings", #"{"input":"hello there","encoding_format":"base64"}"#)
            #expect(b64.status == 200)
            let text = try #require(b64.json?["data"]?[0]?["embedding"]?.stringValue)
            let bytes = try #require(Data(base64Encoded: text))
            let decoded = bytes.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
            #expect(decoded == vector)

            let ids = try await live.post("/v1/embeddings", #"{"input":[[2,5,3],[2,6,3]]}"#)
            #expect(ids.status == 200)
            #expect(ids.json?["usage"]?["total_tokens"]?.number == 6)
        }
    }

    @Test func models_ListAndDescribeConfiguredModels() async throws {
        try await LiveService.with() { live in
            let list = try await live.call("GET", "/models")
            #expect(list.status == 200)
            #expect(list.json?["models"]?.array?.count == 2)
            let one = try await live.call("GET", "/models/tiny")
            #expect(one.status == 200)
            #expect(one.json?["architecture"]?["layers"]?.number == 3)
            #expect(one.json?["max_length"]?.number == 24)
            #expect(one.json?["pooling"] == .string("mean"))
            #expect(one.json?["source"] == .string("seeded"))
            let missing = try await live.call("GET", "/models/nope")
            #expect(missing.status == 404)
            #expect(missing.errorCode == "model_not_found")
        }
    }

    @Test func health_AnswersOK_AndReadyzWaitsForModels() async throws {
        var configuration = ServiceConfiguration()
        configuration.models = [.init(name: "tiny", source: .architecture(TestModels.configuration))]
        try await LiveService.with(models: nil, configure: { $0.models = configuration.models }) { live in
            #expect(try await live.call("GET", "/healthz").status == 200)
            let notReady = try await live.call("GET", "/readyz")
            #expect(notReady.status == 503)
            #expect(notReady.header("retry-after") == "1")
            let loading = try await live.post("/attend", #"{"text":"hi"}"#)
            #expect(loading.status == 503)
            #expect(loading.errorCode == "model_loading")
            live.app.loadModels()
            let ready = try await live.call("GET", "/readyz")
            #expect(ready.status == 200)
            #expect(try await live.post("/attend", #"{"text":"hi"}"#).status == 200)
        }
    }

    @Test func metrics_ExposeRequestsLatencyQueueBatchesAndTokens() async throws {
        try await LiveService.with() { live in
            _ = try await live.post("/attend", #"{"text":"hi"}"#)
            _ = try await live.call("GET", "/nowhere")
            let reply = try await live.call("GET", "/metrics")
            #expect(reply.status == 200)
            #expect(reply.header("content-type")?.hasPrefix("text/plain") == true)
            let text = reply.text
            #expect(text.contains(#"attend_http_requests_total{route="/attend",method="POST",status="200"} 1"#))
            #expect(text.contains(#"attend_http_requests_total{route="unmatched",method="GET",status="404"} 1"#))
            #expect(text.contains("attend_http_request_duration_seconds_bucket{route=\"/attend\",le=\"+Inf\"} 1"))
            #expect(text.contains("attend_queue_depth 0"))
            #expect(text.contains("attend_batch_sequences_count 1"))
            #expect(text.contains(#"attend_tokens_total{model="tiny"} 3"#))
        }
    }

    @Test func openAPI_DescribesEveryRoute() async throws {
        try await LiveService.with() { live in
            let reply = try await live.call("GET", "/openapi.json")
            #expect(reply.status == 200)
            let paths = try #require(reply.json?["paths"])
            for path in [
                "/attend", "/tokenize", "/v1/embeddings", "/models", "/models/{name}", "/healthz", "/readyz",
                "/metrics", "/openapi.json",
            ] {
                #expect(paths[path] != nil, "\(path)")
            }
            #expect(reply.json?["openapi"] == .string("3.1.0"))
        }
    }
}
