import AttendCore
import JSON
import Transformer

extension SimilarityRequest {
    /// Decodes Attend's `POST /similarity` body (README "POST /similarity"): `a` a string, `b` a string or an
    /// array of 1...``SimilarityRequest/maxComparisons`` strings (counted before any is read), `explain`,
    /// `per_layer` and `truncate` booleans, `measure` one of ``AttributionMeasure``'s names. Types are checked
    /// here (400), everything that depends on the model in the core.
    static func decode(_ fields: inout RequestFields, limits: RequestLimits) throws -> SimilarityRequest {
        let model = try fields.string("model")
        guard let a = try fields.string("a") else {
            throw RequestError.invalidRequest("\"a\" is required: the text every \"b\" is compared with")
        }
        guard let bValue = fields.value("b") else {
            throw RequestError.invalidRequest("\"b\" is required: a string or an array of strings")
        }
        if case .array(let items) = bValue {
            guard !items.isEmpty else {
                throw RequestError.invalidRequest("\"b\" must hold at least one text")
            }
            guard items.count <= SimilarityRequest.maxComparisons else {
                throw CoreError.requestTooLarge(
                    "\"b\" holds \(items.count) texts, over the limit of \(SimilarityRequest.maxComparisons) per "
                        + "request; split it into several requests")
            }
        }
        let b = try SourceDecoder(limits: limits).strings(bValue, field: "b")
        var request = SimilarityRequest(model: model, a: a, b: b)
        request.explain = try fields.bool("explain", default: false)
        request.perLayer = try fields.bool("per_layer", default: false)
        request.truncate = try fields.bool("truncate", default: false)
        if let name = try fields.string("measure") {
            guard let measure = AttributionMeasure(rawValue: name) else {
                let names = AttributionMeasure.allCases.map(\.rawValue).joined(separator: ", ")
                throw RequestError.invalidRequest("\"measure\" must be one of \(names); got \"\(name)\"")
            }
            request.measure = measure
        }
        try fields.finish()
        return request
    }
}
