/// How a ragged batch is packed: sequence b occupies token rows offsets[b]..<offsets[b] + lengths[b].
struct BatchPlan {
    let count: Int  // B
    let lengths: [Int]  // n_b
    let offsets: [Int]  // B + 1 prefix sums of n_b
    let tokens: Int  // T
    let ids: [Int32]  // [T]
    let typeIds: [Int32]  // [T]
    let positions: [Int32]  // [T] position of each token within its sequence
    let mapOffsets: [Int]  // B + 1 prefix sums of H·n_b² (a kept layer's maps, sequence after sequence)
    let keepLayers: [Int]  // sorted, in range

    init(_ inputs: [EncoderInput], configuration: EncoderConfiguration, keepLayers: Set<Int>) {
        count = inputs.count
        lengths = inputs.map(\.ids.count)
        var offsets = [0]
        var mapOffsets = [0]
        for n in lengths {
            offsets.append(offsets.last! + n)
            mapOffsets.append(mapOffsets.last! + configuration.heads * n * n)
        }
        self.offsets = offsets
        self.mapOffsets = mapOffsets
        tokens = offsets.last!
        ids = inputs.flatMap(\.ids)
        typeIds = inputs.flatMap { $0.typeIds ?? [Int32](repeating: 0, count: $0.ids.count) }
        positions = lengths.flatMap { (0..<$0).map { Int32($0) } }
        self.keepLayers = keepLayers.filter { (0..<configuration.layers).contains($0) }.sorted()
    }

    /// Copies sequence b's rows of a [T, width] buffer into an [n_b, width] tensor.
    func rows(of b: Int, in buffer: UnsafeMutablePointer<Float>, width: Int) -> Tensor {
        let n = lengths[b]
        let start = buffer + offsets[b] * width
        return Tensor(shape: [n, width], storage: Array(UnsafeBufferPointer(start: start, count: n * width)))
    }
}

/// Scratch buffers of one forward pass (allocated once per call, reused by every layer).
struct Workspace {
    let x: UnsafeMutablePointer<Float>  // [T, d] hidden state
    let normed: UnsafeMutablePointer<Float>  // [T, d] pre-LN block input
    let qkv: UnsafeMutablePointer<Float>  // [T, 3d]
    let context: UnsafeMutablePointer<Float>  // [T, d]
    let projection: UnsafeMutablePointer<Float>  // [T, d]
    let inner: UnsafeMutablePointer<Float>  // [T, f]
    let scores: UnsafeMutablePointer<Float>  // workers × [n_max, n̂_max]
    let scoresPerWorker: Int
    let maps: [Int: UnsafeMutablePointer<Float>]  // kept layer → Σ_b H·n_b² floats

    init(plan: BatchPlan, configuration c: EncoderConfiguration, workers: Int) {
        let t = plan.tokens
        let d = c.hiddenSize
        x = .allocate(capacity: t * d)
        normed = .allocate(capacity: t * d)
        qkv = .allocate(capacity: t * 3 * d)
        context = .allocate(capacity: t * d)
        projection = .allocate(capacity: t * d)
        inner = .allocate(capacity: t * c.intermediateSize)
        let longest = plan.lengths.max() ?? 0
        scoresPerWorker = longest * ((longest + 15) & ~15)
        scores = .allocate(capacity: Swift.max(1, workers * scoresPerWorker))
        var maps: [Int: UnsafeMutablePointer<Float>] = [:]
        for l in plan.keepLayers { maps[l] = .allocate(capacity: Swift.max(1, plan.mapOffsets.last!)) }
        self.maps = maps
    }

    func deallocate() {
        for p in [x, normed, qkv, context, projection, inner, scores] { p.deallocate() }
        for p in maps.values { p.deallocate() }
    }
}
