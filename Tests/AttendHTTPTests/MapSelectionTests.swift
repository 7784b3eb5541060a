import AttendCore
import Foundation
import JSON
import TestSupport
import Testing
import Transformer

@testable import AttendCore
@testable import AttendHTTP

/// `"rows"`, `"top_k"` and `"threshold"` (README "POST /attend", "Binary output").
@Suite(.serialized) struct MapSelectionTests {
    static let text = #""text":"the dog chased the ball because it was fast""#

    /// [layer][head][row][key] of a JSON answer's first result.
    static func maps(_ json: JSONValue) -> [[[[Float]]]] {
        (json["results"]?[0]?["attentions"]?.array ?? []).map { layer in
            (layer.array ?? []).map { head in (head.array ?? []).map(\.floats) }
        }
    }

    @Test func rows_ReturnOnlyThoseQueryRows_InJSONAndBinary() async throws {
        try await LiveService.with() { live in
            let full = Self.maps(try #require(try await live.post("/attend", "{\(Self.text)}").json))
            let n = full[0][0].count
            let body = "{\(Self.text),\"rows\":[-1,0,-1],\"heads\":[2,0]"
            let json = try #require(try await live.post("/attend", body + "}").json)
            #expect(json["results"]?[0]?["rows"] == (try JSONParser().parse(Array("[\(n - 1),0]".utf8))))
            let picked = Self.maps(json)
            #expect(picked.count == 3)
            for layer in 0..<3 {
                #expect(picked[layer] == [2, 0].map { [full[layer][$0][n - 1], full[layer][$0][0]] })
            }
            let binary = try SafetensorsFile(
                bytes: try await live.post("/attend", body + #","format":"safetensors"}"#).body, path: "answer")
            #expect(binary.metadata["results.0.rows"] == "[\(n - 1),0]")
            for layer in 0..<3 {
                let map = try binary.tensor("results.0.attentions.\(layer)", shape: [2, 2, n])
                #expect(map.storage == picked[layer].flatMap { $0.flatMap { $0 } })
            }
        }
    }

    @Test func topK_KeepsTheLargestKeysAndTheDroppedMass_InJSONAndBinary() async throws {
        try await LiveService.with() { live in
            let full = Self.maps(try #require(try await live.post("/attend", "{\(Self.text)}").json))
            let n = full[0][0].count
            let body = "{\(Self.text),\"top_k\":3,\"rows\":[1,2],\"layers\":[-1]"
            let json = try #require(try await live.post("/attend", body + "}").json)
            let heads = try #require(json["results"]?[0]?["attentions"]?[0]?.array)
            #expect(heads.count == 4)
            var indices: [Int32] = []
            var values: [Float] = []
            var dropped: [Float] = []
            for (h, head) in heads.enumerated() {
                for (r, row) in (head.array ?? []).enumerated() {
                    let weights = full[2][h][r + 1]
                    let expected = weights.indices.sorted {
                        weights[$0] > weights[$1] || (weights[$0] == weights[$1] && $0 < $1)
                    }
                    .prefix(3)
                    let got = (row["indices"]?.array ?? []).compactMap { $0.number.map { Int($0) } }
                    #expect(got == Array(expected))
                    #expect(row["values"]?.floats == expected.map { weights[$0] })
                    let mass = try #require(row["dropped"]?.number)
                    let rest = weights.indices.filter { !expected.contains($0) }.reduce(0.0) {
                        $0 + Double(weights[$1])
                    }
                    #expect(abs(mass - rest) < 1e-6)
                    indices += got.map(Int32.init)
                    values += row["values"]?.floats ?? []
                    dropped.append(Float(mass))
                }
            }
            let reply = try await live.post("/attend", body + #","format":"safetensors"}"#)
            let file = try SafetensorsFile(bytes: reply.body, path: "answer")
            #expect(file.entries["results.0.attentions.2.indices"]?.dtype == .i32)
            #expect(file.entries["results.0.attentions.2.indices"]?.shape == [4, 2, 3])
            #expect(try file.tensor("results.0.attentions.2.values", shape: [4, 2, 3]).storage == values)
            #expect(try file.tensor("results.0.attentions.2.dropped", shape: [4, 2]).storage == dropped)
            #expect(Self.int32s(file, reply.body, "results.0.attentions.2.indices") == indices)
            #expect(file.metadata["top_k"] == "3")
            _ = n
        }
    }

    @Test func threshold_KeepsTheKeysAboveIt_AsCSRInBinary() async throws {
        try await LiveService.with() { live in
            let full = Self.maps(try #require(try await live.post("/attend", "{\(Self.text)}").json))
            let n = full[0][0].count
            let body = "{\(Self.text),\"threshold\":0.1,\"layers\":[0],\"heads\":[1]"
            let json = try #require(try await live.post("/attend", body + "}").json)
            let rows = try #require(json["results"]?[0]?["attentions"]?[0]?[0]?.array)
            #expect(rows.count == n)
            var indptr: [Int32] = [0]
            var values: [Float] = []
            for (r, row) in rows.enumerated() {
                let kept = row["values"]?.floats ?? []
                #expect(kept.allSatisfy { $0 >= 0.1 })
                #expect(kept.count == full[0][1][r].filter { $0 >= 0.1 }.count)
                #expect(kept == kept.sorted(by: >))
                values += kept
                indptr.append(indptr.last! + Int32(kept.count))
            }
            let reply = try await live.post("/attend", body + #","format":"safetensors"}"#)
            let file = try SafetensorsFile(bytes: reply.body, path: "answer")
            #expect(Self.int32s(file, reply.body, "results.0.attentions.0.indptr") == indptr)
            #expect(try file.tensor("results.0.attentions.0.values", shape: [values.count]).storage == values)
            #expect(file.entries["results.0.attentions.0.dropped"]?.shape == [1, n])
        }
    }

    @Test func selection_AnswersErrors_WhenMisused() async throws {
        try await LiveService.with() { live in
            let both = try await live.post("/attend", "{\(Self.text),\"top_k\":2,\"threshold\":0.5}")
            #expect(both.status == 400)
            let noMaps = try await live.post("/attend", "{\(Self.text),\"top_k\":2,\"attentions\":false}")
            #expect(noMaps.status == 400)
            let zero = try await live.post("/attend", "{\(Self.text),\"top_k\":0}")
            #expect(zero.status == 400)
            let above = try await live.post("/attend", "{\(Self.text),\"threshold\":1.5}")
            #expect(above.status == 400)
            let outside = try await live.post("/attend", #"{"input_ids":[[2,17,3],[2,3]],"rows":[2]}"#)
            #expect(outside.status == 422)
            #expect(outside.errorCode == "unsupported")
        }
    }

    /// Two 512-token inputs on a MiniLM-shaped model: full maps in JSON are over the default 256 MiB response
    /// limit, their top 8 keys per row far under, and the estimate within 2× of a typical answer's size.
    @Test func estimate_LetsATopKRequestOver512TokensPass_WhereFullMapsWouldNot() {
        var c = TestModels.tiny.configuration
        c.layers = 6
        c.heads = 12
        c.hiddenSize = 384
        c.maxPositions = 512
        let n = 512
        let encoding = Encoding(
            tokens: Array(repeating: "word", count: n), ids: Array(repeating: 7, count: n),
            offsets: Array(repeating: 0..<4, count: n), wordIDs: Array(repeating: nil, count: n),
            specialTokensMask: Array(repeating: false, count: n))
        func estimate(_ form: ResponseForm) -> JobEstimate {
            JobEstimate.attend(
                encodings: [encoding, encoding], configuration: c, layers: 6, heads: 12, attentions: true,
                hiddenStates: false,
                analysis: false, precision: nil, keptBytes: 0, form: form)
        }
        let limit = CoreConfiguration().maxResponseBytes
        #expect(estimate(ResponseForm()).responseBytes > limit)
        let topK = estimate(ResponseForm(keys: .topK(8)))
        #expect(topK.responseBytes < limit / 10)
        // Typical: 2 × 6 × 12 × 512 rows of 8 keys ("511," and "0.012345678,") with the row's punctuation and
        // dropped mass (50 bytes), and the embeddings (11 bytes a float).
        let typical = 2 * (6 * 12 * 512 * (8 * 15 + 50) + n * 384 * 11)
        #expect(topK.responseBytes > typical / 2)
        #expect(topK.responseBytes < typical * 2)
        let binary = estimate(ResponseForm(format: .safetensors, dtype: .float16, keys: .topK(8)))
        #expect(binary.responseBytes < 2 * (6 * 12 * 512 * (8 * 6 + 2) + n * 384 * 2) + 200_000)
        #expect(estimate(ResponseForm(keys: .threshold(0.05))).responseBytes < limit / 5)
    }

    /// An `I32` tensor's values (the reader converts floats only).
    static func int32s(_ file: SafetensorsFile, _ bytes: [UInt8], _ name: String) -> [Int32]? {
        guard let entry = file.entries[name] else { return nil }
        let headerLength = bytes.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        let start = 8 + headerLength + entry.byteRange.lowerBound
        return stride(from: start, to: 8 + headerLength + entry.byteRange.upperBound, by: 4).map { i in
            Int32(
                bitPattern: UInt32(bytes[i]) | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2]) << 16 | UInt32(
                    bytes[i + 3]) << 24)
        }
    }
}
