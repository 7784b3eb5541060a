import AttendCore
import Foundation
import JSON
import TestSupport
import Testing
import Transformer

@testable import AttendHTTP

/// text-embeddings-inference's routes end to end: each route's request and response shape, left truncation,
/// and TEI's error shape and statuses.
@Suite(.serialized) struct TEICompatibilityTests {
    func matrix(_ value: JSONValue?) -> [[Float]] { (value?.array ?? []).map(\.floats) }

    func expectTEIError(
        _ reply: LoopbackClient.Reply, _ status: Int, _ type: String, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(reply.status == status, "\(reply.text)", sourceLocation: sourceLocation)
        #expect(reply.json?["error"]?.stringValue?.isEmpty == false, "\(reply.text)", sourceLocation: sourceLocation)
        #expect(reply.json?["error_type"] == .string(type), "\(reply.text)", sourceLocation: sourceLocation)
    }

    @Test func embed_AnswersListOfVectors_LikeOpenAIRoute() async throws {
        try await LiveService.with { live in
            let tei = try await live.post("/embed", #"{"inputs":["hello there","bye"]}"#)
            #expect(tei.status == 200, "\(tei.text)")
            let vectors = matrix(tei.json)
            #expect(vectors.count == 2 && vectors[0].count == 32)
            let openAI = try await live.post("/v1/embeddings", #"{"input":["hello there","bye"]}"#)
            #expect(vectors[0] == openAI.json?["data"]?[0]?["embedding"]?.floats)
            let single = matrix(try await live.post("/embed", #"{"inputs":"hello there"}"#).json)
            #expect(single == [vectors[0]])
            let root = matrix(try await live.post("/", #"{"inputs":"hello there","normalize":true}"#).json)
            #expect(root == [vectors[0]])
            // normalize: false gives the raw mean (same direction, not unit length).
            let raw = matrix(try await live.post("/embed", #"{"inputs":"hello there","normalize":false}"#).json)[0]
            let norm = raw.reduce(0) { $0 + $1 * $1 }.squareRoot()
            #expect(abs(norm - 1) > 1e-3)
            for (a, b) in zip(raw, vectors[0]) { #expect(abs(a / norm - b) < 1e-5) }
        }
    }

    @Test func embed_TruncatesLeftKeepingCLS_WhenDirectionLeft() async throws {
        try await LiveService.with { live in
            let words = (1...40).map { "w\($0)" }.joined(separator: " ")
            expectTEIError(try await live.post("/embed", #"{"inputs":"\#(words)"}"#), 413, "validation")
            let right = try await live.post("/embed", #"{"inputs":"\#(words)","truncate":true}"#)
            let left = try await live.post(
                "/embed", #"{"inputs":"\#(words)","truncate":true,"truncation_direction":"Left"}"#)
            #expect(right.status == 200 && left.status == 200, "\(left.text)")
            #expect(matrix(right.json) != matrix(left.json))
            // The core keeps [CLS] and the last tokens.
            let reader = SequenceReader(
                model: TestModels.tiny, truncate: true, direction: .left,
                limits: RequestLimits(maxTokens: 10_000, maxSequences: 10))
            let full = TestModels.tiny.tokenizer.encode(words, addSpecialTokens: true)
            let cut = try reader.read(.texts([words])).encodings[0]
            let n = TestModels.configuration.maxPositions
            #expect(cut.count == n)
            #expect(cut.ids[0] == full.ids[0] && cut.specialTokensMask[0])
            #expect(Array(cut.ids[1...]) == Array(full.ids.suffix(n - 1)))
            let all = try await live.post(
                "/embed_all", #"{"inputs":"\#(words)","truncate":true,"truncation_direction":"left"}"#)
            #expect(all.json?[0]?.array?.count == n)
        }
    }

    @Test func embedAll_AnswersEveryTokensVector() async throws {
        try await LiveService.with { live in
            let reply = try await live.post("/embed_all", #"{"inputs":["hello there","bye"]}"#)
            #expect(reply.status == 200, "\(reply.text)")
            let first = try #require(reply.json?[0]?.array)
            let tokens = try await live.post("/tokenize", #"{"text":"hello there"}"#)
            #expect(first.count == tokens.json?["results"]?[0]?["input_ids"]?.array?.count)
            #expect(first[0].floats.count == 32)
            let attend = try await live.post("/attend", #"{"text":"hello there","attentions":false}"#)
            #expect(matrix(reply.json?[0]) == matrix(attend.json?["results"]?[0]?["embeddings"]))
        }
    }

    @Test func tokenize_AnswersTEIShape_WhenBodyHasInputs() async throws {
        try await LiveService.with { live in
            let reply = try await live.post("/tokenize", #"{"inputs":"héllo there"}"#)
            #expect(reply.status == 200, "\(reply.text)")
            let tokens = try #require(reply.json?[0]?.array)
            let attend = try await live.post("/tokenize", #"{"text":"héllo there"}"#)
            let ids = attend.json?["results"]?[0]?["input_ids"]?.array ?? []
            #expect(tokens.map { $0["id"] } == ids)
            #expect(tokens.first?["special"] == .bool(true) && tokens.first?["start"] == .null)
            let bytes = Array("héllo there".utf8)
            for token in tokens where token["special"] == .bool(false) {
                let start = Int(token["start"]?.number ?? -1)
                let stop = Int(token["stop"]?.number ?? -1)
                #expect(String(decoding: bytes[start..<stop], as: UTF8.self) == token["text"]?.stringValue)
            }
            let batch = try await live.post("/tokenize", #"{"inputs":["a","b c"],"add_special_tokens":false}"#)
            #expect(batch.json?.array?.count == 2 && batch.json?[1]?.array?.count == 2)
            expectTEIError(try await live.post("/tokenize", #"{"inputs":"a","nope":1}"#), 422, "validation")
        }
    }

    @Test func decode_AnswersTexts() async throws {
        try await LiveService.with { live in
            let tokens = try await live.post("/tokenize", #"{"text":"hello there"}"#)
            let ids = tokens.json?["results"]?[0]?["input_ids"]?.array?.compactMap { $0.number.map { Int($0) } } ?? []
            let list = "[" + ids.map(String.init).joined(separator: ",") + "]"
            let one = try await live.post("/decode", #"{"ids":\#(list)}"#)
            #expect(one.status == 200, "\(one.text)")
            #expect(one.json?.array?.count == 1)
            let kept = try await live.post("/decode", #"{"ids":[\#(list),\#(list)],"skip_special_tokens":false}"#)
            #expect(kept.json?.array?.count == 2)
            expectTEIError(try await live.post("/decode", #"{"ids":[1,99999]}"#), 422, "validation")
        }
        let wordPiece = try WordPieceTokenizer(
            vocabulary: ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "hello", "##s", "there", "!", "a"])
        #expect(wordPiece.decode(ids: [2, 5, 6, 7, 8, 3], skipSpecialTokens: true) == "hellos there!")
        #expect(wordPiece.decode(ids: [2, 9, 3], skipSpecialTokens: false) == "[CLS] a [SEP]")
    }

    @Test func similarity_AnswersCosines_OnRouteAndRoot() async throws {
        try await LiveService.with { live in
            let body = #"{"inputs":{"source_sentence":"hello there","sentences":["hello there","bye","x y z"]}}"#
            let reply = try await live.post("/similarity", body)
            #expect(reply.status == 200, "\(reply.text)")
            let scores = reply.json?.floats ?? []
            #expect(scores.count == 3 && abs(scores[0] - 1) < 1e-5)
            let vectors = matrix(try await live.post("/embed", #"{"inputs":["hello there","bye"]}"#).json)
            let cosine = zip(vectors[0], vectors[1]).reduce(Float(0)) { $0 + $1.0 * $1.1 }
            #expect(abs(scores[1] - cosine) < 1e-5)
            let root = try await live.post(
                "/", #"{"inputs":{"source_sentence":"hello there","sentences":["bye"]},"parameters":{}}"#)
            #expect(root.json?.floats.count == 1 && abs((root.json?.floats.first ?? 0) - cosine) < 1e-5)
            expectTEIError(
                try await live.post("/similarity", #"{"inputs":{"source_sentence":"a"}}"#), 422, "validation")
        }
    }

    @Test func infoAndHealth_DescribeTheServedModel() async throws {
        try await LiveService.with { live in
            let info = try await live.call("GET", "/info")
            #expect(info.status == 200)
            let json = try #require(info.json)
            #expect(json["model_id"] == .string("tiny"))
            #expect(json["model_type"]?["embedding"]?["pooling"] == .string("mean"))
            #expect(json["max_input_length"]?.number == 24)
            #expect(json["model_dtype"] == .string("float32"))
            for key in ["max_batch_tokens", "max_concurrent_requests", "max_client_batch_size", "tokenization_workers"]
            {
                #expect(json[key]?.number != nil, "\(key)")
            }
            let health = try await live.call("GET", "/health")
            #expect(health.status == 200 && health.body.isEmpty)
        }
        let entry = ServiceConfiguration.ModelEntry(name: "m", source: .architecture(TestModels.configuration))
        let loading = try LiveService.start(models: nil) { $0.models = [entry] }
        expectTEIError(try await loading.call("GET", "/health"), 503, "unhealthy")
        await loading.stop()
    }

    @Test func errors_AreInTEIShapeWithTEIStatuses() async throws {
        try await LiveService.with(configure: { $0.compute.maxRequestSequences = 2 }) { live in
            expectTEIError(try await live.post("/embed", #"{"inputs":"a""#), 422, "validation")
            expectTEIError(try await live.post("/embed", #"{"inputs":""}"#), 400, "empty")
            expectTEIError(try await live.post("/embed", #"{"inputs":["a","b","c"]}"#), 413, "validation")
            expectTEIError(try await live.post("/embed", #"{"inputs":"a","prompt_name":"query"}"#), 422, "validation")
            expectTEIError(
                try await live.post("/embed", #"{"inputs":"a","truncation_direction":"Up"}"#), 422, "validation")
            expectTEIError(try await live.post("/embed", #"{"inputs":"a","dimensions":8}"#), 422, "validation")
            expectTEIError(try await live.call("GET", "/embed"), 405, "method_not_allowed")
            expectTEIError(
                try await live.call("POST", "/embed", json: #"{"inputs":"a"}"#, contentType: "text/plain"), 415,
                "unsupported_media_type")
        }
        try await LiveService.with(configure: { $0.server.apiKeys = ["k"] }) { live in
            expectTEIError(try await live.post("/", #"{"inputs":"a"}"#), 401, "unauthorized")
            #expect(try await live.call("GET", "/").status == 200)
            #expect(try await live.call("GET", "/health").status == 200)
            #expect(try await live.post("/embed", #"{"inputs":"a"}"#, headers: [("X-API-Key", "k")]).status == 200)
        }
    }
}
