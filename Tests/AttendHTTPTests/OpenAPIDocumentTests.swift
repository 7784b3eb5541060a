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
        #expect(documented == AttendApp.routePatterns.subtracting(PageRoutes.paths))
    }

    @Test(arguments: RequestSchema.allCases)
    func schema_HasExactlyTheDecodersMembers_WhenComparedWithTheCode(_ schema: RequestSchema) throws {
        #expect(properties(schema.rawValue) == Set(schema.fields))
        let reference = document["paths"]?[schema.path]?["post"]?["requestBody"]?["content"]?["application/json"]?[
            "schema"]?["$ref"]
        #expect(reference == .string("#/components/schemas/\(schema.rawValue)"))
    }

    /// One valid value per member: each member alone (with an input) is accepted, so no documented member is
    /// unknown to its decoder.
    static let samples: [String: String] = [
        "model": #""tiny""#, "text": #""a b""#, "tokens": #"["a","b"]"#, "input_ids": "[5,6]",
        "add_special_tokens": "true", "truncate": "true", "layers": "[0]", "heads": "[0]", "attentions": "false",
        "hidden_states": "true", "analysis": "true", "pooling": #""cls""#, "normalize": "false", "precision": "3",
        "format": #""safetensors""#, "dtype": #""float32""#,
        "rows": "[0]", "top_k": "2", "threshold": "0.1",
        "input": #""a b""#, "encoding_format": #""float""#, "dimensions": "32", "user": #""u""#,
    ]

    @Test func decoders_AcceptEveryDocumentedMember_WhenSentAlone() async throws {
        try await LiveService.with { live in
            for schema in RequestSchema.allCases {
                let input = schema == .embeddings ? #""input":"a b""# : #""text":"a b""#
                for field in schema.fields where !["text", "input"].contains(field) {
                    let value = try #require(Self.samples[field], "no sample for \(field)")
                    let exclusive = ["tokens", "input_ids"].contains(field)
                    let body = exclusive ? #"{"\#(field)":\#(value)}"# : #"{\#(input),"\#(field)":\#(value)}"#
                    let reply = try await live.post(schema.path, body)
                    #expect(reply.status == 200, "\(schema.path) \(body): \(reply.text.prefix(200))")
                }
                let unknown = try await live.post(schema.path, #"{\#(input),"nope":1}"#)
                #expect(unknown.status == 400 && unknown.errorCode == "unknown_field")
            }
        }
    }
}
