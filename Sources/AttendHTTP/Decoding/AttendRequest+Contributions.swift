import AttendCore
import JSON
import Transformer

extension AttendRequest {
    /// `"contributions"`: an array of measure names (README "Token contributions"), 400 when it is not an array
    /// of strings, 422 naming the allowed measures for an unknown name; `"contribution_rollout"`: a boolean.
    static func readContributions(_ fields: inout RequestFields, into request: inout AttendRequest) throws {
        if let value = fields.value("contributions") {
            guard case .array(let items) = value else {
                throw RequestError.invalidRequest("\"contributions\" must be an array of measure names")
            }
            let allowed = ContributionMeasure.allCases.map(\.rawValue).joined(separator: ", ")
            for item in items {
                guard case .string(let name) = item else {
                    throw RequestError.invalidRequest("\"contributions\" must be an array of measure names")
                }
                guard let measure = ContributionMeasure(rawValue: name) else {
                    throw CoreError.unsupported(
                        "unknown contribution measure \"\(name)\"; allowed: \(allowed)", field: "contributions")
                }
                request.contributions.append(measure)
            }
        }
        request.contributionRollout = try fields.bool("contribution_rollout", default: false)
    }
}
