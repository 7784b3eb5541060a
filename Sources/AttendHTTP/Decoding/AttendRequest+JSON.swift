import AttendCore
import JSON
import Transformer

extension AttendRequest {
    /// Decodes a `POST /attend` body (README "POST /attend"): types are checked here (400), everything that
    /// depends on the model in the core.
    /// - Parameter accept: the request's `Accept` header: with the body's `"format"` it decides the answer's
    ///   format (``MediaNegotiation``; 406 when it allows neither).
    static func decode(
        _ body: [UInt8], accept: String? = nil, registry: ModelRegistry, limits: RequestLimits
    ) throws -> AttendRequest {
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
        try readAnalysis(&fields, into: &request)
        try readPredictions(&fields, into: &request)
        try readContributions(&fields, into: &request)
        try readOcclusion(&fields, into: &request)
        try readProbes(&fields, into: &request)
        if let p = try fields.string("pooling") {
            guard let parsed = Pooling(rawValue: p) else {
                throw RequestError.invalidRequest("\"pooling\" must be one of mean, cls, max, none; got \"\(p)\"")
            }
            request.pooling = parsed
        }
        if fields.value("normalize") != nil { request.normalize = try fields.bool("normalize", default: false) }
        request.precision = try fields.int("precision", 0...9)
        let explicit = try readForm(&fields, into: &request)
        try readKeys(&fields, into: &request)
        try fields.finish()
        // Unknown members and wrong types are 400 before the media type is negotiated (406).
        try negotiate(&request, explicit: explicit, accept: accept)
        if request.form.format == .bertviz { try checkBertviz(request, configuration: model.configuration) }
        return request
    }
}

extension AttendRequest {
    /// Reads `dtype` into the request; returns `format` when given.
    fileprivate static func readForm(
        _ fields: inout RequestFields, into request: inout AttendRequest
    ) throws -> ResponseForm.Format? {
        var explicit: ResponseForm.Format?
        if let f = try fields.string("format") {
            guard let parsed = ResponseForm.Format(rawValue: f) else {
                throw RequestError.invalidRequest("\"format\" must be json, safetensors or bertviz; got \"\(f)\"")
            }
            explicit = parsed
        }
        if let t = try fields.string("dtype") {
            guard let parsed = ResponseForm.DType(rawValue: t) else {
                throw RequestError.invalidRequest(
                    "\"dtype\" must be one of float32, float16, bfloat16; got \"\(t)\"")
            }
            request.form.dtype = parsed
        }
        return explicit
    }

    /// `rows`, and `top_k` or `threshold`: which part of each map is returned.
    fileprivate static func readKeys(_ fields: inout RequestFields, into request: inout AttendRequest) throws {
        request.form.rows = try fields.ints("rows")
        let topK = try fields.int("top_k", 1...(1 << 20))
        var threshold: Float?
        if let v = fields.value("threshold") {
            guard case .number(let n) = v, n.double >= 0, n.double <= 1 else {
                throw RequestError.invalidRequest("\"threshold\" must be a number in 0...1")
            }
            threshold = Float(n.double)
        }
        if topK != nil && threshold != nil {
            throw RequestError.invalidRequest("send \"top_k\" or \"threshold\", not both")
        }
        if let topK { request.form.keys = .topK(topK) }
        if let threshold { request.form.keys = .threshold(threshold) }
        if !request.attentions && (request.form.rows != nil || topK != nil || threshold != nil) {
            let name = request.form.rows != nil ? "rows" : topK != nil ? "top_k" : "threshold"
            throw RequestError.invalidRequest(
                "\"\(name)\" selects parts of the attention maps, which \"attentions\": false leaves out")
        }
    }

    /// The answer's format from the body's `format` and the `Accept` header; `dtype` needs a binary one.
    fileprivate static func negotiate(
        _ request: inout AttendRequest, explicit: ResponseForm.Format?, accept: String?
    ) throws {
        request.form.format = try MediaNegotiation.choose(explicit: explicit, accept: accept)
        if request.form.format != .safetensors && request.form.dtype != .float32 {
            throw RequestError.invalidRequest(
                "\"dtype\": \"\(request.form.dtype.rawValue)\" applies to binary answers only: send \"format\": "
                    + "\"safetensors\" (or Accept: application/vnd.safetensors), or leave \"dtype\" out (JSON "
                    + "numbers are float32, or \"precision\" digits)")
        }
    }
}
