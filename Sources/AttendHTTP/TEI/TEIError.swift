import AttendCore
import HTTP1
import HTTPServer
import JSON

/// Hugging Face text-embeddings-inference's error shape, `{"error": "...", "error_type": "..."}`, with TEI's
/// statuses, for the TEI routes (README "Coming from TEI / OpenAI"):
///
/// | Attend | TEI status | `error_type` |
/// |---|---|---|
/// | an empty sequence or no input | 400 | `empty` |
/// | any other 400 (malformed JSON, wrong types, unknown members) | 422 | `validation` |
/// | too many tokens without `truncate`, a request over the caps, a body over the limit | 413 | `validation` |
/// | other 422 (an id outside the vocabulary, `dimensions` the model does not allow, ...) | 422 | `validation` |
/// | the encoder failed, or an internal error | 424 | `backend` |
/// | the queue or the memory budget is full (`overloaded`) | 429 | `overloaded` |
/// | the model is loading or failed, the server is stopping | 503 | `unhealthy` |
/// | 401, 404, 405, 415 | the same | `unauthorized`, `not_found`, `method_not_allowed`, `unsupported_media_type` |
struct TEIError: HTTPResponseError, Sendable {
    var status: HTTPStatus
    var code: String
    var message: String
    var headers: HTTPHeaders

    var body: [UInt8] {
        let w = JSONWriter(capacity: 64 + message.utf8.count)
        w.raw("{\"error\":")
        w.string(message)
        w.raw(",\"error_type\":")
        w.string(code)
        w.byte(UInt8(ascii: "}"))
        return w.bytes
    }

    /// Maps an Attend answer (status and code) to TEI's status and `error_type`.
    static func mapped(status: Int, code: String) -> (status: Int, type: String) {
        switch (status, code) {
        case (400, "empty_sequence"), (400, "invalid_input"): return (400, "empty")
        case (400, _): return (422, "validation")
        case (413, _), (422, "sequence_too_long"): return (413, "validation")
        case (422, "unprocessable"): return (424, "backend")
        case (422, _): return (422, "validation")
        case (503, "overloaded"): return (429, "overloaded")
        case (503, _): return (503, "unhealthy")
        case (401, _): return (401, "unauthorized")
        case (404, _): return (404, "not_found")
        case (405, _): return (405, "method_not_allowed")
        case (415, _): return (415, "unsupported_media_type")
        case (500..., _): return (424, "backend")
        default: return (status, code)
        }
    }

    /// An Attend error answer (`status`, `code`, `message`, `headers`) in TEI's shape.
    init(status: HTTPStatus, code: String, message: String, headers: HTTPHeaders) {
        let (tei, type) = Self.mapped(status: status.code, code: code)
        self.status = HTTPStatus(code: tei)
        self.code = type
        self.message = message
        var headers = headers
        headers.remove(name: "Content-Type")
        headers.remove(name: "X-Content-Type-Options")
        self.headers = headers
    }

    /// Any error a TEI handler throws.
    init(_ error: any Error) {
        let o = OpenAIError(error)
        self.init(status: o.status, code: o.code, message: o.message, headers: o.headers)
    }
}
