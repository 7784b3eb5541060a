import AttendCore
import JSON
import Transformer

extension SafetensorsWriter {
    /// The head-role and prediction tensors of one result, named after `prefix` (`results.{i}.`):
    /// - `head_roles` [7, layers, heads]: cls, sep, previous, next, self, punctuation, entropy (metadata
    ///   `head_roles.measures`), NaN where undefined; metadata `{prefix}head_roles.tags` = `[layer][head]` names;
    /// - `predictions.positions` I32 [P], `predictions.ids` I32 [P, k], `predictions.probabilities` [P, k], metadata
    ///   `{prefix}predictions.tokens` = `[P][k]`; with the logit lens `predictions.lens.ids` I32 [P, L+1, k],
    ///   `predictions.lens.probabilities` [P, L+1, k] and metadata `{prefix}predictions.lens.tokens`.
    static func extraItems(
        _ job: AttendJob, result: SequenceResult, prefix: String, dtype: Item.DType
    ) -> (metadata: [(String, String)], items: [Item]) {
        var metadata: [(String, String)] = []
        var items: [Item] = []
        if let roles = result.headRoles {
            let (entry, item) = headRoleItem(roles, name: prefix + "head_roles", dtype: dtype)
            metadata.append(entry)
            items.append(item)
        }
        let predictions = result.predictions
        if job.predictions != nil, let first = predictions.first {
            let k = first.top.ids.count
            items.append(
                int32(prefix + "predictions.positions", [predictions.count], predictions.map { Int32($0.position) }))
            items.append(int32(prefix + "predictions.ids", [predictions.count, k], predictions.flatMap(\.top.ids)))
            let probabilities = predictions.flatMap(\.top.probabilities)
            items.append(
                Item(name: prefix + "predictions.probabilities", dtype: dtype, shape: [predictions.count, k]) {
                    write(probabilities[...], dtype, to: $0)
                })
            metadata.append((prefix + "predictions.tokens", json { w in nested(predictions.map(\.top.tokens), w) }))
            if job.predictions?.logitLens == true {
                let states = first.lens.count
                let lens = predictions.flatMap(\.lens)
                items.append(
                    int32(prefix + "predictions.lens.ids", [predictions.count, states, k], lens.flatMap(\.ids)))
                let lensProbabilities = lens.flatMap(\.probabilities)
                items.append(
                    Item(
                        name: prefix + "predictions.lens.probabilities", dtype: dtype,
                        shape: [predictions.count, states, k]
                    ) {
                        write(lensProbabilities[...], dtype, to: $0)
                    })
                metadata.append(
                    (prefix + "predictions.lens.tokens", json { w in nested(lens.map(\.tokens), w) }))
            }
        }
        return (metadata, items)
    }

    /// The batch means of the head roles: tensor `head_roles` [7, layers, heads], metadata `head_roles.tags`,
    /// `head_roles.inputs` and `head_roles.measures` (nothing without head roles).
    static func batchItems(_ job: AttendJob, results: [SequenceResult], dtype: Item.DType)
        -> (metadata: [(String, String)], items: [Item])
    {
        guard job.headRoles, let mean = HeadRoles.mean(results.compactMap(\.headRoles)) else { return ([], []) }
        let (entry, item) = headRoleItem(mean, name: "head_roles", dtype: dtype)
        let measures = HeadRoles.Measure.allCases.map(\.rawValue)
        return (
            [
                entry, ("head_roles.inputs", String(mean.inputs)),
                ("head_roles.measures", json { $0.strings(measures) }),
            ], [item]
        )
    }

    /// `roles` as a [7, layers, heads] tensor and its tags' metadata entry.
    static func headRoleItem(_ roles: HeadRoles, name: String, dtype: Item.DType) -> ((String, String), Item) {
        let layers = roles.tags.count
        let heads = roles.tags.first?.count ?? 0
        let values = roles.values.flatMap { $0.flatMap { $0 } }
        let tags = roles.tags.map { $0.map { $0?.rawValue ?? "" } }
        let entry = (name + ".tags", json { w in nested(tags, w) })
        let item = Item(name: name, dtype: dtype, shape: [roles.values.count, layers, heads]) {
            write(values[...], dtype, to: $0)
        }
        return (entry, item)
    }

    /// `[[...], ...]` of strings.
    static func nested(_ rows: [[String]], _ w: JSONWriter) {
        w.byte(UInt8(ascii: "["))
        for (i, row) in rows.enumerated() {
            if i > 0 { w.byte(UInt8(ascii: ",")) }
            w.strings(row)
        }
        w.byte(UInt8(ascii: "]"))
    }
}
