import AttendCore
import JSON
import Transformer

/// The `probes` member of one `/attend` result (README "Probes"), as streamed pieces.
///
/// `"probes": [{"name"?, "tokens": [n], "input_ids": [n], "ablated": [[layer, head], ...], "embeddings": [n][d],
/// "pooled"?: [d], "attentions"?: [layer][head][n][n], "hidden_states"?: [L+1][n][d], "diff": {"pooled_cosine",
/// "token_l2": [n], "token_cosine": [n], "max_map_change"?: [layer][head]}}, ...]`: every per-token axis is the
/// ORIGINAL sequence's n positions, `null` where the probe dropped a token (a map's row and column).
extension AttendResponseWriter {
    /// One result's probe pieces (nothing without probes): per probe its head, one piece per map, one per hidden
    /// state, and its differences.
    static func probePieces(_ request: AttendJob, result: SequenceResult) -> [Piece] {
        guard !result.probes.isEmpty else { return [] }
        var pieces: [Piece] = []
        for (k, probe) in result.probes.enumerated() {
            let alignment = probe.variant.alignment
            let n = alignment.count
            let d = probe.output.lastHiddenState.shape.last ?? 0
            pieces.append(
                Piece(bytes: (n * d + d) * 13 + n * 40 + 256) { w in
                    w.raw(k == 0 ? ",\"probes\":[{" : ",{")
                    if let name = probe.name {
                        w.raw("\"name\":")
                        w.string(name)
                        w.byte(UInt8(ascii: ","))
                    }
                    w.raw("\"tokens\":")
                    aligned(alignment, into: w) { w.string(probe.variant.tokens[$0]) }
                    w.raw(",\"input_ids\":")
                    aligned(alignment, into: w) { w.int(Int(probe.variant.input.ids[$0])) }
                    w.raw(",\"ablated\":[")
                    for (j, head) in probe.variant.input.ablatedHeads.sorted().enumerated() {
                        if j > 0 { w.byte(UInt8(ascii: ",")) }
                        w.ints([head.layer, head.head])
                    }
                    w.raw("],\"embeddings\":")
                    rows(probe.output.lastHiddenState, alignment, into: w)
                    if let pooled = probe.pooled {
                        w.raw(",\"pooled\":")
                        w.floats(pooled)
                    }
                    if request.attentions { w.raw(",\"attentions\":[") }
                })
            if request.attentions {
                for (li, layer) in request.layers.enumerated() {
                    let map = probe.output.attentions[layer]
                    let heads = map?.shape.first ?? 0
                    if heads == 0 {
                        pieces.append(Piece(bytes: 4) { w in w.raw(li == 0 ? "[]" : ",[]") })
                        continue
                    }
                    for h in 0..<heads {
                        pieces.append(
                            Piece(bytes: n * n * 13) { w in
                                if h == 0 { w.raw(li == 0 ? "[" : ",[") } else { w.byte(UInt8(ascii: ",")) }
                                if let map { alignedMap(map, head: h, alignment, into: w) }
                                if h == heads - 1 { w.byte(UInt8(ascii: "]")) }
                            })
                    }
                }
                pieces.append(Piece(bytes: 1) { w in w.byte(UInt8(ascii: "]")) })
            }
            if request.hiddenStates, let states = probe.output.hiddenStates {
                for (i, state) in states.enumerated() {
                    pieces.append(
                        Piece(bytes: n * d * 13) { w in
                            w.raw(i == 0 ? ",\"hidden_states\":[" : ",")
                            rows(state, alignment, into: w)
                            if i == states.count - 1 { w.byte(UInt8(ascii: "]")) }
                        })
                }
                if states.isEmpty { pieces.append(Piece(bytes: 20) { w in w.raw(",\"hidden_states\":[]") }) }
            }
            let comparison = probe.comparison
            let last = k == result.probes.count - 1
            pieces.append(
                Piece(bytes: (2 * n + 1 + comparison.maxMapChange.reduce(0) { $0 + $1.count }) * 13 + 128) { w in
                    w.raw(",\"diff\":{\"pooled_cosine\":")
                    if let cosine = comparison.pooledCosine { w.float(cosine) } else { w.null() }
                    w.raw(",\"token_l2\":")
                    optionals(comparison.tokenL2, into: w)
                    w.raw(",\"token_cosine\":")
                    optionals(comparison.tokenCosine, into: w)
                    if request.attentions {
                        w.raw(",\"max_map_change\":[")
                        for (li, perHead) in comparison.maxMapChange.enumerated() {
                            if li > 0 { w.byte(UInt8(ascii: ",")) }
                            w.floats(perHead)
                        }
                        w.byte(UInt8(ascii: "]"))
                    }
                    w.raw(last ? "}}]" : "}}")
                })
        }
        return pieces
    }

    /// `[x, null, ...]` over the original positions: `element(a)` for a kept token at variant position a.
    static func aligned(_ alignment: [Int?], into w: JSONWriter, _ element: (Int) -> Void) {
        w.byte(UInt8(ascii: "["))
        for (i, a) in alignment.enumerated() {
            if i > 0 { w.byte(UInt8(ascii: ",")) }
            if let a { element(a) } else { w.null() }
        }
        w.byte(UInt8(ascii: "]"))
    }

    /// `[[...], null, ...]`: a variant's [n′, d] rows at the original positions.
    static func rows(_ tensor: Tensor, _ alignment: [Int?], into w: JSONWriter) {
        let d = tensor.shape.last ?? 0
        tensor.storage.withUnsafeBufferPointer { all in
            aligned(alignment, into: w) { a in w.floats(UnsafeBufferPointer(rebasing: all[(a * d)..<((a + 1) * d)])) }
        }
    }

    /// Head h of a variant's [heads, n′, n′] maps as [n][n] at the original positions (null rows and entries).
    static func alignedMap(_ map: Tensor, head h: Int, _ alignment: [Int?], into w: JSONWriter) {
        let m = map.shape.last ?? 0
        let whole = alignment.allSatisfy { $0 != nil }
        map.storage.withUnsafeBufferPointer { all in
            aligned(alignment, into: w) { a in
                let start = (h * m + a) * m
                if whole { return w.floats(UnsafeBufferPointer(rebasing: all[start..<(start + m)])) }
                aligned(alignment, into: w) { b in w.float(all[start + b]) }
            }
        }
    }

    /// `[x, null, ...]`.
    static func optionals(_ values: [Float?], into w: JSONWriter) {
        w.byte(UInt8(ascii: "["))
        for (i, v) in values.enumerated() {
            if i > 0 { w.byte(UInt8(ascii: ",")) }
            if let v { w.float(v) } else { w.null() }
        }
        w.byte(UInt8(ascii: "]"))
    }
}
