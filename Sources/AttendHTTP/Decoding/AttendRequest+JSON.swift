import AttendCore
import JSON
import Transformer

extension AttendRequest {
    /// Decodes a `POST /attend` body (README "POST /attend"): types are checked here (400), everything that
    /// depends on the model in the core.
    static func decode(_ body: [UInt8], registry: ModelRegistry, limits: RequestLimits) throws -> AttendRequest {
        var fields = try RequestFields.parse(body, schema: .attend)
        let name = try fields.string("model")
        let model = try registry.resolve(name)
        let addSpecialTokens = try fields.bool("add_special_tokens", default: true)
        let truncate = try fields.bool("truncate", default: false)
        let decoder = SourceDecoder(
            limits: limits, perSequence: truncate ? model.configuration.maxPositions : nil,
            vocabularySize: model.configuration.vocabularySize)
        var request = AttendRequest(model: model.name, source: try decoder.read(&fields))
        request.addSpecialTokens = addSpecialTokens
        request.truncate = truncate
        request.layers = try fields.ints("layers")
        request.heads = try fields.ints("heads")
        request.attentions = try fields.bool("attentions", default: true)
        request.hiddenStates = try fields.bool("hidden_states", default: false)
        request.analysis = try fields.bool("analysis", default: false)
        if let p = try fields.string("pooling") {
            guard let parsed = Pooling(rawValue: p) else {
                throw RequestError.invalidRequest("\"pooling\" must be one of mean, cls, max, none; got \"\(p)\"")
            }
            request.pooling = parsed
        }
        if fields.value("normalize") != nil { request.normalize = try fields.bool("normalize", default: false) }
        request.precision = try fields.int("precision", 0...9)
        try fields.finish()
        return request
    }
}
