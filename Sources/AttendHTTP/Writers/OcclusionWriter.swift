import AttendCore
import JSON
import Transformer

/// The `occlusion` member of one `/attend` result, and its safetensors tensors (README "Occlusion").
///
/// JSON: `{"pooling": "mean", "importance": [n numbers, null where not occluded], "attributions": {"<name>": [n]},
/// "spearman": {"<name>": number or null}}`, names in ``OcclusionResult/attributions`` order.
/// Safetensors: `results.{i}.occlusion.importance` [n] (NaN where not occluded) and
/// `results.{i}.occlusion.attributions.{name}` [n]; metadata `results.{i}.occlusion.pooling` and
/// `results.{i}.occlusion.spearman` (the JSON object above).
enum OcclusionWriter {
    /// The part `,"occlusion":{...}` of a result.
    static func piece(_ occlusion: OcclusionResult) -> AttendResponseWriter.Piece {
        let floats = occlusion.importance.count * (1 + occlusion.attributions.count)
        return AttendResponseWriter.Piece(bytes: floats * 13 + 64 * occlusion.attributions.count + 64) { w in
            w.raw(",\"occlusion\":")
            write(occlusion, into: w)
        }
    }

    /// `{"pooling":...,"importance":[...],"attributions":{...},"spearman":{...}}`.
    static func write(_ occlusion: OcclusionResult, into w: JSONWriter) {
        w.raw("{\"pooling\":")
        w.string(occlusion.pooling.rawValue)
        w.raw(",\"importance\":[")
        for (i, value) in occlusion.importance.enumerated() {
            if i > 0 { w.byte(UInt8(ascii: ",")) }
            if let value { w.float(value) } else { w.null() }
        }
        w.raw("],\"attributions\":{")
        for (i, a) in occlusion.attributions.enumerated() {
            if i > 0 { w.byte(UInt8(ascii: ",")) }
            w.string(a.name)
            w.byte(UInt8(ascii: ":"))
            w.floats(a.values)
        }
        w.raw("},\"spearman\":")
        writeSpearman(occlusion, into: w)
        w.byte(UInt8(ascii: "}"))
    }

    /// `{"<name>": ρ or null, ...}`.
    static func writeSpearman(_ occlusion: OcclusionResult, into w: JSONWriter) {
        w.byte(UInt8(ascii: "{"))
        for (i, a) in occlusion.attributions.enumerated() {
            if i > 0 { w.byte(UInt8(ascii: ",")) }
            w.string(a.name)
            w.byte(UInt8(ascii: ":"))
            if let rho = a.spearman { w.float(rho) } else { w.null() }
        }
        w.byte(UInt8(ascii: "}"))
    }

    /// The safetensors metadata entries of one result's occlusion (`prefix` = `results.{i}.`).
    static func metadata(_ occlusion: OcclusionResult, prefix: String) -> [(String, String)] {
        [
            (prefix + "occlusion.pooling", occlusion.pooling.rawValue),
            (prefix + "occlusion.spearman", SafetensorsWriter.json { writeSpearman(occlusion, into: $0) }),
        ]
    }

    /// The safetensors tensors of one result's occlusion, in answer order: the importances (NaN where not
    /// occluded), then each attribution.
    static func tensors(_ occlusion: OcclusionResult, prefix: String) -> [(name: String, values: [Float])] {
        [(prefix + "occlusion.importance", occlusion.importance.map { $0 ?? .nan })]
            + occlusion.attributions.map { (prefix + "occlusion.attributions." + $0.name, $0.values) }
    }
}
