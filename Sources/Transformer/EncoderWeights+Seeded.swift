extension EncoderWeights {
    /// Deterministic initialisation from `configuration.seed`, bit-identical on every run and machine.
    ///
    /// Scheme (BERT's `initializer_range` = 0.02): every matrix — embeddings and linear weights — is drawn from
    /// N(0, 0.02²); biases are 0; LayerNorm γ = 1, β = 0. Deviates come from ``NormalGenerator`` (SplitMix64 seeded
    /// with `seed`, Box–Muller polar form, libm-free logarithm), rounded double → float, in this order: word,
    /// position (learned only), type embeddings, then per layer query, key, value, attention output,
    /// intermediate ([2f, d] when gated), output weights. The sinusoidal and rotary tables are not weights (computed by
    /// the encoder).
    public static func seeded(_ configuration: EncoderConfiguration) -> EncoderWeights {
        var generator = NormalGenerator(seed: configuration.seed)
        let d = configuration.hiddenSize
        let f = configuration.intermediateSize
        func normal(_ shape: [Int]) -> Tensor {
            let count = shape.reduce(1, *)
            var values = [Float](repeating: 0, count: count)
            for i in 0..<count { values[i] = Float(0.02 * generator.next()) }
            return Tensor(shape: shape, storage: values)
        }
        func constant(_ n: Int, _ value: Float) -> Tensor {
            Tensor(shape: [n], storage: [Float](repeating: value, count: n))
        }
        let word = normal([configuration.vocabularySize, d])
        let position =
            configuration.positionalEncoding == .learned
            ? normal([configuration.maxPositions + configuration.positionOffset, d]) : nil
        let type = configuration.typeVocabularySize > 0 ? normal([configuration.typeVocabularySize, d]) : nil
        var layers: [Layer] = []
        for _ in 0..<configuration.layers {
            let q = normal([d, d])
            let k = normal([d, d])
            let v = normal([d, d])
            let o = normal([d, d])
            let i = normal([configuration.intermediateRows, d])
            let out = normal([d, f])
            layers.append(
                Layer(
                    queryWeight: q, queryBias: constant(d, 0), keyWeight: k, keyBias: constant(d, 0),
                    valueWeight: v, valueBias: constant(d, 0), attentionOutputWeight: o,
                    attentionOutputBias: constant(d, 0), attentionNormWeight: constant(d, 1),
                    attentionNormBias: constant(d, 0), intermediateWeight: i,
                    intermediateBias: constant(configuration.intermediateRows, 0),
                    outputWeight: out, outputBias: constant(d, 0), outputNormWeight: constant(d, 1),
                    outputNormBias: constant(d, 0)))
        }
        let pre = configuration.normPlacement == .pre
        return EncoderWeights(
            wordEmbeddings: word, positionEmbeddings: position, typeEmbeddings: type,
            embeddingNormWeight: constant(d, 1), embeddingNormBias: constant(d, 0), layers: layers,
            finalNormWeight: pre ? constant(d, 1) : nil, finalNormBias: pre ? constant(d, 0) : nil)
    }
}
