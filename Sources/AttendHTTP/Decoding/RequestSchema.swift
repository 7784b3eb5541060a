/// The JSON request bodies the service reads, each with the members its decoder accepts. The OpenAPI document's
/// schema of the same name lists the same members (a test checks both ways), so the two cannot drift; a decoder
/// that asks for a member not listed here fails in debug builds.
enum RequestSchema: String, CaseIterable, Sendable {
    case attend = "AttendRequest"
    case tokenize = "TokenizeRequest"
    case embeddings = "EmbeddingsRequest"
    case teiEmbed = "TEIEmbedRequest"
    case teiEmbedAll = "TEIEmbedAllRequest"
    case teiTokenize = "TEITokenizeRequest"
    case teiDecode = "TEIDecodeRequest"
    case teiSimilarity = "TEISimilarityRequest"
    case teiSimilarityInputs = "TEISimilarityInputs"
    case teiSimilarityParameters = "TEISimilarityParameters"
    case similarity = "SimilarityRequest"
    case predictions = "PredictionRequest"

    /// The members, in documentation order.
    var fields: [String] {
        switch self {
        case .attend:
            return [
                "model", "text", "text_pair", "tokens", "input_ids", "add_special_tokens", "truncate", "layers",
                "heads",
                "attentions",
                "hidden_states", "analysis", "pooling", "normalize", "precision", "format", "dtype", "rows",
                "top_k", "threshold", "contributions", "contribution_rollout", "occlusion", "predictions",
                "probes",
            ]
        case .tokenize:
            return ["model", "text", "text_pair", "tokens", "input_ids", "add_special_tokens", "truncate"]
        case .embeddings:
            return ["model", "input", "encoding_format", "dimensions", "user"]
        case .teiEmbed:
            return ["inputs", "normalize", "truncate", "truncation_direction", "prompt_name", "dimensions"]
        case .teiEmbedAll:
            return ["inputs", "truncate", "truncation_direction", "prompt_name"]
        case .teiTokenize:
            return ["inputs", "add_special_tokens", "prompt_name"]
        case .teiDecode:
            return ["ids", "skip_special_tokens"]
        case .teiSimilarity:
            return ["inputs", "parameters"]
        case .teiSimilarityInputs:
            return ["source_sentence", "sentences"]
        case .teiSimilarityParameters:
            return ["truncate", "truncation_direction", "prompt_name"]
        case .similarity:
            return ["model", "a", "b", "explain", "per_layer", "measure", "truncate"]
        case .predictions:
            return ["top_k", "positions", "logit_lens"]
        }
    }

    /// The route whose body this is (nil for a member's object, such as `/similarity`'s `inputs`).
    var path: String? {
        switch self {
        case .attend: return "/attend"
        case .tokenize, .teiTokenize: return "/tokenize"
        case .embeddings: return "/v1/embeddings"
        case .teiEmbed: return "/embed"
        case .teiEmbedAll: return "/embed_all"
        case .teiDecode: return "/decode"
        case .teiSimilarity, .similarity: return "/similarity"
        case .teiSimilarityInputs, .teiSimilarityParameters, .predictions: return nil
        }
    }

    /// Whether the body is TEI's (its errors are TEI's shape and statuses).
    var isTEI: Bool { rawValue.hasPrefix("TEI") }
}
