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

    /// Checks `weights` against `configuration` and packs them for the kernels (Q, K, V fused into [3d, d]).
    public init(configuration: EncoderConfiguration, weights: EncoderWeights) throws(TransformerError) {
        try configuration.validate()
        try Self.check(weights, configuration)
        self.configuration = configuration
        self.parameters = PackedParameters(configuration: configuration, weights: weights)
    }

    /// An encoder with ``EncoderWeights/seeded(_:)`` weights.
    public static func seeded(_ configuration: EncoderConfiguration) throws(TransformerError) -> Encoder {
        try configuration.validate()
        return try Encoder(configuration: configuration, weights: .seeded(configuration))
    }

    /// Matrix-product FLOPs of one pass over sequences of these lengths (2 per multiply-add):
    /// per token and layer 2·d·3d (QKV) + 2·d·d (output) + 4·d·f (feed-forward), per sequence and layer
    /// 4·n²·d (Q·Kᵀ and P·V over all heads).
    public func flops(lengths: [Int]) -> Double {
        let d = Double(configuration.hiddenSize)
        let f = Double(configuration.intermediateSize)
        var total = 0.0
        for n in lengths {
            let tokens = Double(n)
            total += tokens * (6 * d * d + 2 * d * d + 4 * d * f) + 4 * tokens * tokens * d
        }
        return total * Double(configuration.layers)
    }

    /// Float parameters the encoder holds (float32: 4 bytes each): embedding tables, LayerNorms, linear weights and
    /// biases. The sinusoidal position table is computed, not counted.
    public var parameterCount: Int {
        let c = configuration
        let d = c.hiddenSize
        let f = c.intermediateSize
        var count = (c.vocabularySize + c.typeVocabularySize) * d + 2 * d
        if c.positionalEncoding == .learned { count += c.maxPositions * d }
        if c.normPlacement == .pre { count += 2 * d }
        count += c.layers * (4 * d * d + 2 * d * f + 4 * d + f + d + 4 * d)
        return count
    }

    private static func check(_ w: EncoderWeights, _ c: EncoderConfiguration) throws(TransformerError) {
        let d = c.hiddenSize
        let f = c.intermediateSize
        func expect(_ tensor: Tensor?, _ shape: [Int], _ name: String) throws(TransformerError) {
            let actual = tensor?.shape ?? []
            guard actual == shape, let tensor, tensor.storage.count == shape.reduce(1, *) else {
                throw .weightShapeMismatch(tensor: name, expected: shape, actual: actual)
            }
        }
        try expect(w.wordEmbeddings, [c.vocabularySize, d], "wordEmbeddings")
        if c.positionalEncoding == .learned {
            try expect(w.positionEmbeddings, [c.maxPositions, d], "positionEmbeddings")
        }
        if c.typeVocabularySize > 0 {
            try expect(w.typeEmbeddings, [c.typeVocabularySize, d], "typeEmbeddings")
        }
        try expect(w.embeddingNormWeight, [d], "embeddingNormWeight")
        try expect(w.embeddingNormBias, [d], "embeddingNormBias")
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
            try expect(layer.intermediateWeight, [f, d], p + "intermediateWeight")
            try expect(layer.intermediateBias, [f], p + "intermediateBias")
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

/// All parameters in one allocation, laid out for the kernels. Immutable after init.
final class PackedParameters: @unchecked Sendable {
    /// Linear weights are kept only as panels (`PanelMatrix`, packed from the [in, out] transpose at init).
    struct Layer {
        let qkvBias: UnsafeMutablePointer<Float>  // [3d]
        let attentionOutputBias: UnsafeMutablePointer<Float>  // [d]
        let attentionNormWeight: UnsafeMutablePointer<Float>  // [d]
        let attentionNormBias: UnsafeMutablePointer<Float>  // [d]
        let intermediateBias: UnsafeMutablePointer<Float>  // [f]
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
    let wordEmbeddings: UnsafeMutablePointer<Float>  // [V, d]
    let positions: UnsafeMutablePointer<Float>?  // [P, d] learned or sinusoidal table; nil for none
    let typeEmbeddings: UnsafeMutablePointer<Float>?  // [Y, d]
    let embeddingNormWeight: UnsafeMutablePointer<Float>  // [d]
    let embeddingNormBias: UnsafeMutablePointer<Float>  // [d]
    let layers: [Layer]
    let finalNormWeight: UnsafeMutablePointer<Float>?  // [d]
    let finalNormBias: UnsafeMutablePointer<Float>?  // [d]

    init(configuration c: EncoderConfiguration, weights w: EncoderWeights) {
        let d = c.hiddenSize
        var tensors: [Tensor] = [w.wordEmbeddings, w.embeddingNormWeight, w.embeddingNormBias]
        var positionTable: Tensor?
        switch c.positionalEncoding {
        case .learned: positionTable = w.positionEmbeddings
        case .sinusoidal: positionTable = Self.sinusoidalTable(positions: c.maxPositions, width: d)
        case .none: positionTable = nil
        }
        if let positionTable { tensors.append(positionTable) }
        if c.typeVocabularySize > 0, let t = w.typeEmbeddings { tensors.append(t) }
        if c.normPlacement == .pre, let g = w.finalNormWeight, let b = w.finalNormBias { tensors += [g, b] }
        for l in w.layers {
            tensors += [
                l.queryBias, l.keyBias, l.valueBias, l.attentionOutputBias, l.attentionNormWeight,
                l.attentionNormBias, l.intermediateBias, l.outputBias, l.outputNormWeight, l.outputNormBias,
            ]
        }
        // Each tensor starts on a 64-byte boundary (the fused QKV bias needs at most as much as its 3 parts).
        let total = tensors.reduce(0) { $0 + ($1.count + 15) & ~15 }
        base = .allocate(capacity: Swift.max(total, 16))
        var cursor = base
        func place(_ t: Tensor) -> UnsafeMutablePointer<Float> {
            let p = cursor
            t.storage.withUnsafeBufferPointer { p.update(from: $0.baseAddress!, count: t.count) }
            cursor += (t.count + 15) & ~15
            return p
        }
        wordEmbeddings = place(w.wordEmbeddings)
        embeddingNormWeight = place(w.embeddingNormWeight)
        embeddingNormBias = place(w.embeddingNormBias)
        positions = positionTable.map(place)
        typeEmbeddings = c.typeVocabularySize > 0 ? w.typeEmbeddings.map(place) : nil
        if c.normPlacement == .pre, let g = w.finalNormWeight, let b = w.finalNormBias {
            finalNormWeight = place(g)
            finalNormBias = place(b)
        } else {
            finalNormWeight = nil
            finalNormBias = nil
        }
        let f = c.intermediateSize
        let panelShapes = [(d, 3 * d), (d, d), (d, f), (f, d)]
        let perLayer = panelShapes.reduce(0) { $0 + PanelMatrix.capacity(inner: $1.0, outputs: $1.1) }
        panelBase = .allocate(capacity: Swift.max(perLayer * w.layers.count, 16))
        var panelCursor = panelBase
        /// Packs the [out, in] matrices `parts` (stacked along out) as the panels of one [in, Σ out] matrix, through
        /// a transposed scratch copy.
        func panels(_ parts: [Tensor]) -> PanelMatrix {
            let inputs = parts[0].shape[1]
            let outputs = parts.reduce(0) { $0 + $1.shape[0] }
            let p = UnsafeMutablePointer<Float>.allocate(capacity: Swift.max(1, inputs * outputs))
            defer { p.deallocate() }
            var column = 0
            for t in parts {
                let rows = t.shape[0]
                t.storage.withUnsafeBufferPointer { w in
                    for o in 0..<rows {
                        for i in 0..<inputs { p[i * outputs + column + o] = w[o * inputs + i] }
                    }
                }
                column += rows
            }
            let m = PanelMatrix(packing: p, inner: inputs, outputs: outputs, into: panelCursor)
            panelCursor += PanelMatrix.capacity(inner: inputs, outputs: outputs)
            return m
        }
        var packed: [Layer] = []
        for l in w.layers {
            let qkvBias = cursor
            for t in [l.queryBias, l.keyBias, l.valueBias] {
                t.storage.withUnsafeBufferPointer { cursor.update(from: $0.baseAddress!, count: t.count) }
                cursor += t.count
            }
            cursor += ((3 * d + 15) & ~15) - 3 * d
            let attentionOutputBias = place(l.attentionOutputBias)
            let attentionNormWeight = place(l.attentionNormWeight)
            let attentionNormBias = place(l.attentionNormBias)
            let intermediateBias = place(l.intermediateBias)
            packed.append(
                Layer(
                    qkvBias: qkvBias, attentionOutputBias: attentionOutputBias,
                    attentionNormWeight: attentionNormWeight, attentionNormBias: attentionNormBias,
                    intermediateBias: intermediateBias, outputBias: place(l.outputBias),
                    outputNormWeight: place(l.outputNormWeight), outputNormBias: place(l.outputNormBias),
                    qkvPanels: panels([l.queryWeight, l.keyWeight, l.valueWeight]),
                    attentionOutputPanels: panels([l.attentionOutputWeight]),
                    intermediatePanels: panels([l.intermediateWeight]), outputPanels: panels([l.outputWeight])))
        }
        layers = packed
    }

    deinit {
        base.deallocate()
        panelBase.deallocate()
    }

    /// PE[p, 2i] = sin(p / 10000^(2i/d)), PE[p, 2i+1] = cos(p / 10000^(2i/d)), computed in double.
    static func sinusoidalTable(positions: Int, width d: Int) -> Tensor {
        var table = [Float](repeating: 0, count: positions * d)
        for p in 0..<positions {
            for i in stride(from: 0, to: d, by: 2) {
                let angle = Double(p) / Foundation.pow(10_000, Double(i) / Double(d))
                table[p * d + i] = Float(Foundation.sin(angle))
                if i + 1 < d { table[p * d + i + 1] = Float(Foundation.cos(angle)) }
            }
        }
        return Tensor(shape: [positions, d], storage: table)
    }
}
