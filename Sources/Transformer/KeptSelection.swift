// Shape legend: see Encoder.swift (n, d, H, L).

/// One sequence's ``KeptOutputs`` resolved against an encoder's configuration: the lists the pass walks and the
/// slots its outputs go to. ``Encoder/keptBytes(for:options:)`` counts from the same resolution.
struct KeptSelection {
    /// Kept heads in output order (out-of-range and repeated heads dropped).
    let heads: [Int]
    /// Per head h (0..<H): its slot in `heads`, or −1 when not kept.
    let headSlots: [Int]
    /// Sorted in-range layers whose [heads.count, n, n] maps are kept (none when `heads` is empty).
    let mapLayers: [Int]
    /// Sorted in-range layers whose [n, n] head mean is kept.
    let meanLayers: [Int]
    /// Sorted in-range layers whose [heads.count] entropies are kept (none when `heads` is empty).
    let entropyLayers: [Int]
    /// Per layer l (0..<L): its slot in `mapLayers` / `meanLayers` / `entropyLayers`, or −1.
    let mapSlots: [Int]
    let meanSlots: [Int]
    let entropySlots: [Int]
    /// Keep all L+1 hidden states.
    let hiddenStates: Bool
    /// Contribution measures in answer order (none for a pre-LN encoder or without layers; ``ContributionMeasure/
    /// normHeads`` dropped when `heads` is empty), the sorted in-range layers they are kept for, and per layer l its
    /// slot there or −1.
    let contributionMeasures: [ContributionMeasure]
    let contributionLayers: [Int]
    let contributionSlots: [Int]

    init(_ keep: KeptOutputs, configuration c: EncoderConfiguration) {
        var heads: [Int] = []
        var slots = [Int](repeating: -1, count: c.heads)
        for h in keep.heads ?? Array(0..<c.heads) where (0..<c.heads).contains(h) && slots[h] < 0 {
            slots[h] = heads.count
            heads.append(h)
        }
        self.heads = heads
        headSlots = slots
        func resolve(_ layers: Set<Int>) -> (layers: [Int], slots: [Int]) {
            let sorted = layers.filter { (0..<c.layers).contains($0) }.sorted()
            var slots = [Int](repeating: -1, count: c.layers)
            for (slot, l) in sorted.enumerated() { slots[l] = slot }
            return (sorted, slots)
        }
        (mapLayers, mapSlots) = resolve(heads.isEmpty ? [] : keep.attentionLayers)
        (meanLayers, meanSlots) = resolve(keep.headMeanLayers)
        (entropyLayers, entropySlots) = resolve(heads.isEmpty ? [] : keep.entropyLayers)
        hiddenStates = keep.hiddenStates
        var measures = c.supportsContributions ? keep.contributions.sorted() : []
        if heads.isEmpty { measures.removeAll { $0 == .normHeads } }
        (contributionLayers, contributionSlots) = resolve(measures.isEmpty ? [] : keep.contributionLayers)
        contributionMeasures = contributionLayers.isEmpty ? [] : measures
    }

    /// Whether layer l's attention has anything to keep for this sequence (then it runs on the kept path).
    func keepsAttention(of l: Int) -> Bool {
        mapSlots[l] >= 0 || meanSlots[l] >= 0 || entropySlots[l] >= 0
    }

    /// Floats retained for a sequence of `n` tokens: last hidden state [n, d], hidden states (L+1) × [n, d], maps
    /// per kept layer [heads.count, n, n], means per layer [n, n], entropies per layer [heads.count], contributions
    /// per measure and layer [n, n] ([heads.count, n, n] for norm_heads), and the pooled [d] when `pooled`.
    func floats(length n: Int, configuration c: EncoderConfiguration, pooled: Bool) -> Int {
        let d = c.hiddenSize
        var total = n * d
        if hiddenStates { total += (c.layers + 1) * n * d }
        total += mapLayers.count * heads.count * n * n
        total += meanLayers.count * n * n
        total += entropyLayers.count * heads.count
        total += ContributionStore.floats(
            measures: contributionMeasures, layers: contributionLayers.count, heads: heads.count, length: n)
        if pooled { total += d }
        return total
    }
}
