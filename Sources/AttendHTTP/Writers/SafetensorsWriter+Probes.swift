import AttendCore
import Transformer

/// The probes of one result in the safetensors answer (README "Probes", "Binary output"). Tensors hold the
/// variant's own n′ kept positions (no nulls in a tensor); `positions` maps them to the original's:
///   `results.{i}.probes.{k}.input_ids` I32 [n′], `.positions` I32 [n′] (original index of each kept token),
///   `.embeddings` [n′, d], `.pooled` [d], `.attentions.{layer}` [heads, n′, n′],
///   `.hidden_states` [L+1, n′, d],
///   `.diff.pooled_cosine` [1] (NaN without pooling), `.diff.token_l2` and `.diff.token_cosine` [n] (original
///   positions, NaN where dropped), `.diff.max_map_change` [layers, heads];
/// metadata `results.{i}.probes` (the count), `results.{i}.probes.{k}.tokens` (n′ strings), `.name`, `.ablated`.
extension SafetensorsWriter {
    static func probeItems(_ job: AttendJob, result: SequenceResult, prefix: String, dtype: Item.DType)
        -> (metadata: [(String, String)], items: [Item])
    {
        guard !result.probes.isEmpty else { return ([], []) }
        var metadata: [(String, String)] = [(prefix + "probes", String(result.probes.count))]
        var items: [Item] = []
        func floats(_ name: String, _ shape: [Int], _ storage: [Float]) {
            items.append(Item(name: name, dtype: dtype, shape: shape) { write(storage[...], dtype, to: $0) })
        }
        for (k, probe) in result.probes.enumerated() {
            let base = prefix + "probes.\(k)."
            let variant = probe.variant
            metadata.append((base + "tokens", json { $0.strings(variant.tokens) }))
            if let name = probe.name { metadata.append((base + "name", name)) }
            let ablated = variant.input.ablatedHeads.sorted()
            metadata.append(
                (
                    base + "ablated",
                    json { w in
                        w.byte(UInt8(ascii: "["))
                        for (j, head) in ablated.enumerated() {
                            if j > 0 { w.byte(UInt8(ascii: ",")) }
                            w.ints([head.layer, head.head])
                        }
                        w.byte(UInt8(ascii: "]"))
                    }
                ))
            items.append(int32(base + "input_ids", [variant.count], variant.input.ids))
            items.append(int32(base + "positions", [variant.count], variant.positions.map { Int32($0) }))
            let output = probe.output
            floats(base + "embeddings", output.lastHiddenState.shape, output.lastHiddenState.storage)
            if let pooled = probe.pooled { floats(base + "pooled", [pooled.count], pooled) }
            if job.attentions {
                for layer in job.layers {
                    if let map = output.attentions[layer] {
                        floats(base + "attentions.\(layer)", map.shape, map.storage)
                    }
                }
            }
            if job.hiddenStates, let states = output.hiddenStates, let first = states.first {
                floats(base + "hidden_states", [states.count] + first.shape, states.flatMap(\.storage))
            }
            let comparison = probe.comparison
            floats(base + "diff.pooled_cosine", [1], [comparison.pooledCosine ?? .nan])
            floats(base + "diff.token_l2", [comparison.tokenL2.count], comparison.tokenL2.map { $0 ?? .nan })
            floats(
                base + "diff.token_cosine", [comparison.tokenCosine.count], comparison.tokenCosine.map { $0 ?? .nan })
            if job.attentions {
                let changes = comparison.maxMapChange
                floats(
                    base + "diff.max_map_change", [changes.count, changes.first?.count ?? 0], changes.flatMap { $0 })
            }
        }
        return (metadata, items)
    }
}
