import Foundation

// Shape legend (used in the comments of every Encoder file):
//   B  sequences in a batch            n_b  length of sequence b          T = Σ n_b  tokens in the batch
//   d  hiddenSize                      H    heads      dh = d / H          f  intermediateSize
//   L  layers                          V    vocabularySize             P  maxPositions
//   n̂  n rounded up to 16 (a score row's padded width; pad keys hold −∞)
//
// Batches are ragged: the T real tokens are packed row after row ([T, d]), so the linear layers never compute
// pad rows; attention runs per sequence and head over that sequence's own keys, padded to n̂ with −∞ keys.

/// A transformer encoder: embeddings, L post-LN or pre-LN layers, pooling. Immutable and thread-safe.
public final class Encoder: Sendable {
    /// The architecture.
    public let configuration: EncoderConfiguration
    let parameters: PackedParameters
    let workspaces = WorkspacePool()
    let contributionWorkspaces = ContributionWorkspacePool()
    let contributionOperands = ContributionOperands()

    /// Checks `weights` against `configuration` and packs them for the kernels (Q, K, V fused into [3d, d]).
    public init(configuration: EncoderConfiguration, weights: EncoderWeights) throws(TransformerError) {
        try configuration.validate()
        try Self.check(weights, configuration)
        self.configuration = configuration
        self.parameters = try PackedParameters(configuration: configuration, source: weights)
    }

    /// Packs the parameters `source` hands over (it checks their shapes; `configuration` is valid).
    init(configuration: EncoderConfiguration, source: some ParameterSource) throws(TransformerError) {
        self.configuration = configuration
        self.parameters = try PackedParameters(configuration: configuration, source: source)
    }

    /// An encoder with ``EncoderWeights/seeded(_:)`` weights.
    public static func seeded(_ configuration: EncoderConfiguration) throws(TransformerError) -> Encoder {
        try configuration.validate()
        return try Encoder(configuration: configuration, weights: .seeded(configuration))
    }

    /// Matrix-product FLOPs of one pass over sequences of these lengths (2 per multiply-add):
    /// per token and layer 2·d·3d (QKV) + 2·d·d (output) + 4·d·f (feed-forward; 6·d·f gated, W₁ being [2f, d]),
    /// per sequence and layer 4·n²·d (Q·Kᵀ and P·V over all heads, local layers counted in full).
    public func flops(lengths: [Int]) -> Double {
        let d = Double(configuration.hiddenSize)
        let feedForward = Double(configuration.intermediateRows + configuration.intermediateSize) * 2 * d
        var total = 0.0
        for n in lengths {
            let tokens = Double(n)
            total += tokens * (6 * d * d + 2 * d * d + feedForward) + 4 * tokens * tokens * d
        }
        return total * Double(configuration.layers)
    }

    /// Float parameters the encoder holds (float32: 4 bytes each): embedding tables, LayerNorms, linear weights and
    /// biases. The sinusoidal position table is computed, not counted.
    public var parameterCount: Int {
        let c = configuration
        let d = c.hiddenSize
        let f = c.intermediateSize
        var count = (c.vocabularySize + c.typeVocabularySize) * d + (c.embeddingNorm ? 2 * d : 0)
        if c.positionalEncoding == .learned { count += (c.maxPositions + c.positionOffset) * d }
        if c.normPlacement == .pre { count += 2 * d }
        let fi = c.intermediateRows
        count += c.layers * (4 * d * d + (fi + f) * d + 4 * d + fi + d + 4 * d)
        return count
    }

