import AttendCore
import HTTP1
import HTTPServer
import JSON

extension AttendApp {
    /// `POST /tokenize`: tokens, ids and offsets without running the encoder. A body with `inputs` is TEI's
    /// form and gets TEI's answer (``teiTokenize(_:_:)``) and error shape; anything else is Attend's.
    @Sendable func tokenize(_ request: Request, _ context: RequestContext) async throws -> Response {
        try Self.requireJSON(request)
        var fields = try RequestFields.parse(request.body, schema: .tokenize)
        if fields.members.contains(where: { $0.key == "inputs" }) {
            let body = JSONValue.object(fields.members)
            let tei = Self.tei { [self] _, context in try await teiTokenize(body, context) }
            return try await tei(request, context)
        }
        let model = try engine.registry.resolve(try fields.string("model"))
        let addSpecialTokens = try fields.bool("add_special_tokens", default: true)
        let truncate = try fields.bool("truncate", default: false)
        let decoder = SourceDecoder(
            limits: engine.limits, perSequence: truncate ? model.configuration.maxPositions : nil,
            vocabularySize: model.configuration.vocabularySize)
        let source = try decoder.read(&fields)
        try fields.finish()
        let input = try await engine.read(
            source, model: model, addSpecialTokens: addSpecialTokens, truncate: truncate)
        let w = JSONWriter()
        w.raw("{\"model\":")
        w.string(model.name)
        w.raw(",\"results\":[")
        for (i, encoding) in input.encodings.enumerated() {
            if i > 0 { w.byte(UInt8(ascii: ",")) }
            w.byte(UInt8(ascii: "{"))
            AttendResponseWriter.writeEncoding(encoding, kind: input.kind, into: w)
            w.byte(UInt8(ascii: "}"))
        }
        w.raw("],\"usage\":{\"tokens\":")
        w.int(input.totalTokens)
        w.raw("}}")
        return Self.json(w.bytes)
    }
}
