import Foundation
import JSON

/// The OpenAPI 3.1 description of every route, served at `GET /openapi.json`: `Resources/openapi.json`, embedded
/// at build time, with the configured model names as the `model` fields' enumeration. A test decodes it and checks
/// it against the routes and the request decoders.
enum OpenAPIDocument {
    /// The document as shipped.
    static var template: String { String(decoding: PackageResources.openapi_json, as: UTF8.self) }

    /// The document with the configured model names as the `model` fields' enumeration.
    static func json(models: [String]) -> [UInt8] {
        let w = JSONWriter()
        w.strings(models)
        let names = String(decoding: w.bytes, as: UTF8.self)
        return Array(
            template.replacingOccurrences(
                of: #""model": { "type": "string" }"#, with: #""model": { "type": "string", "enum": "# + names + " }"
            ).utf8)
    }
}
