import AttendCore
import JSON

extension AttendRequest {
    /// `"occlusion"`: a boolean (README "Occlusion"); what it costs and allows is checked in the core.
    static func readOcclusion(_ fields: inout RequestFields, into request: inout AttendRequest) throws {
        request.occlusion = try fields.bool("occlusion", default: false)
    }
}
