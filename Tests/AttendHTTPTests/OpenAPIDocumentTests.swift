import AttendCore
import JSON
import TestSupport
import Testing

@testable import AttendHTTP

/// The OpenAPI document against the code: routes, request members, and every member accepted by its decoder.
@Suite struct OpenAPIDocumentTests {
    let document: JSONValue

    init() throws {
        document = try JSONParser().parse(Array(OpenAPIDocument.template.utf8))
    }

    func properties(_ schema: String) -> Set<String> {
        guard case .object(let members)? = document["components"]?["schemas"]?[schema]?["properties"] else { return [] }
        return Set(members.map(\.key))
    }

    @Test func document_ListsEveryRoute_WhenComparedWithTheRouter() throws {
        guard case .object(let paths)? = document["paths"] else {
            Issue.record("no paths")
            return
        }
        let documented = Set(paths.map(\.key))
        // Every route but the page's, plus POST / (TEI's root shares its path with the page's GET /).
        #expect(documented == AttendApp.routePatterns.subtracting(PageRoutes.paths).union(["/"]))
        #expect(documented == AttendApp.documentedRoutes)
    }

    @Test(arguments: RequestSchema.allCases)
    func schema_HasExactlyTheDecodersMembers_WhenComparedWithTheCode(_ schema: RequestSchema) throws {
        #expect(properties(schema.rawValue) == Set(schema.fields))
        guard let path = schema.path else { return }
        let body = document["paths"]?[path]?["post"]?["requestBody"]?["content"]?["application/json"]?["schema"]
        // One schema, or (`/tokenize`, Attend's and TEI's forms) one of several.
        let references = body?["$ref"].map { [$0] } ?? (body?["oneOf"]?.array ?? []).compactMap { $0["$ref"] }
        #expect(references.contains(.string("#/components/schemas/\(schema.rawValue)")), "\(path)")
    }

    /// One valid value per member: each member alone (with an input) is accepted, so no documented member is
    /// unknown to its decoder.
    static let samples: [String: String] = [
        "model": #""tiny""#, "text": #""a b""#, "text_pair": #""c d""#, "tokens": #"["a","b"]"#, "input_ids": "[5,6]",
        "add_special_tokens": "true", "truncate": "true", "layers": "[0]", "heads": "[0]", "attentions": "false",
        "hidden_states": "true", "analysis": "true", "pooling": #""cls""#, "normalize": "false", "precision": "3",
        "format": #""safetensors""#, "dtype": #""float32""#,
        "rows": "[0]", "top_k": "2", "threshold": "0.1", "contributions": #"["alti"]"#, "contribution_rollout": "false",
        "occlusion": "true",
        "predictions": "false",
        "probes": #"[{"mask":[1]}]"#,
        "input": #""a b""#, "encoding_format": #""float""#, "dimensions": "32", "user": #""u""#,
        "truncation_direction": #""Left""#, "prompt_name": "null", "skip_special_tokens": "false",
        "parameters": #"{"truncate":true,"truncation_direction":"left","prompt_name":null}"#,
        "a": #""a b""#, "explain": "true", "per_layer": "true",
        "measure": #""attention_rollout""#,
    ]

    /// The member each body needs besides the one under test.
    static func base(_ schema: RequestSchema) -> (name: String, member: String) {
        switch schema {
        case .embeddings: return ("input", #""input":"a b""#)
        case .teiEmbed, .teiEmbedAll, .teiTokenize: return ("inputs", #""inputs":"a b""#)
        case .teiDecode: return ("ids", #""ids":[5,6]"#)
        case .teiSimilarity: return ("inputs", #""inputs":{"source_sentence":"a","sentences":["b"]}"#)
        case .similarity: return ("a", #""a":"a b","b":"b c""#)
        default: return ("text", #""text":"a b""#)
        }
    }

    @Test func decoders_AcceptEveryDocumentedMember_WhenSentAlone() async throws {
        try await LiveService.with { live in
            for schema in RequestSchema.allCases {
                guard let path = schema.path else { continue }
                let (name, input) = Self.base(schema)
                for field in schema.fields where field != name && !input.contains("\"\(field)\":") {
                    let value = try #require(Self.samples[field], "no sample for \(field)")
                    let exclusive = ["tokens", "input_ids"].contains(field)
                    let body = exclusive ? #"{"\#(field)":\#(value)}"# : #"{\#(input),"\#(field)":\#(value)}"#
                    let reply = try await live.post(path, body)
                    #expect(reply.status == 200, "\(path) \(body): \(reply.text.prefix(200))")
                }
                let unknown = try await live.post(path, #"{\#(input),"nope":1}"#)
                if schema.isTEI {
                    #expect(unknown.status == 422 && unknown.json?["error_type"] == .string("validation"))
                } else {
                    #expect(unknown.status == 400 && unknown.errorCode == "unknown_field")
                }
            }
        }
    }
}
