import AttendCore
import AttendHTTP
import Foundation
import JSON
import TestSupport
import Testing
import Transformer

/// Text pairs on `/attend` and `/tokenize`, and `"format": "bertviz"`, on a live service with the tiny model.
@Suite(.serialized) struct TextPairTests {
    static func ints(_ value: JSONValue?) -> [Int] { (value?.array ?? []).compactMap { $0.number.map { Int($0) } } }

    @Test func attend_EncodesAPairWithTokenTypes_WhenTextHoldsAPair() async throws {
        try await LiveService.with() { live in
            let reply = try await live.post("/attend", #"{"text":[["the dog ran","it was fast"],"one text"]}"#)
            #expect(reply.status == 200)
            let json = try #require(reply.json)
            let pair = try #require(json["results"]?[0])
            let tokenizer = TestModels.tiny.tokenizer
            let expected = tokenizer.encode("the dog ran", pair: "it was fast")
            #expect(Self.ints(pair["input_ids"]) == expected.ids.map(Int.init))
            #expect(Self.ints(pair["token_type_ids"]) == [0, 0, 0, 0, 0, 1, 1, 1, 1])
            #expect(pair["sentence_b_start"]?.number == 5)
            let sequences = try #require(pair["sequence_ids"]?.array)
            #expect(sequences.map { $0.number.map { Int($0) } } == [nil, 0, 0, 0, nil, 1, 1, 1, nil])
            // Offsets of the second text are relative to it: "it" is 0..<2 of "it was fast".
            #expect(Self.ints(pair["offsets"]?[5]) == [0, 2])
            // The maps are those of the encoder run with the pair's token types.
            let forward = try TestModels.tiny.encoder.forward(
                [EncoderInput(ids: expected.ids, typeIds: expected.typeIDs)],
                options: ForwardOptions(attentionLayers: [0]))
            let map = try #require(forward[0].attentions[0])
            let served = pair["attentions"]?[0]?[0]?[0]?.floats ?? []
            #expect(served.count == 9)
            #expect(zip(served, map.storage[0..<9]).allSatisfy { abs($0 - $1) <= 1e-6 })
            let untyped = try TestModels.tiny.encoder.forward(
                [EncoderInput(ids: expected.ids)], options: ForwardOptions(attentionLayers: [0]))
            #expect(try #require(untyped[0].attentions[0]).storage != map.storage)
            let single = try #require(json["results"]?[1])
            #expect(single["token_type_ids"] == nil && single["sentence_b_start"] == nil)
        }
    }

    @Test func attend_WritesPairFactsInMetadata_WhenSafetensorsAsked() async throws {
        try await LiveService.with() { live in
            let body = #"{"text":[["the dog ran","it was fast"],"one text"],"attentions":false"#
            let json = try #require(try await live.post("/attend", body + "}").json)
            let reply = try await live.post("/attend", body + #","format":"safetensors"}"#)
            #expect(reply.status == 200)
            let file = try SafetensorsFile(bytes: reply.body, path: "response")
            let pair = try #require(json["results"]?[0])
            let types = try JSONParser().parse(try #require(file.metadata["results.0.token_type_ids"]))
            #expect(Self.ints(types) == Self.ints(pair["token_type_ids"]))
            let sequences = try JSONParser().parse(try #require(file.metadata["results.0.sequence_ids"]))
            #expect(sequences == pair["sequence_ids"])
            #expect(file.metadata["results.0.sentence_b_start"] == "5")
            #expect(file.metadata["results.1.token_type_ids"] == nil)
            #expect(file.metadata["results.1.sentence_b_start"] == nil)
        }
    }

    @Test func attend_SameAnswer_WhenTextPairGivesTheSecondTexts() async throws {
        try await LiveService.with() { live in
            let inside = try await live.post("/attend", #"{"text":[["a b","c d e"]],"attentions":false}"#)
            let beside = try await live.post(
                "/attend", #"{"text":["a b"],"text_pair":["c d e"],"attentions":false}"#)
            let scalar = try await live.post("/attend", #"{"text":"a b","text_pair":"c d e","attentions":false}"#)
            #expect(inside.status == 200 && beside.status == 200 && scalar.status == 200)
            #expect(inside.body == beside.body)
            #expect(inside.body == scalar.body)
        }
    }

    @Test func attend_Refuses422_WhenPairsAreAmbiguous() async throws {
        try await LiveService.with() { live in
            for body in [
                #"{"text":[["a","b"]],"text_pair":["c"]}"#, #"{"text":["a","b"],"text_pair":["c"]}"#,
                #"{"text":"a","text_pair":["c"]}"#, #"{"tokens":["a"],"text_pair":"c"}"#,
            ] {
                let reply = try await live.post("/attend", body)
                #expect(reply.status == 422, "\(body)")
                #expect(reply.json?["error"]?["code"]?.stringValue == "ambiguous_input", "\(body)")
            }
            for body in [#"{"text":[["a","b","c"]]}"#, #"{"text":[["a",1]]}"#, #"{"text":"a","text_pair":3}"#] {
                let reply = try await live.post("/attend", body)
                #expect(reply.status == 400, "\(body)")
            }
            let empty = try await live.post("/attend", #"{"text":[["a"," "]]}"#)
            #expect(empty.status == 400)
            #expect(empty.json?["error"]?["message"]?.stringValue?.contains("second text") == true)
        }
    }

    @Test func attend_TruncatesLongestFirst_WhenAPairIsTooLong() async throws {
        try await LiveService.with() { live in
            // The tiny model takes 24 positions: 21 for the texts, the longer one cut first.
            let long = Array(repeating: "w", count: 30).joined(separator: " ")
            let reply = try await live.post(
                "/tokenize", #"{"text":[["a b c","\#(long)"]],"truncate":true}"#)
            #expect(reply.status == 200)
            let result = try #require(reply.json?["results"]?[0])
            let types = Self.ints(result["token_type_ids"])
            #expect(types.count == 24)
            #expect(types.filter { $0 == 0 }.count == 5)  // [CLS] a b c [SEP]
            #expect(result["sentence_b_start"]?.number == 5)
            let refused = try await live.post("/tokenize", #"{"text":[["a b c","\#(long)"]]}"#)
            #expect(refused.status == 422)
        }
    }

    @Test func attend_ReturnsWhatBertvizTakes_WhenFormatBertviz() async throws {
        try await LiveService.with() { live in
            let reply = try await live.post("/attend", #"{"text":[["the dog","it ran"],"solo"],"format":"bertviz"}"#)
            #expect(reply.status == 200)
            #expect(reply.header("content-type") == "application/json")
            let answer = try #require(reply.json?.array)
            #expect(answer.count == 2)
            let first = answer[0]
            guard case .object(let members) = first else { throw Failure("not an object") }
            #expect(members.map(\.key) == ["attention", "tokens", "sentence_b_start"])
            let n = try #require(first["tokens"]?.array?.count)
            #expect(first["sentence_b_start"]?.number == 4)
            let layers = try #require(first["attention"]?.array)
            #expect(layers.count == 3)
            for layer in layers {
                #expect(layer.array?.count == 1)
                let heads = layer[0]?.array ?? []
                #expect(heads.count == 4)
                for head in heads {
                    #expect(head.array?.count == n)
                    for row in head.array ?? [] { #expect(abs(row.floats.reduce(0, +) - 1) < 1e-4) }
                }
            }
            #expect(answer[1]["sentence_b_start"] == .null)
            for body in [
                #"{"text":"a","format":"bertviz","layers":[0]}"#, #"{"text":"a","format":"bertviz","heads":[1,0]}"#,
                #"{"text":"a","format":"bertviz","top_k":2}"#, #"{"text":"a","format":"bertviz","analysis":true}"#,
            ] {
                let refused = try await live.post("/attend", body)
                #expect(refused.status == 422, "\(body)")
                #expect(refused.json?["error"]?["message"]?.stringValue?.contains("bertviz") == true)
            }
            let all = try await live.post("/attend", #"{"text":"a","format":"bertviz","layers":[0,1,2]}"#)
            #expect(all.status == 200)
        }
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }
}
