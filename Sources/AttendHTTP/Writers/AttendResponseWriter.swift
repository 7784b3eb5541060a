import AttendCore
import JSON
import Transformer

/// Writes the `POST /attend` response body straight from the encoder outputs.
package enum AttendResponseWriter {
    package static func write(_ request: AttendJob, results: [SequenceResult], into w: JSONWriter) {
        w.precision = request.precision
        w.raw("{\"model\":")
        w.string(request.model.name)
        w.raw(",\"layers\":")
        w.ints(request.layers)
        w.raw(",\"heads\":")
        w.ints(request.heads)
        w.raw(",\"results\":[")
        for (i, (encoding, result)) in zip(request.input.encodings, results).enumerated() {
            if i > 0 { w.byte(UInt8(ascii: ",")) }
            writeResult(request, encoding: encoding, result: result, into: w)
        }
        w.raw("],\"usage\":{\"tokens\":")
        w.int(request.input.totalTokens)
        w.raw("}}")
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

    static func writeResult(_ request: AttendJob, encoding: Encoding, result: SequenceResult, into w: JSONWriter) {
        let output = result.output
        w.byte(UInt8(ascii: "{"))
        writeEncoding(encoding, kind: request.input.kind, into: w)
        let hidden = output.lastHiddenState
        let n = hidden.shape[0]
        let d = hidden.shape[1]
        w.raw(",\"embeddings\":")
        hidden.storage.withUnsafeBufferPointer { w.matrix($0, rows: n, columns: d) }
        if let pooled = result.pooled {
            w.raw(",\"pooled\":")
            w.floats(pooled)
        }
        if request.attentions {
            let rows = request.rows(n)
            if request.form.rows != nil {
                w.raw(",\"rows\":")
                w.ints(rows)
            }
            w.raw(",\"attentions\":[")
            for (li, layer) in request.layers.enumerated() {
                if li > 0 { w.byte(UInt8(ascii: ",")) }
                w.byte(UInt8(ascii: "["))
                // [heads, n, n]: the pass kept exactly the selected heads, in request order.
                if let map = output.attentions[layer] {
                    if request.form.keys.isSparse {
                        writeSparse(
                            SparseRows(map: map, heads: Array(0..<map.shape[0]), rows: rows, keys: request.form.keys),
                            heads: request.heads.count, into: w)
                    } else if request.form.rows == nil {
                        let nn = map.shape[1] * map.shape[2]
                        map.storage.withUnsafeBufferPointer { all in
                            for (hi, head) in (0..<map.shape[0]).enumerated() {
                                if hi > 0 { w.byte(UInt8(ascii: ",")) }
                                w.matrix(
                                    UnsafeBufferPointer(rebasing: all[(head * nn)..<((head + 1) * nn)]),
                                    rows: map.shape[1], columns: map.shape[2])
                            }
                        }
                    } else {
                        map.storage.withUnsafeBufferPointer { all in
                            for (hi, head) in (0..<map.shape[0]).enumerated() {
                                if hi > 0 { w.byte(UInt8(ascii: ",")) }
                                w.byte(UInt8(ascii: "["))
                                for (ri, row) in rows.enumerated() {
                                    if ri > 0 { w.byte(UInt8(ascii: ",")) }
                                    let start = (head * n + row) * n
                                    w.floats(UnsafeBufferPointer(rebasing: all[start..<(start + n)]))
                                }
                                w.byte(UInt8(ascii: "]"))
                            }
                        }
                    }
                }
                w.byte(UInt8(ascii: "]"))
            }
            w.byte(UInt8(ascii: "]"))
        }
        if request.analysis, let summary = result.summary {
            w.raw(",\"analysis\":")
            summary.write(to: w)
        }
        if request.hiddenStates, let states = output.hiddenStates {
            w.raw(",\"hidden_states\":[")
            for (i, state) in states.enumerated() {
                if i > 0 { w.byte(UInt8(ascii: ",")) }
                state.storage.withUnsafeBufferPointer { w.matrix($0, rows: state.shape[0], columns: state.shape[1]) }
            }
            w.byte(UInt8(ascii: "]"))
        }
        w.byte(UInt8(ascii: "}"))
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
