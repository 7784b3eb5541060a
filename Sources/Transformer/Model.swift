/// An encoder with its tokenizer and its sentence-embedding defaults: what a service serves under one name.
public struct Model: Sendable {
    /// The network.
    public var encoder: Encoder
    /// Text → ids matching `encoder`'s vocabulary.
    public var tokenizer: any Tokenizer
    /// Pooling used when a caller does not choose one.
    public var defaultPooling: Pooling
    /// Whether pooled vectors are L2-normalised by default.
    public var defaultNormalize: Bool
    /// Where the weights came from.
    public var source: ModelSource
    /// The checkpoint's masked-language-model head (`BertForMaskedLM`'s `cls.predictions`), when it has one.
    public var maskedLMHead: MaskedLMHead? = nil
    /// The checkpoint's architecture (`config.json`'s `model_type`), or nil for a seeded encoder, whose switches
    /// are all in its ``EncoderConfiguration``.
    public var family: ModelFamily? = nil

    /// A model from its parts.
    public init(
        encoder: Encoder, tokenizer: any Tokenizer, defaultPooling: Pooling, defaultNormalize: Bool,
        source: ModelSource
    ) {
        self.encoder = encoder
        self.tokenizer = tokenizer
        self.defaultPooling = defaultPooling
        self.defaultNormalize = defaultNormalize
        self.source = source
    }

    /// A seeded encoder (``Encoder/seeded(_:)``) paired with a ``HashingTokenizer`` over its vocabulary size.
    ///
    /// Defaults: mean pooling (what sentence-transformers uses for a folder without its own pooling
    /// configuration), no normalisation (random weights carry no meaning a unit length would preserve; callers
    /// can ask for it).
    public static func seeded(_ configuration: EncoderConfiguration) throws(TransformerError) -> Model {
        let encoder = try Encoder.seeded(configuration)
        return Model(
            encoder: encoder, tokenizer: HashingTokenizer(vocabularySize: configuration.vocabularySize),
            defaultPooling: .mean, defaultNormalize: false, source: .seeded)
    }
}
