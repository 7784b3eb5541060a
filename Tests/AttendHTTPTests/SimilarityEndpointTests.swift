import AttendCore
import JSON
import TestSupport
import Testing

@testable import AttendHTTP

/// `POST /similarity` in Attend's form (`a`, `b`, `explain`, `per_layer`) against a live service, and its dispatch
/// next to TEI's form on the same path.
@Suite struct SimilarityEndpointTests {
    func doubles(_ value: JSONValue?) -> [Double] { (value?.array ?? []).compactMap(\.number) }
    func matrix(_ value: JSONValue?) -> [[Double]] { (value?.array ?? []).map(doubles) }
    func total(_ m: [[Double]]) -> Double { m.reduce(0) { $0 + $1.reduce(0, +) } }
    /// S_in = R_aᵀ S R_b, written out from the definition.
    func carryBack(_ s: [[Double]], _ ra: [[Double]], _ rb: [[Double]]) -> [[Double]] {
        let (n, m) = (s.count, s.first?.count ?? 0)
        return (0..<n).map { p in
            (0..<m).map { q in
                var x = 0.0
                for i in 0..<n {
                    for j in 0..<m { x += ra[i][p] * s[i][j] * rb[j][q] }
                }
                return x
            }
        }
    }

    func expectError(
        _ reply: LoopbackClient.Reply, _ status: Int, _ code: String, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(reply.status == status, "\(reply.text)", sourceLocation: sourceLocation)
        #expect(reply.errorCode == code, "\(reply.text)", sourceLocation: sourceLocation)
    }

    @Test func similarity_ReturnsMatricesThatSumToTheCosine_WhenExplained() async throws {
        try await LiveService.with { live in
            let body =
                #"{"a":"the dog chased the ball","b":["the dog chased the ball","a cat sat"],"#
                + #""explain":true,"per_layer":true}"#
            let reply = try await live.post("/similarity", body)
            #expect(reply.status == 200, "\(reply.text)")
            let json = try #require(reply.json)
            #expect(json["model"] == .string("tiny"))
            #expect(json["pooling"] == .string("mean"))
            #expect(json["measure"] == .string("attention_rollout"))
            let aTokens = json["a"]?["tokens"]?.array ?? []
            #expect(json["a"]?["offsets"]?.array?.count == aTokens.count && !aTokens.isEmpty)
            let results = json["results"]?.array ?? []
            #expect(results.count == 2)
            #expect(abs((results.first?["cosine"]?.number ?? 0) - 1) < 1e-5, "a text with itself")
            var maxDeviation = 0.0
            for result in results {
                let cosine = try #require(result["cosine"]?.number)
                let m = result["b"]?["tokens"]?.array?.count ?? 0
                #expect(result["b"]?["offsets"]?.array?.count == m)
                let s = matrix(result["matrix"])
                let input = matrix(result["input_matrix"])
                #expect(s.count == aTokens.count && s.allSatisfy { $0.count == m })
                #expect(input.count == aTokens.count && input.allSatisfy { $0.count == m })
                let layers = doubles(result["per_layer"])
                #expect(layers.count == TestModels.configuration.layers + 1)
                #expect(abs((layers.last ?? 0) - cosine) < 1e-5, "the last layer's cosine is the cosine")
                maxDeviation = max(maxDeviation, abs(total(s) - cosine), abs(total(input) - cosine))
            }
            print("[similarity] live tiny: max |Σ S − cos|, |Σ S_in − cos| = \(maxDeviation)")
            #expect(maxDeviation < 1e-5)
            #expect(reply.header("X-Attend-Tokens") != nil)
        }
    }