    private static func check(_ w: EncoderWeights, _ c: EncoderConfiguration) throws(TransformerError) {
        let d = c.hiddenSize
        let f = c.intermediateSize
        let fi = c.intermediateRows
        func expect(_ tensor: Tensor?, _ shape: [Int], _ name: String) throws(TransformerError) {
            let actual = tensor?.shape ?? []
            guard actual == shape, let tensor, tensor.storage.count == shape.reduce(1, *) else {
                throw .weightShapeMismatch(tensor: name, expected: shape, actual: actual)
            }
        }
        try expect(w.wordEmbeddings, [c.vocabularySize, d], "wordEmbeddings")
        if c.positionalEncoding == .learned {
            try expect(w.positionEmbeddings, [c.maxPositions + c.positionOffset, d], "positionEmbeddings")
        }
        if c.typeVocabularySize > 0 {
            try expect(w.typeEmbeddings, [c.typeVocabularySize, d], "typeEmbeddings")
        }
        if c.embeddingNorm {
            try expect(w.embeddingNormWeight, [d], "embeddingNormWeight")
            try expect(w.embeddingNormBias, [d], "embeddingNormBias")
        }
        guard w.layers.count == c.layers else {
            throw .weightShapeMismatch(tensor: "layers", expected: [c.layers], actual: [w.layers.count])
        }
        for (i, layer) in w.layers.enumerated() {
            let p = "layers.\(i)."
            try expect(layer.queryWeight, [d, d], p + "queryWeight")
            try expect(layer.queryBias, [d], p + "queryBias")
            try expect(layer.keyWeight, [d, d], p + "keyWeight")
            try expect(layer.keyBias, [d], p + "keyBias")
            try expect(layer.valueWeight, [d, d], p + "valueWeight")
            try expect(layer.valueBias, [d], p + "valueBias")
            try expect(layer.attentionOutputWeight, [d, d], p + "attentionOutputWeight")
            try expect(layer.attentionOutputBias, [d], p + "attentionOutputBias")
            try expect(layer.attentionNormWeight, [d], p + "attentionNormWeight")
            try expect(layer.attentionNormBias, [d], p + "attentionNormBias")
            try expect(layer.intermediateWeight, [fi, d], p + "intermediateWeight")
            try expect(layer.intermediateBias, [fi], p + "intermediateBias")
            try expect(layer.outputWeight, [d, f], p + "outputWeight")
            try expect(layer.outputBias, [d], p + "outputBias")
            try expect(layer.outputNormWeight, [d], p + "outputNormWeight")
            try expect(layer.outputNormBias, [d], p + "outputNormBias")
        }
        if c.normPlacement == .pre {
            try expect(w.finalNormWeight, [d], "finalNormWeight")
            try expect(w.finalNormBias, [d], "finalNormBias")
        }
    }
}

/// All parameters laid out for the kernels, each held once: the linear weights as panels in one allocation, every
/// other parameter in another, except an F32 checkpoint's word-embedding table, which is read in place from its
/// mapping (``MappedFloats``). Immutable after init.
final class PackedParameters: @unchecked Sendable {
    /// Linear weights are kept only as panels (`PanelMatrix`, packed row by row from the `[out, in]` weights).
    struct Layer {
        let qkvBias: UnsafeMutablePointer<Float>  // [3d]
        let attentionOutputBias: UnsafeMutablePointer<Float>  // [d]
        let attentionNormWeight: UnsafeMutablePointer<Float>  // [d]
        let attentionNormBias: UnsafeMutablePointer<Float>  // [d]
        let intermediateBias: UnsafeMutablePointer<Float>  // [f] ([2f] gated)
        let outputBias: UnsafeMutablePointer<Float>  // [d]
        let outputNormWeight: UnsafeMutablePointer<Float>  // [d]
        let outputNormBias: UnsafeMutablePointer<Float>  // [d]
        let qkvPanels: PanelMatrix  // [d, 3d]: outputs 0..<d query, d..<2d key, 2d..<3d value
        let attentionOutputPanels: PanelMatrix
        let intermediatePanels: PanelMatrix
        let outputPanels: PanelMatrix
    }

    private let base: UnsafeMutablePointer<Float>
    private let panelBase: UnsafeMutablePointer<Float>
    /// The word-embedding table's mapping when it is read in place (kept alive with the encoder).
    let mappedWordEmbeddings: MappedFloats?
    let wordEmbeddings: UnsafePointer<Float>  // [V, d]
    let positions: UnsafeMutablePointer<Float>?  // [P + offset, d] learned or sinusoidal table; nil for none, rotary
    /// Rotary tables (``PositionalEncoding/rotary``), global and local θ: cos then sin, each [P, dh/2].
    let rotary: (global: UnsafePointer<Float>, local: UnsafePointer<Float>)?
    let typeEmbeddings: UnsafeMutablePointer<Float>?  // [Y, d]
    let embeddingNormWeight: UnsafeMutablePointer<Float>?  // [d]; nil without an embedding LayerNorm
    let embeddingNormBias: UnsafeMutablePointer<Float>?  // [d]
    let layers: [Layer]
    let finalNormWeight: UnsafeMutablePointer<Float>?  // [d]
    let finalNormBias: UnsafeMutablePointer<Float>?  // [d]

