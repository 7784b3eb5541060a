import Transformer

/// A model ready to serve: its encoder, tokenizer and defaults, under its configured name.
public struct ServedModel: Sendable {
    public var name: String
    public var encoder: Encoder
    public var tokenizer: any Tokenizer
    public var defaultPooling: Pooling
    public var defaultNormalize: Bool
    public var source: ModelSource

    public init(name: String, model: Model, pooling: Pooling? = nil, normalize: Bool? = nil) {
        self.name = name
        self.encoder = model.encoder
        self.tokenizer = model.tokenizer
        self.defaultPooling = pooling ?? model.defaultPooling
        self.defaultNormalize = normalize ?? model.defaultNormalize
        self.source = model.source
    }

    public var configuration: EncoderConfiguration { encoder.configuration }

    /// Loads a configured model: seeded from its architecture, or from a checkpoint folder.
    public static func load(_ entry: CoreConfiguration.ModelEntry) throws(TransformerError) -> ServedModel {
        let model: Model
        switch entry.source {
        case .architecture(let configuration): model = try Model.seeded(configuration)
        case .checkpoint(let directory): model = try CheckpointLoader.load(directory: directory)
        }
        return ServedModel(name: entry.name, model: model, pooling: entry.pooling, normalize: entry.normalize)
    }
}
