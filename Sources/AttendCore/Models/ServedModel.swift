import Transformer

/// A model ready to serve: its encoder, tokenizer and defaults, under its configured name.
public struct ServedModel: Sendable {
    public var name: String
    public var encoder: Encoder
    public var tokenizer: any Tokenizer
    public var defaultPooling: Pooling
    public var defaultNormalize: Bool
    public var source: ModelSource
    /// The widths `dimensions` may cut embeddings to besides the full one (the entry's `matryoshka_dimensions`).
    public var matryoshkaDimensions: [Int]
    /// The checkpoint's masked-language-model head, when it has one (`"predictions"`).
    public var maskedLMHead: MaskedLMHead?
    /// The checkpoint's architecture, nil for a seeded model (``Model/family``).
    public var family: ModelFamily?

    public init(
        name: String, model: Model, pooling: Pooling? = nil, normalize: Bool? = nil, matryoshkaDimensions: [Int] = []
    ) {
        self.name = name
        self.matryoshkaDimensions = matryoshkaDimensions
        self.encoder = model.encoder
        self.tokenizer = model.tokenizer
        self.defaultPooling = pooling ?? model.defaultPooling
        self.defaultNormalize = normalize ?? model.defaultNormalize
        self.source = model.source
        self.maskedLMHead = model.maskedLMHead
        self.family = model.family
    }

    public var configuration: EncoderConfiguration { encoder.configuration }

    /// Loads a configured model: seeded from its architecture, or from a checkpoint folder.
    public static func load(_ entry: CoreConfiguration.ModelEntry) throws(TransformerError) -> ServedModel {
        let model: Model
        switch entry.source {
        case .architecture(let configuration): model = try Model.seeded(configuration)
        case .checkpoint(let directory): model = try CheckpointLoader.load(directory: directory)
        }
        return ServedModel(
            name: entry.name, model: model, pooling: entry.pooling, normalize: entry.normalize,
            matryoshkaDimensions: entry.matryoshkaDimensions)
    }
}

extension ServedModel {
    /// Whether embeddings may be cut to `dimensions`: the full width always, a smaller one only when the entry's
    /// `matryoshka_dimensions` lists it. Throws `unsupported` (field `dimensions`) naming the allowed widths.
    public func checkDimensions(_ dimensions: Int?) throws(CoreError) {
        let d = configuration.hiddenSize
        guard let dimensions, dimensions != d else { return }
        let allowed = matryoshkaDimensions.filter { $0 < d }.sorted(by: >)
        guard dimensions < d, allowed.contains(dimensions) else {
            let widths = ([d] + allowed).map(String.init).joined(separator: ", ")
            let why =
                allowed.isEmpty
                ? "model \"\(name)\" is not configured as Matryoshka-trained (no \"matryoshka_dimensions\"), so "
                    + "its embeddings cannot be shortened; \"dimensions\" may only be \(d)"
                : "model \"\(name)\" allows \"dimensions\" of \(widths), not \(dimensions)"
            throw .unsupported(why, field: "dimensions")
        }
    }
}
