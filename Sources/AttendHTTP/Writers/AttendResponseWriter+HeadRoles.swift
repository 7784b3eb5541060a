import AttendCore
import JSON
import Transformer

extension AttendResponseWriter {
    /// `,"head_roles":{...}` of one result (`"analysis"` naming `"heads"`), as one part.
    static func headRolePiece(_ result: SequenceResult) -> Piece {
        let cells = result.headRoles?.tags.reduce(0) { $0 + $1.count } ?? 0
        return Piece(bytes: cells * 110 + 128) { w in
            guard let roles = result.headRoles else { return }
            w.raw(",\"head_roles\":")
            writeHeadRoles(roles, inputs: false, into: w)
        }
    }

    /// `,"head_roles":{...}` after the results: the means over the batch (nothing without head roles).
    static func batchHeadRolePiece(_ job: AttendJob, results: [SequenceResult]) -> Piece {
        Piece(bytes: job.layers.count * job.heads.count * 110 + 128) { w in
            guard job.headRoles, let mean = HeadRoles.mean(results.compactMap(\.headRoles)) else { return }
            w.raw(",\"head_roles\":")
            writeHeadRoles(mean, inputs: true, into: w)
        }
    }

    /// `{"cls":[layer][head], "sep", "previous", "next", "self", "punctuation", "entropy", "tag":[layer][head]
    /// (a role name or null)}` (`"inputs": count` first for the batch means); NaN values (no previous or next
    /// token in a one-token sequence) are null.
    static func writeHeadRoles(_ roles: HeadRoles, inputs: Bool, into w: JSONWriter) {
        w.byte(UInt8(ascii: "{"))
        if inputs {
            w.member("inputs", roles.inputs, first: true)
            w.byte(UInt8(ascii: ","))
        }
        for (m, measure) in HeadRoles.Measure.allCases.enumerated() {
            if m > 0 { w.byte(UInt8(ascii: ",")) }
            w.string(measure.rawValue)
            w.raw(":[")
            for (a, row) in roles.values[m].enumerated() {
                if a > 0 { w.byte(UInt8(ascii: ",")) }
                w.floats(row)
            }
            w.byte(UInt8(ascii: "]"))
        }
        w.raw(",\"tag\":[")
        for (a, row) in roles.tags.enumerated() {
            if a > 0 { w.byte(UInt8(ascii: ",")) }
            w.byte(UInt8(ascii: "["))
            for (b, tag) in row.enumerated() {
                if b > 0 { w.byte(UInt8(ascii: ",")) }
                if let tag { w.string(tag.rawValue) } else { w.null() }
            }
            w.byte(UInt8(ascii: "]"))
        }
        w.raw("]}")
    }

    /// `,"predictions":[{"position", "ids", "tokens", "probabilities", "lens"?: [per hidden state {"ids",
    /// "tokens", "probabilities"}]}, ...]` of one result (`"predictions"`), as one part.
    static func predictionPiece(_ job: AttendJob, result: SequenceResult) -> Piece {
        let k = job.predictions?.topK ?? 0
        let entries = result.predictions.reduce(0) { $0 + 1 + $1.lens.count }
        return Piece(bytes: entries * (k * 48 + 64) + 32) { w in
            guard job.predictions != nil else { return }
            w.raw(",\"predictions\":[")
            for (i, prediction) in result.predictions.enumerated() {
                if i > 0 { w.byte(UInt8(ascii: ",")) }
                w.byte(UInt8(ascii: "{"))
                w.member("position", prediction.position, first: true)
                w.byte(UInt8(ascii: ","))
                writePredictionValues(prediction.top, into: w)
                if job.predictions?.logitLens == true {
                    w.raw(",\"lens\":[")
                    for (l, values) in prediction.lens.enumerated() {
                        if l > 0 { w.byte(UInt8(ascii: ",")) }
                        w.byte(UInt8(ascii: "{"))
                        writePredictionValues(values, into: w)
                        w.byte(UInt8(ascii: "}"))
                    }
                    w.byte(UInt8(ascii: "]"))
                }
                w.byte(UInt8(ascii: "}"))
            }
            w.byte(UInt8(ascii: "]"))
        }
    }

    /// `"ids":[...],"tokens":[...],"probabilities":[...]`.
    static func writePredictionValues(_ values: MaskedPredictionValues, into w: JSONWriter) {
        w.raw("\"ids\":")
        w.ints(values.ids)
        w.raw(",\"tokens\":")
        w.strings(values.tokens)
        w.raw(",\"probabilities\":")
        w.floats(values.probabilities)
    }
}
