import AttendCore
import Foundation
import JSON
import TestSupport
import Testing
import Transformer

@testable import AttendHTTP

/// `"probes"` on `POST /attend` over loopback (README "Probes"): each probe's outputs equal the encoder's on the
/// edited sequence, aligned to the original positions, in JSON and safetensors; bad probes are refused naming the
/// field; a probe list over the limits is refused before computing.
@Suite("ProbeEndpoint")
struct ProbeEndpointTests {
    static let text = "the dog chased the ball"

    /// The tiny model's output for one input, computed directly.
    static func direct(_ input: EncoderInput) throws -> EncoderOutput {
        try #require(try TestModels.tiny.encoder.forward([input], options: .init()).first)
    }

    static func floats(_ value: JSONValue?) -> [Float?] {
        guard case .array(let items) = value else { return [] }
        return items.map { item in item.number.map { Float($0) } }
    }

    static func rows(_ value: JSONValue?) -> [[Float]?] {
        guard case .array(let items) = value else { return [] }
        return items.map { item in
            guard case .array = item else { return nil }
            return floats(item).compactMap { $0 }
        }
    }

    @Test func attend_ReturnsEachProbeAsTheEncoderComputesTheVariant_AlignedToTheOriginal() async throws {
        try await LiveService.with { live in
            let body =
                #"{"text":"\#(Self.text)","layers":[2,0],"heads":[1,3],"probes":[{},{"mask":[2]},"#
                + #"{"name":"drop","drop":[3],"replace":{"-2":"[UNK]"}},{"ablate":[[0,1],[-1,-1]]},"#
                + #"{"replace":{"1":7}}]}"#
            let reply = try await live.post("/attend", body)
            #expect(reply.status == 200, "\(String(decoding: reply.body, as: UTF8.self).prefix(300))")
            let result = try #require(reply.json?["results"]?[0])
            let ids = try #require(result["input_ids"]?.array).compactMap(\.number).map { Int32($0) }
            let n = ids.count
            let probes = try #require(result["probes"]?.array)
            #expect(probes.count == 5)
            let keep = KeptOutputs(attentionLayers: [0, 2], heads: [1, 3])
            let original = try Self.direct(EncoderInput(ids: ids, keep: keep))
            // Edits as the probes spell them, on the original positions.
            var masked = ids
            masked[2] = 4
            var dropped = ids
            dropped[n - 2] = 1
            dropped.remove(at: 3)
            var replaced = ids
            replaced[1] = 7
            let variants: [(ids: [Int32], ablated: Set<AttentionHead>, kept: [Int])] = [
                (ids, [], Array(0..<n)), (masked, [], Array(0..<n)),
                (dropped, [], (0..<n).filter { $0 != 3 }),
                (ids, [AttentionHead(layer: 0, head: 1), AttentionHead(layer: 2, head: 3)], Array(0..<n)),
                (replaced, [], Array(0..<n)),
            ]
            #expect(probes[2]["name"]?.stringValue == "drop")
            for (k, variant) in variants.enumerated() {
                let probe = probes[k]
                let want = try Self.direct(EncoderInput(ids: variant.ids, keep: keep, ablatedHeads: variant.ablated))
                let d = want.lastHiddenState.shape[1]
                let gotIDs = Self.floats(probe["input_ids"])
                let embeddings = Self.rows(probe["embeddings"])
                let l2 = Self.floats(probe["diff"]?["token_l2"])
                #expect(gotIDs.count == n && embeddings.count == n && l2.count == n)
                for i in 0..<n {
                    guard let a = variant.kept.firstIndex(of: i) else {
                        #expect(gotIDs[i] == nil && embeddings[i] == nil && l2[i] == nil, "probe \(k) position \(i)")
                        continue
                    }
                    #expect(gotIDs[i] == Float(variant.ids[a]))
                    #expect(embeddings[i] == Array(want.lastHiddenState.storage[(a * d)..<((a + 1) * d)]))
                    let e = Array(original.lastHiddenState.storage[(i * d)..<((i + 1) * d)])
                    let f = Array(want.lastHiddenState.storage[(a * d)..<((a + 1) * d)])
                    let distance = zip(e, f).reduce(0.0) { $0 + Double($1.0 - $1.1) * Double($1.0 - $1.1) }
                    #expect(abs((l2[i] ?? -1) - Float(distance.squareRoot())) < 1e-5)
                }
                // Maps: layer order of the request, heads as kept, dropped rows and columns null.
                let layers = try #require(probe["attentions"]?.array)
                #expect(layers.count == 2)
                for (slot, layer) in [2, 0].enumerated() {
                    let heads = try #require(layers[slot].array)
                    let map = try #require(want.attentions[layer])
                    let m = map.shape[1]
                    for h in 0..<2 {
                        let rows = try #require(heads[h].array)
                        #expect(rows.count == n)
                        for i in 0..<n {
                            let row = Self.floats(rows[i])
                            guard let a = variant.kept.firstIndex(of: i) else {
                                #expect(rows[i] == .null)
                                continue
                            }
                            for j in 0..<n {
                                guard let b = variant.kept.firstIndex(of: j) else {
                                    #expect(row[j] == nil)
                                    continue
                                }
                                #expect(row[j] == map.storage[(h * m + a) * m + b])
                            }
                        }
                    }
                }
                let changes = try #require(probe["diff"]?["max_map_change"]?.array)
                #expect(changes.count == 2 && changes.allSatisfy { $0.array?.count == 2 })
                let cosine = try #require(probe["diff"]?["pooled_cosine"]?.number)
                if k == 0 {
                    #expect(probe["embeddings"] == result["embeddings"])
                    #expect(probe["pooled"] == result["pooled"])
                    #expect(probe["attentions"] == result["attentions"])
                    #expect(l2.allSatisfy { $0 == 0 })
                    #expect(changes.allSatisfy { Self.floats($0).allSatisfy { $0 == 0 } })
                    #expect(abs(cosine - 1) < 1e-6)
                } else {
                    #expect(cosine < 1)
                }
            }
            let ablated = try #require(probes[3]["ablated"]?.array).map { Self.floats($0).compactMap { $0 } }
            #expect(ablated == [[0, 1], [2, 3]])
        }
    }

