import Transformer

/// The `analysis` member of one `/attend` result (request option `"analysis": true`), for the attention page.
///
/// JSON: `{"rollout": [n][n], "entropy": [layer][head]}` where
/// - `rollout` is `AttentionAnalysis.rollout` over the response's `layers` in increasing order, each layer's
///   map averaged over **all** of its heads (rollout follows the residual stream, which every head feeds);
///   row `i` = how much each input token flows into position `i` after the last of those layers;
/// - `entropy[a][b]` is the mean row entropy (nats) of layer `layers[a]`, head `heads[b]`: the same indexing as
///   the result's `attentions`.
public struct AttentionSummary: Sendable, Equatable {
    /// `[n, n]` attention rollout.
    public var rollout: Tensor
    /// Entropy in nats, `[selected layer][selected head]`.
    public var entropy: [[Float]]

    /// Summarises one sequence's attention maps.
    /// - Parameters:
    ///   - attentions: the encoder's maps, layer → `[H, n, n]` (must hold every layer of `layers`).
    ///   - layers: the response's resolved, non-negative layer indexes, in response order.
    ///   - heads: the response's resolved head indexes, in response order.
    /// - Returns: nil when a layer of `layers` is missing or a head index is out of range.
    public init?(attentions: [Int: Tensor], layers: [Int], heads: [Int]) {
        var maps: [Tensor] = []
        for layer in Set(layers).sorted() {
            guard let map = attentions[layer] else { return nil }
            maps.append(map)
        }
        var entropy: [[Float]] = []
        for layer in layers {
            guard let map = attentions[layer] else { return nil }
            let perHead = AttentionAnalysis.entropy(map)
            guard heads.allSatisfy({ $0 >= 0 && $0 < perHead.count }) else { return nil }
            entropy.append(heads.map { perHead[$0] })
        }
        self.rollout = AttentionAnalysis.rollout(maps)
        self.entropy = entropy
    }

    /// Summarises one sequence from what the pass computed for it: the per-layer means over all heads
    /// (`attentionMeans`) and the selected heads' entropies (`entropies`, in `heads` order), so no map is kept.
    /// - Returns: nil when a layer of `layers` lacks its mean or entropies.
    public init?(output: EncoderOutput, layers: [Int]) {
        var means: [Tensor] = []
        for layer in Set(layers).sorted() {
            guard let mean = output.attentionMeans[layer] else { return nil }
            means.append(mean)
        }
        var entropy: [[Float]] = []
        for layer in layers {
            guard let values = output.entropies[layer] else { return nil }
            entropy.append(values)
        }
        self.rollout = AttentionAnalysis.rollout(means)
        self.entropy = entropy
    }
}
