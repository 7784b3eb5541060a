import Foundation

// Shape legend: see Encoder.swift (B sequences, n_b tokens each, T = Σ n_b packed rows, d, f, H, n̂).

/// How a ragged batch is packed: sequence b occupies token rows offsets[b]..<offsets[b] + lengths[b].
struct BatchPlan {
    let count: Int  // B
    let lengths: [Int]  // n_b
    let offsets: [Int]  // B + 1 prefix sums of n_b
    let tokens: Int  // T
    let ids: [Int32]  // [T]
    let typeIds: [Int32]  // [T]
    let positions: [Int32]  // [T] position of each token within its sequence
    let keepLayers: [Int]  // sorted, in range
    let ablated: [Set<AttentionHead>]  // [B] heads whose context is zeroed (EncoderInput.ablatedHeads)

    init(_ inputs: [EncoderInput], configuration: EncoderConfiguration, keepLayers: Set<Int>) {
        count = inputs.count
        lengths = inputs.map(\.ids.count)
        var offsets = [0]
        for n in lengths {
            offsets.append(offsets.last! + n)
        }
        self.offsets = offsets
        tokens = offsets.last!
        ids = inputs.flatMap(\.ids)
        typeIds = inputs.flatMap { $0.typeIds ?? [Int32](repeating: 0, count: $0.ids.count) }
        positions = lengths.flatMap { (0..<$0).map { Int32($0) } }
        self.keepLayers = keepLayers.filter { (0..<configuration.layers).contains($0) }.sorted()
        ablated = inputs.map(\.ablatedHeads)
    }

    /// Whether head h of layer l is ablated for sequence b.
    func isAblated(_ b: Int, layer l: Int, head h: Int) -> Bool {
        !ablated[b].isEmpty && ablated[b].contains(AttentionHead(layer: l, head: h))
    }

    /// Copies sequence b's rows of a [T, width] buffer into an [n_b, width] tensor.
    func rows(of b: Int, in buffer: UnsafeMutablePointer<Float>, width: Int) -> Tensor {
        let n = lengths[b]
        let start = buffer + offsets[b] * width
        return Tensor(shape: [n, width], storage: Array(UnsafeBufferPointer(start: start, count: n * width)))
    }
}