    /// Reads every parameter `configuration` needs from `source` once, straight into its place: the word
    /// embeddings first (in place when `source` offers them mapped), then the other embeddings and norms, then per
    /// layer its biases and norms and its four panel matrices. Throws what `source` throws, freeing what it
    /// allocated.
    init(configuration c: EncoderConfiguration, source: some ParameterSource) throws(TransformerError) {
        let d = c.hiddenSize
        let f = c.intermediateSize
        let fi = c.intermediateRows
        let learned = c.positionalEncoding == .learned
        let hasPositions = learned || c.positionalEncoding == .sinusoidal
        let rotates = c.positionalEncoding == .rotary
        let rotaryCount = 2 * c.maxPositions * (c.headSize / 2)  // cos and sin, [P, dh/2] each
        let hasTypes = c.typeVocabularySize > 0
        let pre = c.normPlacement == .pre
        func rounded(_ n: Int) -> Int { (n + 15) & ~15 }  // each parameter starts on a 64-byte boundary
        let mapped = try source.resident(.wordEmbeddings)
        let tableRows = c.maxPositions + c.positionOffset
        var total = (mapped == nil ? rounded(c.vocabularySize * d) : 0) + (c.embeddingNorm ? 2 * rounded(d) : 0)
        if hasPositions { total += rounded(tableRows * d) }
        if hasTypes { total += rounded(c.typeVocabularySize * d) }
        if pre { total += 2 * rounded(d) }
        if rotates { total += 2 * rounded(rotaryCount) }
        total += c.layers * (rounded(3 * d) + 6 * rounded(d) + rounded(fi))
        let panelShapes = [(d, 3 * d), (d, d), (d, fi), (f, d)]
        let perLayer = panelShapes.reduce(0) { $0 + PanelMatrix.capacity(inner: $1.0, outputs: $1.1) }
        let base = UnsafeMutablePointer<Float>.allocate(capacity: Swift.max(total, 16))
        let panelBase = UnsafeMutablePointer<Float>.allocate(capacity: Swift.max(perLayer * c.layers, 16))
        var cursor = base
        var panelCursor = panelBase
        /// Copies `parameter` (`count` values in rows of `width`) to the cursor.
        func place(_ parameter: EncoderParameter, count: Int, width: Int) throws(TransformerError)
            -> UnsafeMutablePointer<Float>
        {
            let destination = cursor
            try source.read(parameter, width: width) { firstRow, values in
                guard let start = values.baseAddress else { return }
                (destination + firstRow * width).update(
                    from: start, count: Swift.min(values.count, count - firstRow * width))
            }
            cursor += rounded(count)
            return destination
        }
        /// Packs the `[out, in]` weights `parts` (stacked along out) as the panels of one [in, Σ out] matrix.
        func panels(_ parts: [EncoderParameter], inner: Int) throws(TransformerError) -> PanelMatrix {
            let outputs = parts.reduce(0) { $0 + $1.shape(c)[0] }
            let matrix = PanelMatrix(zeroing: panelCursor, inner: inner, outputs: outputs)
            var column = 0
            for part in parts {
                let first = column
                try source.read(part, width: inner) { firstRow, values in
                    matrix.store(rows: values, firstOutput: first + firstRow)
                }
                column += part.shape(c)[0]
            }
            panelCursor += PanelMatrix.capacity(inner: inner, outputs: outputs)
            return matrix
        }
        do {
            let word: UnsafePointer<Float>
            if let mapped {
                word = mapped.floats
            } else {
                word = UnsafePointer(try place(.wordEmbeddings, count: c.vocabularySize * d, width: d))
            }
            let normWeight = c.embeddingNorm ? try place(.embeddingNormWeight, count: d, width: d) : nil
            let normBias = c.embeddingNorm ? try place(.embeddingNormBias, count: d, width: d) : nil
            var positionTable: UnsafeMutablePointer<Float>?
            if learned {
                positionTable = try place(.positionEmbeddings, count: tableRows * d, width: d)
            } else if hasPositions {
                Self.sinusoidalTable(positions: tableRows, width: d, into: cursor)
                positionTable = cursor
                cursor += rounded(tableRows * d)
            }
            var rotaryTables: (UnsafePointer<Float>, UnsafePointer<Float>)?
            if rotates {
                let global = cursor
                Encoder.rotaryTable(positions: c.maxPositions, headSize: c.headSize, theta: c.ropeTheta, into: global)
                cursor += rounded(rotaryCount)
                let local = cursor
                Encoder.rotaryTable(
                    positions: c.maxPositions, headSize: c.headSize, theta: c.localRopeTheta, into: local)
                cursor += rounded(rotaryCount)
                rotaryTables = (UnsafePointer(global), UnsafePointer(local))
            }
            let types = hasTypes ? try place(.typeEmbeddings, count: c.typeVocabularySize * d, width: d) : nil
            let finalWeight = pre ? try place(.finalNormWeight, count: d, width: d) : nil
            let finalBias = pre ? try place(.finalNormBias, count: d, width: d) : nil
            var packed: [Layer] = []
            for index in 0..<c.layers {
                func parameter(_ field: EncoderParameter.Layer) -> EncoderParameter { .layer(index, field) }
                let qkvBias = cursor
                for (part, offset) in [(EncoderParameter.Layer.queryBias, 0), (.keyBias, d), (.valueBias, 2 * d)] {
                    try source.read(parameter(part), width: d) { firstRow, values in
                        guard let start = values.baseAddress else { return }
                        (qkvBias + offset + firstRow * d).update(from: start, count: Swift.min(values.count, d))
                    }
                }
                cursor += rounded(3 * d)
                let attentionOutputBias = try place(parameter(.attentionOutputBias), count: d, width: d)
                let attentionNormWeight = try place(parameter(.attentionNormWeight), count: d, width: d)
                let attentionNormBias = try place(parameter(.attentionNormBias), count: d, width: d)
                let intermediateBias = try place(parameter(.intermediateBias), count: fi, width: fi)
                let outputBias = try place(parameter(.outputBias), count: d, width: d)
                let outputNormWeight = try place(parameter(.outputNormWeight), count: d, width: d)
                let outputNormBias = try place(parameter(.outputNormBias), count: d, width: d)
                let qkvPanels = try panels(
                    [parameter(.queryWeight), parameter(.keyWeight), parameter(.valueWeight)], inner: d)
                let attentionOutputPanels = try panels([parameter(.attentionOutputWeight)], inner: d)
                let intermediatePanels = try panels([parameter(.intermediateWeight)], inner: d)
                let outputPanels = try panels([parameter(.outputWeight)], inner: f)
                packed.append(
                    Layer(
                        qkvBias: qkvBias, attentionOutputBias: attentionOutputBias,
                        attentionNormWeight: attentionNormWeight, attentionNormBias: attentionNormBias,
                        intermediateBias: intermediateBias, outputBias: outputBias,
                        outputNormWeight: outputNormWeight, outputNormBias: outputNormBias, qkvPanels: qkvPanels,
                        attentionOutputPanels: attentionOutputPanels, intermediatePanels: intermediatePanels,
                        outputPanels: outputPanels))
            }
            wordEmbeddings = word
            embeddingNormWeight = normWeight
            embeddingNormBias = normBias
            positions = positionTable
            rotary = rotaryTables
            typeEmbeddings = types
            finalNormWeight = finalWeight
            finalNormBias = finalBias
            layers = packed
        } catch {
            base.deallocate()
            panelBase.deallocate()
            throw error
        }
        self.base = base
        self.panelBase = panelBase
        mappedWordEmbeddings = mapped
    }

    deinit {
        base.deallocate()
        panelBase.deallocate()
    }

    /// PE[p, 2i] = sin(p / 10000^(2i/d)), PE[p, 2i+1] = cos(p / 10000^(2i/d)), computed in double, into the
    /// `positions` × `d` floats at `table`.
    static func sinusoidalTable(positions: Int, width d: Int, into table: UnsafeMutablePointer<Float>) {
        table.initialize(repeating: 0, count: positions * d)
        for p in 0..<positions {
            for i in stride(from: 0, to: d, by: 2) {
                let angle = Double(p) / Foundation.pow(10_000, Double(i) / Double(d))
                table[p * d + i] = Float(Foundation.sin(angle))
                if i + 1 < d { table[p * d + i + 1] = Float(Foundation.cos(angle)) }
            }
        }
    }
}
