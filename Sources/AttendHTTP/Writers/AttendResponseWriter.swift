import AttendCore
import JSON
import Transformer

/// Writes the `POST /attend` response body straight from the encoder outputs.
package enum AttendResponseWriter {
    /// One part of the body: formatted on its own writer (set to the job's precision); the parts' bytes, in
    /// order, are the body. `bytes` is a rough size, for grouping parts into chunks.
    package struct Piece: Sendable {
        package var bytes: Int
        package var write: @Sendable (JSONWriter) -> Void
    }

    /// The whole body into `w`.
    package static func write(_ request: AttendJob, results: [SequenceResult], into w: JSONWriter) {
        w.precision = request.precision
        for piece in pieces(request, results: results) { piece.write(w) }
    }

    /// The body as independent parts, in order: the envelope, and per sequence its head (tokens, embeddings,
    /// pooled), each head's map (dense) or each layer's maps (rows, sparse), the analysis, each hidden state.
    package static func pieces(_ request: AttendJob, results: [SequenceResult]) -> [Piece] {
        var pieces = [
            Piece(bytes: 256) { w in
                w.raw("{\"model\":")
                w.string(request.model.name)
                w.raw(",\"layers\":")
                w.ints(request.layers)
                w.raw(",\"heads\":")
                w.ints(request.heads)
                w.raw(",\"results\":[")
            }
        ]
        for (i, (encoding, result)) in zip(request.input.encodings, results).enumerated() {
            pieces += resultPieces(request, encoding: encoding, result: result, first: i == 0)
        }
        pieces.append(Piece(bytes: 1) { w in w.byte(UInt8(ascii: "]")) })
        if request.headRoles { pieces.append(batchHeadRolePiece(request, results: results)) }
        pieces.append(
            Piece(bytes: 32) { w in
                w.raw(",\"usage\":{\"tokens\":")
                w.int(request.input.totalTokens)
                w.raw("}}")
            })
        return pieces
    }

    static func writeEncoding(_ encoding: Encoding, kind: SequenceInput.Kind, into w: JSONWriter) {
        w.raw("\"tokens\":")
        w.strings(encoding.tokens)
        w.raw(",\"input_ids\":")
        w.ints(encoding.ids)
        switch kind {
        case .text:
            w.raw(",\"offsets\":")
            writeOffsets(encoding.offsets, into: w)
        case .tokens:
            w.raw(",\"word_ids\":")
            writeWordIDs(encoding.wordIDs, into: w)
        case .inputIDs:
            break
        }
        writePairFacts(encoding, into: w)
    }

    /// `[[begin, end], null, ...]`: each token's Unicode-scalar range (`null` for added special tokens).
    static func writeOffsets(_ offsets: [Range<Int>?], into w: JSONWriter) {
        w.byte(UInt8(ascii: "["))
        for (i, offset) in offsets.enumerated() {
            if i > 0 { w.byte(UInt8(ascii: ",")) }
            if let offset { w.ints([offset.lowerBound, offset.upperBound]) } else { w.null() }
        }
        w.byte(UInt8(ascii: "]"))
    }

    /// `[0, 0, 1, null, ...]`: each token's word index (`null` for added special tokens).
    static func writeWordIDs(_ wordIDs: [Int?], into w: JSONWriter) {
        w.byte(UInt8(ascii: "["))
        for (i, word) in wordIDs.enumerated() {
            if i > 0 { w.byte(UInt8(ascii: ",")) }
            if let word { w.int(word) } else { w.null() }
        }
        w.byte(UInt8(ascii: "]"))
    }

    /// One result's parts (`first`: no comma before it).
    static func resultPieces(_ request: AttendJob, encoding: Encoding, result: SequenceResult, first: Bool) -> [Piece] {
        let output = result.output
        let hidden = output.lastHiddenState
        let n = hidden.shape[0]
        let d = hidden.shape[1]
        let rows = request.rows(n)
        var pieces = [
            Piece(bytes: (n * d + d) * 13 + n * 32) { w in
                if !first { w.byte(UInt8(ascii: ",")) }
                w.byte(UInt8(ascii: "{"))
                writeEncoding(encoding, kind: request.input.kind, into: w)
                w.raw(",\"embeddings\":")
                hidden.storage.withUnsafeBufferPointer { w.matrix($0, rows: n, columns: d) }
                if let pooled = result.pooled {
                    w.raw(",\"pooled\":")
                    w.floats(pooled)
                }
                if request.attentions {
                    if request.form.rows != nil {
                        w.raw(",\"rows\":")
                        w.ints(rows)
                    }
                    w.raw(",\"attentions\":[")
                }
            }
        ]
        if request.attentions {
            for (li, layer) in request.layers.enumerated() {
                pieces += layerPieces(request, map: output.attentions[layer], rows: rows, n: n, first: li == 0)
            }
        }
        let summary = request.analysis ? result.summary : nil
        pieces.append(
            Piece(bytes: summary.map { ($0.rollout.storage.count + $0.entropy.count * n) * 13 } ?? 8) { w in
                if request.attentions { w.byte(UInt8(ascii: "]")) }
                if let summary {
                    w.raw(",\"analysis\":")
                    summary.write(to: w)
                }
            })
        if request.headRoles { pieces.append(headRolePiece(result)) }
        if request.predictions != nil { pieces.append(predictionPiece(request, result: result)) }
        if !request.contributions.isEmpty {
            pieces.append(
                Piece(bytes: ContributionsWriter.estimatedBytes(request, result: result)) { w in
                    ContributionsWriter.write(request, result: result, into: w)
                })
        }
        if let occlusion = result.occlusion { pieces.append(OcclusionWriter.piece(occlusion)) }
        if request.hiddenStates, let states = output.hiddenStates {
            for (i, state) in states.enumerated() {
                pieces.append(
                    Piece(bytes: state.storage.count * 13) { w in
                        w.raw(i == 0 ? ",\"hidden_states\":[" : ",")
                        state.storage.withUnsafeBufferPointer {
                            w.matrix($0, rows: state.shape[0], columns: state.shape[1])
                        }
                        if i == states.count - 1 { w.byte(UInt8(ascii: "]")) }
                    })
            }
            if states.isEmpty { pieces.append(Piece(bytes: 20) { w in w.raw(",\"hidden_states\":[]") }) }
        }
        pieces += probePieces(request, result: result)
        pieces.append(Piece(bytes: 1) { w in w.byte(UInt8(ascii: "}")) })
        return pieces
    }

    /// One layer's `[...]` of `[heads, n, n]` maps (the pass kept exactly the selected heads, in request order):
    /// one part per head for whole maps, one for the layer otherwise (`first`: no comma before it).
    static func layerPieces(_ request: AttendJob, map: Tensor?, rows: [Int], n: Int, first: Bool) -> [Piece] {
        let open: StaticString = first ? "[" : ",["
        guard let map else {
            return [
                Piece(bytes: 4) { w in
                    w.raw(open); w.byte(UInt8(ascii: "]"))
                }
            ]
        }
        let heads = map.shape[0]
        if request.form.keys.isSparse {
            return [
                Piece(bytes: heads * rows.count * (request.form.keys.maximumKept(n) * 18 + 40)) { w in
                    w.raw(open)
                    writeSparse(
                        SparseRows(map: map, heads: Array(0..<heads), rows: rows, keys: request.form.keys),
                        heads: request.heads.count, into: w)
                    w.byte(UInt8(ascii: "]"))
                }
            ]
        }
        if request.form.rows != nil {
            return [
                Piece(bytes: heads * rows.count * n * 13) { w in
                    w.raw(open)
                    map.storage.withUnsafeBufferPointer { all in
                        for head in 0..<heads {
                            if head > 0 { w.byte(UInt8(ascii: ",")) }
                            w.byte(UInt8(ascii: "["))
                            for (ri, row) in rows.enumerated() {
                                if ri > 0 { w.byte(UInt8(ascii: ",")) }
                                let start = (head * n + row) * n
                                w.floats(UnsafeBufferPointer(rebasing: all[start..<(start + n)]))
                            }
                            w.byte(UInt8(ascii: "]"))
                        }
                    }
                    w.byte(UInt8(ascii: "]"))
                }
            ]
        }
        guard heads > 0 else {
            return [
                Piece(bytes: 4) { w in
                    w.raw(open); w.byte(UInt8(ascii: "]"))
                }
            ]
        }
        let (r, c) = (map.shape[1], map.shape[2])
        return (0..<heads).map { head in
            Piece(bytes: r * c * 13) { w in
                if head == 0 { w.raw(open) } else { w.byte(UInt8(ascii: ",")) }
                map.storage.withUnsafeBufferPointer { all in
                    w.matrix(
                        UnsafeBufferPointer(rebasing: all[(head * r * c)..<((head + 1) * r * c)]), rows: r, columns: c)
                }
                if head == heads - 1 { w.byte(UInt8(ascii: "]")) }
            }
        }
    }

    /// `[{"indices":[...],"values":[...],"dropped":x}, ...]` per head: one object per kept row.
    static func writeSparse(_ sparse: SparseRows, heads: Int, into w: JSONWriter) {
        let perHead = heads > 0 ? sparse.count / heads : 0
        sparse.values.withUnsafeBufferPointer { values in
            for h in 0..<heads {
                if h > 0 { w.byte(UInt8(ascii: ",")) }
                w.byte(UInt8(ascii: "["))
                for r in 0..<perHead {
                    let i = h * perHead + r
                    if r > 0 { w.byte(UInt8(ascii: ",")) }
                    let range = Int(sparse.indptr[i])..<Int(sparse.indptr[i + 1])
                    w.raw("{\"indices\":")
                    w.ints(sparse.indices[range])
                    w.raw(",\"values\":")
                    w.floats(UnsafeBufferPointer(rebasing: values[range]))
                    w.raw(",\"dropped\":")
                    w.float(sparse.dropped[i])
                    w.byte(UInt8(ascii: "}"))
                }
                w.byte(UInt8(ascii: "]"))
            }
        }
    }
}
