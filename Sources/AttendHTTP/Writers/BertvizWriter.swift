import AttendCore
import JSON
import Transformer

/// Writes `"format": "bertviz"` answers (README "bertviz"): a JSON array with one object per input, in input
/// order, each exactly the arguments `bertviz.head_view` and `model_view` take —
/// `{"attention": [layer][1][head][query][key], "tokens": [...], "sentence_b_start": k | null}` — so that
/// `head_view([torch.tensor(a) for a in r["attention"]], r["tokens"], r["sentence_b_start"])` renders it.
/// The job has every layer and head in order (``AttendRequest/checkBertviz(_:configuration:)``).
package enum BertvizWriter {
    package static func write(_ job: AttendJob, results: [SequenceResult], into w: JSONWriter) {
        w.precision = job.precision
        w.byte(UInt8(ascii: "["))
        for (i, (encoding, result)) in zip(job.input.encodings, results).enumerated() {
            if i > 0 { w.byte(UInt8(ascii: ",")) }
            w.raw("{\"attention\":[")
            for (li, layer) in job.layers.enumerated() {
                if li > 0 { w.byte(UInt8(ascii: ",")) }
                w.raw("[[")
                if let map = result.output.attentions[layer] {
                    let n = map.shape[1]
                    map.storage.withUnsafeBufferPointer { all in
                        for head in 0..<map.shape[0] {
                            if head > 0 { w.byte(UInt8(ascii: ",")) }
                            w.matrix(
                                UnsafeBufferPointer(rebasing: all[(head * n * n)..<((head + 1) * n * n)]), rows: n,
                                columns: n)
                        }
                    }
                }
                w.raw("]]")
            }
            w.raw("],\"tokens\":")
            w.strings(encoding.tokens)
            w.raw(",\"sentence_b_start\":")
            if let start = encoding.secondSegmentStart { w.int(start) } else { w.null() }
            w.byte(UInt8(ascii: "}"))
        }
        w.byte(UInt8(ascii: "]"))
    }
}
