/// Names one parameter of an encoder: a row of the table on ``EncoderWeights``. `PackedParameters` asks a
/// `ParameterSource` for each by this name, and the checkpoint loader maps each to its Hugging Face tensor.
enum EncoderParameter: Hashable, Sendable {
    case wordEmbeddings, positionEmbeddings, typeEmbeddings
    case embeddingNormWeight, embeddingNormBias
    case finalNormWeight, finalNormBias
    /// A parameter of layer `index`.
    case layer(Int, Layer)

    /// The parameters of one encoder layer, in ``EncoderWeights/Layer``'s order.
    enum Layer: String, CaseIterable, Sendable {
        case queryWeight, queryBias, keyWeight, keyBias, valueWeight, valueBias
        case attentionOutputWeight, attentionOutputBias, attentionNormWeight, attentionNormBias
        case intermediateWeight, intermediateBias, outputWeight, outputBias, outputNormWeight, outputNormBias

        /// The shape in terms of the configuration: linear weights are `[out, in]`.
        func shape(_ c: EncoderConfiguration) -> [Int] {
            let d = c.hiddenSize
            let f = c.intermediateSize
            switch self {
            case .queryWeight, .keyWeight, .valueWeight, .attentionOutputWeight: return [d, d]
            case .intermediateWeight: return [c.intermediateRows, d]
            case .outputWeight: return [d, f]
            case .intermediateBias: return [c.intermediateRows]
            default: return [d]
            }
        }
    }

    /// The ``EncoderWeights`` field, as `Encoder`'s shape errors name it (`layers.3.queryWeight`).
    var field: String {
        switch self {
        case .wordEmbeddings: "wordEmbeddings"
        case .positionEmbeddings: "positionEmbeddings"
        case .typeEmbeddings: "typeEmbeddings"
        case .embeddingNormWeight: "embeddingNormWeight"
        case .embeddingNormBias: "embeddingNormBias"
        case .finalNormWeight: "finalNormWeight"
        case .finalNormBias: "finalNormBias"
        case .layer(let index, let parameter): "layers.\(index).\(parameter.rawValue)"
        }
    }

    /// The shape in terms of the configuration (see the table on ``EncoderWeights``).
    func shape(_ c: EncoderConfiguration) -> [Int] {
        let d = c.hiddenSize
        switch self {
        case .wordEmbeddings: return [c.vocabularySize, d]
        case .positionEmbeddings: return [c.maxPositions + c.positionOffset, d]
        case .typeEmbeddings: return [c.typeVocabularySize, d]
        case .embeddingNormWeight, .embeddingNormBias, .finalNormWeight, .finalNormBias: return [d]
        case .layer(_, let parameter): return parameter.shape(c)
        }
    }
}
