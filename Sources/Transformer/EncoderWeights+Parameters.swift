extension EncoderWeights: ParameterSource {
    /// The tensor of `parameter`: nil where the field is nil or the layer does not exist. Setting a layer's
    /// parameter needs the layer to exist.
    subscript(parameter: EncoderParameter) -> Tensor? {
        get {
            switch parameter {
            case .wordEmbeddings: wordEmbeddings
            case .positionEmbeddings: positionEmbeddings
            case .typeEmbeddings: typeEmbeddings
            case .embeddingNormWeight: embeddingNormWeight
            case .embeddingNormBias: embeddingNormBias
            case .finalNormWeight: finalNormWeight
            case .finalNormBias: finalNormBias
            case .layer(let index, let field):
                layers.indices.contains(index) ? layers[index][keyPath: Self.keyPath(field)] : nil
            }
        }
        set {
            switch parameter {
            case .wordEmbeddings: wordEmbeddings = newValue ?? Tensor(zeros: [0])
            case .positionEmbeddings: positionEmbeddings = newValue
            case .typeEmbeddings: typeEmbeddings = newValue
            case .embeddingNormWeight: embeddingNormWeight = newValue ?? Tensor(zeros: [0])
            case .embeddingNormBias: embeddingNormBias = newValue ?? Tensor(zeros: [0])
            case .finalNormWeight: finalNormWeight = newValue
            case .finalNormBias: finalNormBias = newValue
            case .layer(let index, let field):
                layers[index][keyPath: Self.keyPath(field)] = newValue ?? Tensor(zeros: [0])
            }
        }
    }

    /// The ``Layer`` field of a layer parameter.
    static func keyPath(_ field: EncoderParameter.Layer) -> WritableKeyPath<Layer, Tensor> {
        switch field {
        case .queryWeight: \.queryWeight
        case .queryBias: \.queryBias
        case .keyWeight: \.keyWeight
        case .keyBias: \.keyBias
        case .valueWeight: \.valueWeight
        case .valueBias: \.valueBias
        case .attentionOutputWeight: \.attentionOutputWeight
        case .attentionOutputBias: \.attentionOutputBias
        case .attentionNormWeight: \.attentionNormWeight
        case .attentionNormBias: \.attentionNormBias
        case .intermediateWeight: \.intermediateWeight
        case .intermediateBias: \.intermediateBias
        case .outputWeight: \.outputWeight
        case .outputBias: \.outputBias
        case .outputNormWeight: \.outputNormWeight
        case .outputNormBias: \.outputNormBias
        }
    }

    /// Weights whose every tensor is empty, with `layers` empty layers (filled in by parameter).
    static func empty(layers: Int) -> EncoderWeights {
        let empty = Tensor(zeros: [0])
        let layer = Layer(
            queryWeight: empty, queryBias: empty, keyWeight: empty, keyBias: empty, valueWeight: empty,
            valueBias: empty, attentionOutputWeight: empty, attentionOutputBias: empty, attentionNormWeight: empty,
            attentionNormBias: empty, intermediateWeight: empty, intermediateBias: empty, outputWeight: empty,
            outputBias: empty, outputNormWeight: empty, outputNormBias: empty)
        return EncoderWeights(
            wordEmbeddings: empty, positionEmbeddings: nil, typeEmbeddings: nil, embeddingNormWeight: empty,
            embeddingNormBias: empty, layers: [Layer](repeating: layer, count: layers))
    }

    /// The whole tensor as one run (`Encoder` checked every shape before packing).
    func read(
        _ parameter: EncoderParameter, width: Int,
        _ body: (_ firstRow: Int, _ values: UnsafeBufferPointer<Float>) -> Void
    ) throws(TransformerError) {
        guard let tensor = self[parameter], width > 0, tensor.count % width == 0 else {
            throw .weightShapeMismatch(tensor: parameter.field, expected: [width], actual: self[parameter]?.shape ?? [])
        }
        tensor.storage.withUnsafeBufferPointer { body(0, $0) }
    }

    /// Nothing is mapped: weights in memory are copied into the encoder.
    func resident(_ parameter: EncoderParameter) -> MappedFloats? { nil }
}
