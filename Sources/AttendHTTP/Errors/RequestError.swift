import HTTP1
import HTTPServer

/// What the HTTP face refuses before a request reaches the core: bodies that are not the JSON an endpoint reads,
/// missing credentials, unacceptable media types.
public enum RequestError: HTTPResponseError, Sendable, Equatable, CustomStringConvertible {
    /// The body is not valid JSON (parser's words).
    case invalidJSON(String)
    /// Valid JSON of the wrong shape: empty body, not an object, a member of the wrong type.
    case invalidRequest(String)
    /// A member the endpoint does not read.
    case unknownField(String)
    /// The body is not declared as JSON.
    case unsupportedMediaType(String?)
    /// API keys are configured and none (`presented == false`) or a wrong one was sent.
    case unauthorized(presented: Bool)
    /// No route for the path, or no model with the name.
    case notFound(String)
    /// The `Accept` header allows none of the media types the endpoint answers in (the message names them).
    case notAcceptable(String)
    /// A body that is neither or both of a route's two forms (`POST /similarity`: TEI's `inputs` or Attend's
    /// `a`/`b`); the message names both.
    case ambiguousForm(String)

    public var status: HTTPStatus {
        switch self {
        case .invalidJSON, .invalidRequest, .unknownField: return .badRequest
        case .unsupportedMediaType: return .unsupportedMediaType
        case .unauthorized: return .unauthorized
        case .notFound: return .notFound
        case .notAcceptable: return .notAcceptable
        case .ambiguousForm: return .unprocessableContent
        }
    }

    public var code: String {
        switch self {
        case .invalidJSON: return "invalid_json"
        case .invalidRequest: return "invalid_request"
        case .unknownField: return "unknown_field"
        case .unsupportedMediaType: return "unsupported_media_type"
        case .unauthorized: return "unauthorized"
        case .notFound: return "not_found"
        case .notAcceptable: return "not_acceptable"
        case .ambiguousForm: return "ambiguous_form"
        }
    }

    public var message: String { description }

    public var description: String {
        switch self {
        case .invalidJSON(let reason): return "malformed JSON: \(reason)"
        case .invalidRequest(let message), .notFound(let message), .notAcceptable(let message),
            .ambiguousForm(let message):
            return message
        case .unknownField(let name): return "unknown field \"\(name)\""
        case .unsupportedMediaType(let type):
            return "send the body as JSON with Content-Type: application/json" + (type.map { " (got \($0))" } ?? "")
        case .unauthorized(let presented):
            return presented
                ? "the API key is not valid"
                : "an API key is required: send Authorization: Bearer <key> or X-API-Key: <key>"
        }
    }

    public var headers: HTTPHeaders {
        if case .unauthorized = self { return ["WWW-Authenticate": "Bearer"] }
        return [:]
    }
}