    @Test func attend_WritesProbeTensors_WhenSafetensorsIsAsked() async throws {
        try await LiveService.with { live in
            let body =
                #"{"text":"\#(Self.text)","layers":[1],"hidden_states":true,"probes":[{"drop":[1]},{"mask":[-2]}]"#
            let json = try #require(try await live.post("/attend", body + "}").json)
            let reply = try await live.post("/attend", body + #","format":"safetensors"}"#)
            #expect(reply.status == 200)
            let file = try SafetensorsFile(bytes: reply.body, path: "response")
            let probe = try #require(json["results"]?[0]?["probes"]?[0])
            let n = try #require(json["results"]?[0]?["input_ids"]?.array).count
            let positions = (0..<n).filter { $0 != 1 }
            let entry = try #require(file.entries["results.0.probes.0.positions"])
            #expect(entry.dtype == .i32 && entry.shape == [n - 1])
            let embeddings = try file.tensor("results.0.probes.0.embeddings")
            let d = embeddings.shape[1]
            let rows = Self.rows(probe["embeddings"])
            for (a, i) in positions.enumerated() {
                #expect(rows[i] == Array(embeddings.storage[(a * d)..<((a + 1) * d)]))
            }
            let l2 = try file.tensor("results.0.probes.0.diff.token_l2")
            #expect(l2.storage[1].isNaN)
            #expect(
                Self.floats(probe["diff"]?["token_l2"]).enumerated().allSatisfy { i, v in i == 1 || v == l2.storage[i] }
            )
            #expect(try file.tensor("results.0.probes.1.attentions.1").shape == [TestModels.configuration.heads, n, n])
            #expect(try file.tensor("results.0.probes.1.hidden_states").shape[0] == TestModels.configuration.layers + 1)
            #expect(file.metadata["results.0.probes"] == "2")
        }
    }

    @Test func attend_RefusesBadProbes_NamingTheField() async throws {
        try await LiveService.with { live in
            let cases: [(String, Int, String)] = [
                (#"[{"mask":[9]}]"#, 422, "probes[0].mask[0]"),
                (#"[{},{"mask":[1],"drop":[1]}]"#, 422, "probes[1].drop[0]"),
                (#"[{"replace":{"3":"cat"}}]"#, 422, "probes[0].replace.3"),
                (#"[{"replace":{"2":500}}]"#, 422, "probes[0].replace.2"),
                (#"[{"ablate":[[3,0]]}]"#, 422, "probes[0].ablate[0]"),
                (#"[{"ablate":[[0,1],[0,1]]}]"#, 422, "probes[0].ablate[1]"),
                (#"[{"ablate":[[0]]}]"#, 422, "probes[0].ablate[0]"),
                (#"[{"drop":[0,1,2,3,4,5,6]}]"#, 422, "probes[0].drop"),
                (#"[{"replace":{"x":5}}]"#, 400, "probes[0].replace.x"),
                (#"[{"mask":"1"}]"#, 400, "probes[0].mask"),
                (#"[{"swap":[1]}]"#, 400, "swap"),
                (#"{"mask":[1]}"#, 400, "probes"),
            ]
            for (probes, status, field) in cases {
                let reply = try await live.post("/attend", #"{"text":"\#(Self.text)","probes":\#(probes)}"#)
                let message = reply.json?["error"]?["message"]?.stringValue ?? ""
                #expect(reply.status == status, "\(probes): \(message)")
                #expect(message.contains(field), "\(probes): \(message)")
            }
            let many = "[" + Array(repeating: "{}", count: AttendJob.maxProbes + 1).joined(separator: ",") + "]"
            let tooMany = try await live.post("/attend", #"{"text":"a b","probes":\#(many)}"#)
            #expect(tooMany.status == 413)
            let bertviz = try await live.post("/attend", #"{"text":"a b","format":"bertviz","probes":[{}]}"#)
            #expect(bertviz.status == 422)
        }
    }

    /// Every probe counts in the estimate: the same request fits without probes and is refused with them, before
    /// anything is computed, with the estimate and how to shrink it.
    @Test func attend_RefusesAProbeListOverTheResponseLimit_BeforeComputing() async throws {
        try await LiveService.with(configure: { $0.server.maxResponseBytes = 200_000 }) { live in
            let plain = #"{"text":"\#(Self.text)","hidden_states":true"#
            #expect(try await live.post("/attend", plain + "}").status == 200)
            let probes = "[" + Array(repeating: #"{"mask":[1]}"#, count: 12).joined(separator: ",") + "]"
            let reply = try await live.post("/attend", plain + #","probes":\#(probes)}"#)
            #expect(reply.status == 422)
            let message = reply.json?["error"]?["message"]?.stringValue ?? ""
            #expect(message.contains("bytes") && message.contains("\"probes\""), "\(message)")
        }
    }
}
