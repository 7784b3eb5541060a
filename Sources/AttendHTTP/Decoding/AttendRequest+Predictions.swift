import AttendCore
import JSON
import Transformer

extension AttendRequest {
    /// `"analysis"`: a boolean (true = rollout and entropy) or an array of part names: `"rollout"` and `"entropy"`
    /// (either or both: the rollout-and-entropy summary, which is computed and returned as one) and `"heads"` (head
    /// roles, README "Head roles"). 400 for another type, 422 naming the allowed parts for an unknown name.
    static func readAnalysis(_ fields: inout RequestFields, into request: inout AttendRequest) throws {
        guard let value = fields.value("analysis") else { return }
        switch value {
        case .bool(let on):
            request.analysis = on
        case .array(let items):
            for item in items {
                guard case .string(let name) = item else {
                    throw RequestError.invalidRequest("\"analysis\" must be a boolean or an array of part names")
                }
                switch name {
                case "rollout", "entropy": request.analysis = true
                case "heads": request.headRoles = true
                default:
                    throw CoreError.unsupported(
                        "unknown analysis part \"\(name)\"; allowed: rollout, entropy, heads", field: "analysis")
                }
            }
        default:
            throw RequestError.invalidRequest(
                "\"analysis\" must be a boolean or an array of part names, got \(value.typeName)")
        }
    }

    /// `"predictions"`: `true` (the defaults), `false` (none) or an object `{"top_k": k (1...100, default 5),
    /// "positions": [i, ...] (default: every mask token), "logit_lens": bool}` (README "Masked-word predictions").
    static func readPredictions(_ fields: inout RequestFields, into request: inout AttendRequest) throws {
        guard let value = fields.value("predictions") else { return }
        switch value {
        case .bool(let on):
            request.predictions = on ? PredictionRequest() : nil
        case .object:
            var inner = try RequestFields(value, schema: .predictions)
            let known = RequestSchema.predictions.fields
            if let unknown = inner.members.first(where: { !known.contains($0.key) }) {
                throw RequestError.unknownField("predictions." + unknown.key)
            }
            var asked = PredictionRequest()
            asked.topK = try inner.int("top_k", 1...PredictionRequest.maxTopK) ?? PredictionRequest.defaultTopK
            asked.positions = try inner.ints("positions")
            asked.logitLens = try inner.bool("logit_lens", default: false)
            request.predictions = asked
        default:
            throw RequestError.invalidRequest(
                "\"predictions\" must be a boolean or an object {top_k, positions, logit_lens}, got \(value.typeName)")
        }
    }
}
