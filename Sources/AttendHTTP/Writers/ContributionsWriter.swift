import AttendCore
import JSON
import Transformer

/// The `contributions` member of one `/attend` result, and its safetensors tensors (README "Token contributions").
///
/// JSON: `{"<measure>": {"layers": [per selected layer, in the response's layer order: [n][n], or [heads][n][n]
/// for norm_heads], "rollout": [n][n] (with "contribution_rollout": true; never for norm_heads)}, ...}`.
/// Safetensors: `results.{i}.contributions.{measure}.{layer}` and `results.{i}.contributions.{measure}.rollout`.
enum ContributionsWriter {
    /// Writes `,"contributions":{...}` when the job asks for contributions (nothing otherwise).
    static func write(_ job: AttendJob, result: SequenceResult, into w: JSONWriter) {
        guard !job.contributions.isEmpty else { return }
        w.raw(",\"contributions\":{")
        for (index, measure) in job.contributions.enumerated() {
            if index > 0 { w.byte(UInt8(ascii: ",")) }
            w.string(measure.rawValue)
            w.raw(":{\"layers\":[")
            for (li, layer) in job.layers.enumerated() {
                if li > 0 { w.byte(UInt8(ascii: ",")) }
                guard let map = result.output.contributions[measure]?[layer] else {
                    w.null()
                    continue
                }
                matrices(map, into: w)
            }
            w.byte(UInt8(ascii: "]"))
            if let rollout = result.contributionRollouts[measure] {
                w.raw(",\"rollout\":")
                matrices(rollout, into: w)
            }
            w.byte(UInt8(ascii: "}"))
        }
        w.byte(UInt8(ascii: "}"))
    }

    /// About how many bytes `write` produces (13 per float, as the other parts of a streamed answer count).
    static func estimatedBytes(_ job: AttendJob, result: SequenceResult) -> Int {
        var floats = 0
        for measure in job.contributions {
            for layer in job.layers { floats += result.output.contributions[measure]?[layer]?.storage.count ?? 0 }
            floats += result.contributionRollouts[measure]?.storage.count ?? 0
        }
        return floats * 13 + 64 * job.contributions.count + 32
    }

    /// A `[n, n]` tensor as `[[...]]`, a `[h, n, n]` one as `[[[...]]]`.
    static func matrices(_ map: Tensor, into w: JSONWriter) {
        let n = map.shape.last ?? 0
        let rows = map.shape.count == 3 ? map.shape[1] : (map.shape.first ?? 0)
        let blocks = map.shape.count == 3 ? map.shape[0] : 1
        map.storage.withUnsafeBufferPointer { all in
            if map.shape.count != 3 { return w.matrix(all, rows: rows, columns: n) }
            w.byte(UInt8(ascii: "["))
            for b in 0..<blocks {
                if b > 0 { w.byte(UInt8(ascii: ",")) }
                w.matrix(
                    UnsafeBufferPointer(rebasing: all[(b * rows * n)..<((b + 1) * rows * n)]), rows: rows, columns: n)
            }
            w.byte(UInt8(ascii: "]"))
        }
    }

    /// The safetensors tensors of one result's contributions, named after `prefix` (`results.{i}.`), in answer
    /// order: each measure's layers (response order), then its rollout.
    static func tensors(_ job: AttendJob, result: SequenceResult, prefix: String) -> [(name: String, tensor: Tensor)] {
        var out: [(name: String, tensor: Tensor)] = []
        for measure in job.contributions {
            let base = prefix + "contributions.\(measure.rawValue)."
            for layer in job.layers {
                if let map = result.output.contributions[measure]?[layer] { out.append((base + "\(layer)", map)) }
            }
            if let rollout = result.contributionRollouts[measure] { out.append((base + "rollout", rollout)) }
        }
        return out
    }
}
