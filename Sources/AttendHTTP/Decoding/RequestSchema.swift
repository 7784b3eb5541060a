/// The JSON request bodies the service reads, each with the members its decoder accepts. The OpenAPI document's
/// schema of the same name lists the same members (a test checks both ways), so the two cannot drift; a decoder
/// that asks for a member not listed here fails in debug builds.
enum RequestSchema: String, CaseIterable, Sendable {
    case attend = "AttendRequest"
    case tokenize = "TokenizeRequest"
    case embeddings = "EmbeddingsRequest"

    /// The members, in documentation order.
    var fields: [String] {
        switch self {
        case .attend:
            return [
                "model", "text", "tokens", "input_ids", "add_special_tokens", "truncate", "layers", "heads",
                "attentions",
                "hidden_states", "analysis", "pooling", "normalize", "precision", "format", "dtype", "rows",
                "top_k", "threshold",
            ]
        case .tokenize:
            return ["model", "text", "tokens", "input_ids", "add_special_tokens", "truncate"]
        case .embeddings:
            return ["model", "input", "encoding_format", "dimensions", "user"]
        }
    }

    /// The route whose body this is.
    var path: String {
        switch self {
        case .attend: return "/attend"
        case .tokenize: return "/tokenize"
        case .embeddings: return "/v1/embeddings"
        }
    }
}
