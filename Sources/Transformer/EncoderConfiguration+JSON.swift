import Foundation

extension EncoderConfiguration {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case layers, heads, seed, activation
        case hiddenSize = "hidden_size"
        case intermediateSize = "intermediate_size"
        case maxPositions = "max_positions"
        case vocabularySize = "vocab_size"
        case typeVocabularySize = "type_vocab_size"
        case positionalEncoding = "positional_encoding"
        case normPlacement = "norm_placement"
        case layerNormEpsilon = "layer_norm_eps"
        case positionOffset = "position_offset"
        case embeddingNorm = "embedding_norm"
        case causal
        case ropeTheta = "rope_theta"
        case localRopeTheta = "local_rope_theta"
        case localAttention = "local_attention"
        case globalAttentionEvery = "global_attention_every"
        case gatedFeedForward = "gated_feed_forward"
        case firstAttentionNorm = "first_attention_norm"
    }

    private struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// Decodes snake_case keys; missing keys keep ``init()``'s values, unknown keys are rejected.
    public init(from decoder: any Swift.Decoder) throws {
        let all = try decoder.container(keyedBy: AnyKey.self)
        let known = Set(CodingKeys.allCases.map(\.rawValue))
        if let unknown = all.allKeys.map(\.stringValue).sorted().first(where: { !known.contains($0) }) {
            throw TransformerError.invalidConfiguration(field: unknown, reason: "unknown key")
        }
        let c = try decoder.container(keyedBy: CodingKeys.self)
        /// Decodes one key; any failure is reported against that key (JSONDecoder's own message for a
        /// negative unsigned number is "not valid JSON" with no path).
        func value<T: Decodable>(_ key: CodingKeys, _ current: T) throws -> T {
            do {
                return try c.decodeIfPresent(T.self, forKey: key) ?? current
            } catch {
                throw TransformerError.invalidConfiguration(field: key.rawValue, reason: Self.reason(error, T.self))
            }
        }
        self.init()
        layers = try value(.layers, layers)
        heads = try value(.heads, heads)
        hiddenSize = try value(.hiddenSize, hiddenSize)
        intermediateSize = try value(.intermediateSize, intermediateSize)
        maxPositions = try value(.maxPositions, maxPositions)
        vocabularySize = try value(.vocabularySize, vocabularySize)
        typeVocabularySize = try value(.typeVocabularySize, typeVocabularySize)
        positionalEncoding = try value(.positionalEncoding, positionalEncoding)
        normPlacement = try value(.normPlacement, normPlacement)
        activation = try value(.activation, activation)
        layerNormEpsilon = try value(.layerNormEpsilon, layerNormEpsilon)
        seed = try value(.seed, seed)
        positionOffset = try value(.positionOffset, positionOffset)
        embeddingNorm = try value(.embeddingNorm, embeddingNorm)
        causal = try value(.causal, causal)
        ropeTheta = try value(.ropeTheta, ropeTheta)
        localRopeTheta = try value(.localRopeTheta, localRopeTheta)
        localAttention = try value(.localAttention, localAttention)
        globalAttentionEvery = try value(.globalAttentionEvery, globalAttentionEvery)
        gatedFeedForward = try value(.gatedFeedForward, gatedFeedForward)
        firstAttentionNorm = try value(.firstAttentionNorm, firstAttentionNorm)
    }

    /// Encodes every field under its snake_case key.
    public func encode(to encoder: any Swift.Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(layers, forKey: .layers)
        try c.encode(heads, forKey: .heads)
        try c.encode(hiddenSize, forKey: .hiddenSize)
        try c.encode(intermediateSize, forKey: .intermediateSize)
        try c.encode(maxPositions, forKey: .maxPositions)
        try c.encode(vocabularySize, forKey: .vocabularySize)
        try c.encode(typeVocabularySize, forKey: .typeVocabularySize)
        try c.encode(positionalEncoding, forKey: .positionalEncoding)
        try c.encode(normPlacement, forKey: .normPlacement)
        try c.encode(activation, forKey: .activation)
        try c.encode(layerNormEpsilon, forKey: .layerNormEpsilon)
        try c.encode(seed, forKey: .seed)
        try c.encode(positionOffset, forKey: .positionOffset)
        try c.encode(embeddingNorm, forKey: .embeddingNorm)
        try c.encode(causal, forKey: .causal)
        try c.encode(ropeTheta, forKey: .ropeTheta)
        try c.encode(localRopeTheta, forKey: .localRopeTheta)
        try c.encode(localAttention, forKey: .localAttention)
        try c.encode(globalAttentionEvery, forKey: .globalAttentionEvery)
        try c.encode(gatedFeedForward, forKey: .gatedFeedForward)
        try c.encode(firstAttentionNorm, forKey: .firstAttentionNorm)
    }

    /// Parses a JSON object and validates it. Every failure — malformed JSON, an unknown key, a value of the
    /// wrong type or name, a bad size — is `.invalidConfiguration` naming the field (`$` for the document).
    public static func decode(json: [UInt8]) throws(TransformerError) -> EncoderConfiguration {
        let configuration: EncoderConfiguration
        do {
            configuration = try JSONDecoder().decode(EncoderConfiguration.self, from: Data(json))
        } catch let error as TransformerError {
            throw error
        } catch let DecodingError.typeMismatch(_, context) {
            throw .invalidConfiguration(field: fieldName(context), reason: "wrong type: \(context.debugDescription)")
        } catch let DecodingError.valueNotFound(_, context) {
            throw .invalidConfiguration(field: fieldName(context), reason: "null is not allowed")
        } catch let DecodingError.dataCorrupted(context) {
            throw .invalidConfiguration(field: fieldName(context), reason: context.debugDescription)
        } catch {
            throw .invalidConfiguration(field: "$", reason: "\(error)")
        }
        try configuration.validate()
        return configuration
    }

    private static func reason<T>(_ error: any Error, _ type: T.Type) -> String {
        switch T.self {
        case is PositionalEncoding.Type: return "expected one of sinusoidal, learned, rotary, none"
        case is NormPlacement.Type: return "expected one of post, pre"
        case is Activation.Type: return "expected one of gelu, gelu_tanh, relu"
        case is UInt64.Type: return "expected a non-negative integer below 2^64"
        case is Int.Type: return "expected an integer"
        case is Float.Type, is Double.Type: return "expected a number"
        case is Bool.Type: return "expected true or false"
        default: return "\(error)"
        }
    }

    private static func fieldName(_ context: DecodingError.Context) -> String {
        context.codingPath.last?.stringValue ?? "$"
    }
}