    /// The token matrix and its carry-back recomputed here from what `/attend` returns for the same texts (the
    /// last hidden state and the rollout over every layer): the route uses the same pass and the same rollout.
    @Test func similarity_MatchesAttendsEmbeddingsAndRollout_WhenRecomputed() async throws {
        try await LiveService.with { live in
            let texts = ["the dog chased the ball", "a cat sat on it"]
            let reply = try await live.post(
                "/similarity", #"{"a":"\#(texts[0])","b":"\#(texts[1])","explain":true}"#)
            let result = try #require(reply.json?["results"]?[0])
            var states: [[[Double]]] = []
            var rollouts: [[[Double]]] = []
            for text in texts {
                let attend = try await live.post("/attend", #"{"text":"\#(text)","attentions":false,"analysis":true}"#)
                let first = try #require(attend.json?["results"]?[0])
                states.append(matrix(first["embeddings"]))
                rollouts.append(matrix(first["analysis"]?["rollout"]))
            }
            let (h, g) = (states[0], states[1])
            let (n, m, d) = (h.count, g.count, h.first?.count ?? 0)
            let mean = { (x: [[Double]]) in (0..<d).map { k in x.reduce(0) { $0 + $1[k] } / Double(x.count) } }
            let (pa, pb) = (mean(h), mean(g))
            let norms = pa.reduce(0) { $0 + $1 * $1 }.squareRoot() * pb.reduce(0) { $0 + $1 * $1 }.squareRoot()
            let cosine = zip(pa, pb).reduce(0) { $0 + $1.0 * $1.1 } / norms
            var s = [[Double]](repeating: [Double](repeating: 0, count: m), count: n)
            for i in 0..<n {
                for j in 0..<m { s[i][j] = zip(h[i], g[j]).reduce(0) { $0 + $1.0 * $1.1 } / (Double(n * m) * norms) }
            }
            // S_in = R_aᵀ S R_b
            let input = carryBack(s, rollouts[0], rollouts[1])
            let served = matrix(result["matrix"])
            let servedInput = matrix(result["input_matrix"])
            #expect(served.count == n && servedInput.count == n)
            let sDeviation = zip(served.joined(), s.joined()).map { abs($0 - $1) }.max() ?? .infinity
            let inDeviation = zip(servedInput.joined(), input.joined()).map { abs($0 - $1) }.max() ?? .infinity
            let cosDeviation = abs((result["cosine"]?.number ?? .infinity) - cosine)
            print("[similarity] vs /attend: max |Δ| cosine \(cosDeviation), S \(sDeviation), S_in \(inDeviation)")
            #expect(cosDeviation < 1e-5 && sDeviation < 1e-5 && inDeviation < 1e-5)
        }
    }

    /// `measure: alti / globenc`: the carry-back uses that measure's rollout, the one `/attend` returns for
    /// `"contributions": [measure], "contribution_rollout": true` over every layer; the sum stays the cosine.
    @Test(arguments: ["alti", "globenc"])
    func similarity_CarriesBackThroughContributionRollout_WhenMeasureIsAContribution(measure: String) async throws {
        try await LiveService.with { live in
            let texts = ["the dog chased the ball", "a cat sat on it"]
            let reply = try await live.post(
                "/similarity", #"{"a":"\#(texts[0])","b":"\#(texts[1])","explain":true,"measure":"\#(measure)"}"#)
            #expect(reply.status == 200, "\(reply.text)")
            #expect(reply.json?["measure"] == .string(measure))
            let result = try #require(reply.json?["results"]?[0])
            var rollouts: [[[Double]]] = []
            for text in texts {
                let attend = try await live.post(
                    "/attend",
                    #"{"text":"\#(text)","attentions":false,"contributions":["\#(measure)"],"#
                        + #""contribution_rollout":true}"#)
                let first = try #require(attend.json?["results"]?[0], "\(attend.text)")
                rollouts.append(matrix(first["contributions"]?[measure]?["rollout"]))
            }
            let s = matrix(result["matrix"])
            let (n, m) = (s.count, s.first?.count ?? 0)
            #expect(rollouts[0].count == n && rollouts[1].count == m)
            let input = carryBack(s, rollouts[0], rollouts[1])
            let served = matrix(result["input_matrix"])
            #expect(served.count == n)
            let deviation = zip(served.joined(), input.joined()).map { abs($0 - $1) }.max() ?? .infinity
            let cosine = try #require(result["cosine"]?.number)
            print("[similarity] \(measure) carry-back vs /attend rollout: max |Δ| \(deviation)")
            #expect(deviation < 1e-5)
            #expect(abs(total(served) - cosine) < 1e-5)
        }
    }

    @Test func similarity_AgreesWithTEIsForm_WhenGivenTheSameTexts() async throws {
        try await LiveService.with { live in
            let tei = try await live.post(
                "/similarity", #"{"inputs":{"source_sentence":"hello there","sentences":["bye now","hello"]}}"#)
            let attend = try await live.post("/similarity", #"{"a":"hello there","b":["bye now","hello"]}"#)
            #expect(tei.status == 200 && attend.status == 200, "\(tei.text) \(attend.text)")
            let scores = tei.json?.floats ?? []
            let results = attend.json?["results"]?.array ?? []
            #expect(scores.count == 2 && results.count == 2)
            for (score, result) in zip(scores, results) {
                #expect(abs(Double(score) - (result["cosine"]?.number ?? 0)) < 1e-5)
                #expect(result["matrix"] == nil && result["per_layer"] == nil, "only the cosine unless asked")
            }
            #expect(attend.json?["measure"] == nil)
        }
    }

    /// TEI's form on `/similarity` answers byte for byte what TEI's handler answers on `POST /` (which never
    /// dispatches to Attend's form), for an answer and for an error.
    @Test func similarity_AnswersTEIsBytes_WhenTheBodyIsTEIs() async throws {
        try await LiveService.with { live in
            for body in [
                #"{"inputs":{"source_sentence":"hello there","sentences":["bye now","hello"]}}"#,
                #"{"inputs":{"source_sentence":"a"}}"#, #"{"inputs":{"source_sentence":"a","sentences":["b"]},"x":1}"#,
                #"{"inputs":{"source_sentence":"a","sentences":["b"]},"parameters":{"truncate":true}}"#,
            ] {
                let route = try await live.post("/similarity", body)
                let root = try await live.post("/", body)
                #expect(route.status == root.status && route.body == root.body, "\(body): \(route.text)")
                #expect(route.header("Content-Type") == root.header("Content-Type"))
            }
        }
    }

    @Test func similarity_AnswersOneResult_WhenBIsAString() async throws {
        try await LiveService.with { live in
            let reply = try await live.post("/similarity", #"{"model":"other","a":"x y","b":"y z","per_layer":true}"#)
            #expect(reply.status == 200, "\(reply.text)")
            #expect(reply.json?["model"] == .string("other"))
            #expect(reply.json?["results"]?.array?.count == 1)
            #expect(reply.json?["results"]?[0]?["per_layer"]?.array?.count == 3)
        }
    }

    @Test func similarity_RunsAAndEveryBInOneBatch_WhenCompared() async throws {
        let events = EventLog<Batcher.Event>()
        try await LiveService.with(batchEvents: events) { live in
            let reply = try await live.post("/similarity", #"{"a":"one two","b":["three","four five","six"]}"#)
            #expect(reply.status == 200, "\(reply.text)")
            let passes = events.all.compactMap { event -> Int? in
                if case .passStarted(_, let sequences, _) = event { return sequences }
                return nil
            }
            #expect(passes == [4], "a and the three b texts in one pass: \(passes)")
        }
    }

    @Test func similarity_Answers422_WhenTheBodyHasBothFormsOrNeither() async throws {
        try await LiveService.with { live in
            let both = try await live.post(
                "/similarity", #"{"inputs":{"source_sentence":"a","sentences":["b"]},"a":"x","b":"y"}"#)
            expectError(both, 422, "ambiguous_form")
            #expect(both.text.contains("both"))
            let neither = try await live.post("/similarity", #"{"explain":true}"#)
            expectError(neither, 422, "ambiguous_form")
            #expect(neither.text.contains("neither"))
            // TEI's form and bodies that are no JSON object keep TEI's error shape.
            let tei = try await live.post("/similarity", #"{"inputs":{"source_sentence":"a"}}"#)
            #expect(tei.status == 422 && tei.json?["error_type"] == .string("validation"), "\(tei.text)")
            let malformed = try await live.post("/similarity", #"{"a":"#)
            #expect(malformed.status == 422 && malformed.json?["error_type"] == .string("validation"))
        }
    }

    @Test func similarity_RefusesBadMembers_InAttendsShape() async throws {
        try await LiveService.with { live in
            expectError(try await live.post("/similarity", #"{"a":"x"}"#), 400, "invalid_request")
            expectError(try await live.post("/similarity", #"{"b":"x"}"#), 400, "invalid_request")
            expectError(try await live.post("/similarity", #"{"a":"x","b":[]}"#), 400, "invalid_request")
            expectError(try await live.post("/similarity", #"{"a":"x","b":[1]}"#), 400, "invalid_request")
            expectError(try await live.post("/similarity", #"{"a":"x","b":"y","nope":1}"#), 400, "unknown_field")
            expectError(
                try await live.post("/similarity", #"{"a":"x","b":"y","measure":"magic"}"#), 400, "invalid_request")
            expectError(
                try await live.post("/similarity", #"{"a":"x","b":"y","model":"none"}"#), 404, "model_not_found")
            let many =
                "[" + Array(repeating: #""w""#, count: SimilarityRequest.maxComparisons + 1).joined(separator: ",")
                + "]"
            let tooMany = try await live.post("/similarity", #"{"a":"x","b":\#(many)}"#)
            expectError(tooMany, 413, "request_too_large")
            #expect(tooMany.text.contains("\(SimilarityRequest.maxComparisons)"))
            let most =
                "[" + Array(repeating: #""w""#, count: SimilarityRequest.maxComparisons).joined(separator: ",")
                + "]"
            #expect(try await live.post("/similarity", #"{"a":"x","b":\#(most)}"#).status == 200)
        }
    }

    @Test func estimate_CoversTheAnswer_WhenEverythingIsAsked() async throws {
        try await LiveService.with { live in
            var typed = SimilarityRequest(
                a: "the dog chased the ball because it was fast", b: ["a cat", "é \"quoted\" ünïcode", "x y z w"])
            typed.explain = true
            typed.perLayer = true
            let job = try await live.app.engine.prepare(typed)
            let body =
                #"{"a":"the dog chased the ball because it was fast","#
                + #""b":["a cat","é \"quoted\" ünïcode","x y z w"],"explain":true,"per_layer":true}"#
            let reply = try await live.post("/similarity", body)
            #expect(reply.status == 200, "\(reply.text)")
            print("[similarity] answer \(reply.body.count) bytes, estimate \(job.estimate.responseBytes)")
            #expect(reply.body.count <= job.estimate.responseBytes)
        }
    }

    @Test func similarity_CutsLongTexts_OnlyWhenTruncateIsSet() async throws {
        try await LiveService.with { live in
            let long = Array(repeating: "word", count: TestModels.configuration.maxPositions + 5).joined(separator: " ")
            let refused = try await live.post("/similarity", #"{"a":"\#(long)","b":"x"}"#)
            expectError(refused, 422, "sequence_too_long")
            let cut = try await live.post("/similarity", #"{"a":"\#(long)","b":"x","truncate":true,"explain":true}"#)
            #expect(cut.status == 200, "\(cut.text)")
            #expect(cut.json?["a"]?["tokens"]?.array?.count == TestModels.configuration.maxPositions)
        }
    }

    @Test func similarity_CountsTheMatricesInTheEstimate_WhenExplained() async throws {
        try await LiveService.with(configure: { $0.server.maxResponseBytes = 3000 }) { live in
            let words = "one two three four five six seven eight nine ten"
            let body = #"{"a":"\#(words)","b":"\#(words)""#
            #expect(try await live.post("/similarity", body + "}").status == 200)
            let explained = try await live.post("/similarity", body + #","explain":true}"#)
            expectError(explained, 422, "response_too_large")
            #expect(explained.text.contains("explain"))
        }
    }
}
