import AttendCore
import JSON
import Transformer

/// Writes Attend's `POST /similarity` answer (README "POST /similarity"):
///
///     {"model", "pooling", "measure"?, "a": {"tokens","input_ids","offsets"},
///      "results": [{"cosine", "per_layer"?, "b": {...}, "matrix"?: [n][m], "input_matrix"?: [n][m]}],
///      "usage": {"tokens"}}
///
/// one result per `b` in order (also when `b` was a single string); `measure`, `matrix` and `input_matrix` only
/// with `explain`, `per_layer` only when asked.
package enum SimilarityWriter {
    package static func write(_ job: SimilarityJob, comparisons: [SimilarityComparison], into w: JSONWriter) {
        let encodings = job.input.encodings
        w.raw("{\"model\":")
        w.string(job.model.name)
        w.member("pooling", job.pooling.rawValue)
        if job.explain { w.member("measure", job.measure.rawValue) }
        w.raw(",\"a\":{")
        AttendResponseWriter.writeEncoding(encodings[0], kind: job.input.kind, into: w)
        w.raw("},\"results\":[")
        for (k, comparison) in comparisons.enumerated() {
            if k > 0 { w.byte(UInt8(ascii: ",")) }
            w.raw("{\"cosine\":")
            w.float(comparison.cosine)
            if let layers = comparison.layers {
                w.raw(",\"per_layer\":")
                w.floats(layers)
            }
            w.raw(",\"b\":{")
            AttendResponseWriter.writeEncoding(encodings[k + 1], kind: job.input.kind, into: w)
            w.byte(UInt8(ascii: "}"))
            if let matrix = comparison.matrix { write("matrix", matrix, into: w) }
            if let input = comparison.inputMatrix { write("input_matrix", input, into: w) }
            w.byte(UInt8(ascii: "}"))
        }
        w.raw("],\"usage\":{\"tokens\":")
        w.int(job.input.totalTokens)
        w.raw("}}")
    }

    /// `,"name":[[...],...]` for a `[rows, columns]` tensor.
    static func write(_ name: String, _ matrix: Tensor, into w: JSONWriter) {
        w.byte(UInt8(ascii: ","))
        w.key(name)
        matrix.storage.withUnsafeBufferPointer { w.matrix($0, rows: matrix.shape[0], columns: matrix.shape[1]) }
    }
}
