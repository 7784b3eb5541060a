import Transformer

/// A validated `POST /attend` request, ready for the batcher.
struct AttendRequest {
    var model: ServedModel
    var input: SequenceInput
    /// Selected layers, non-negative, in request order.
    var layers: [Int]
    var heads: [Int]
    var attentions: Bool
    var hiddenStates: Bool
    /// `"analysis": true`: attention rollout and per-head entropy per result (`AttentionSummary`).
    var analysis: Bool = false
    var pooling: Pooling
    var normalize: Bool
    var precision: Int?

    static func parse(
        _ body: [UInt8], registry: ModelRegistry, limits: RequestLimits = RequestLimits()
    ) throws(ServiceError) -> AttendRequest {
        var fields = try RequestFields.parse(body)
        let model = try registry.resolve(try fields.string("model"))
        let configuration = model.configuration
        let addSpecialTokens = try fields.bool("add_special_tokens", default: true)
        let truncate = try fields.bool("truncate", default: false)
        let input = try SequenceInput.read(
            &fields, model: model, addSpecialTokens: addSpecialTokens, truncate: truncate, limits: limits)
        let layers = try selection(fields.ints("layers"), count: configuration.layers, name: "layer")
        let heads = try selection(fields.ints("heads"), count: configuration.heads, name: "head")
        let attentions = try fields.bool("attentions", default: true)
        let hiddenStates = try fields.bool("hidden_states", default: false)
        let analysis = try fields.bool("analysis", default: false)
        var pooling = model.defaultPooling
        if let p = try fields.string("pooling") {
            guard let parsed = Pooling(rawValue: p) else {
                throw .badRequest("\"pooling\" must be one of mean, cls, max, none; got \"\(p)\"")
            }
            pooling = parsed
        }
        let normalize = try fields.bool("normalize", default: model.defaultNormalize)
        let precision = try fields.int("precision", 0...9)
        try fields.finish()
        return AttendRequest(
            model: model, input: input, layers: layers, heads: heads, attentions: attentions,
            hiddenStates: hiddenStates, analysis: analysis, pooling: pooling, normalize: normalize,
            precision: precision)
    }

    /// Resolves negative indexes from the end; 422 out of range; duplicates dropped; nil = all.
    static func selection(_ requested: [Int]?, count: Int, name: String) throws(ServiceError) -> [Int] {
        guard let requested else { return Array(0..<count) }
        var result: [Int] = []
        for i in requested {
            let resolved = i < 0 ? count + i : i
            guard resolved >= 0 && resolved < count else {
                throw .unprocessable(
                    "\(name) \(i) is out of range: the model has \(count) \(name)s (0...\(count - 1), or -\(count)...-1)",
                    code: "\(name)_out_of_range")
            }
            if !result.contains(resolved) { result.append(resolved) }
        }
        return result
    }

    var forwardOptions: ForwardOptions {
        ForwardOptions(attentionLayers: attentions || analysis ? Set(layers) : [], hiddenStates: hiddenStates)
    }

    /// Upper estimate of the response size in bytes, from the shapes alone.
    var estimatedBytes: Int {
        let d = model.configuration.hiddenSize
        let perFloat = precision.map { $0 + 5 } ?? 13
        var floats = 0
        var other = 64
        for e in input.encodings {
            let n = e.count
            floats += n * d + d + n * 2
            if attentions { floats += layers.count * heads.count * n * n }
            if hiddenStates { floats += (model.configuration.layers + 1) * n * d }
            if analysis { floats += n * n + layers.count * heads.count }
            other += e.tokens.reduce(0) { $0 + $1.utf8.count + 4 } + n * 24
        }
        return floats * perFloat + other
    }
}
