import Transformer

extension AttendEngine {
    /// What `attend run --top` prints: runs `texts` on `model` (nil = the default model) through the same checks,
    /// budget and batcher as `POST /attend`, keeping only one layer's maps (one head's, or every head's for their
    /// mean), and returns one ``AttentionTable`` per text, in order.
    /// - Parameters:
    ///   - layer: the layer, negative counting from the end (-1 = the last).
    ///   - head: one head, negative counting from the end; nil = the mean over the layer's heads.
    ///   - top: keys per row, at least 1.
    /// - Throws: `CoreError.invalidRequest` (top < 1), `.invalidInput` (no text), `.selectionOutOfRange` (layer or
    ///   head), and whatever `POST /attend` would refuse for these texts (model, empty or over-long sequence).
    public func attentionTables(
        texts: [String], model: String? = nil, layer: Int = -1, head: Int? = nil, top: Int
    ) async throws -> [AttentionTable] {
        guard top >= 1 else {
            throw CoreError.invalidRequest(
                "the number of keys per row (top) must be at least 1, not \(top)", field: "top")
        }
        guard !texts.isEmpty else { throw CoreError.invalidInput("no text to run") }
        var request = AttendRequest(model: model, source: .texts(texts))
        request.layers = [layer]
        request.heads = head.map { [$0] }
        let job = try await prepare(request)
        let results = try await attend(job) { $0 }
        let c = job.model.configuration
        let resolvedLayer = job.layers[0]
        var tables: [AttentionTable] = []
        for (i, (encoding, result)) in zip(job.input.encodings, results).enumerated() {
            guard let maps = result.output.attentions[resolvedLayer] else {
                throw CoreError.invalidRequest("the pass kept no maps for layer \(resolvedLayer)", field: "layers")
            }
            let position = texts.count == 1 ? "" : "[\(i + 1)/\(texts.count)] "
            let title = "\(position)\(job.model.name): \"\(texts[i])\" (\(encoding.count) tokens)"
            tables.append(
                try AttentionTable(
                    title: title, tokens: encoding.tokens, maps: maps, head: head == nil ? nil : 0,
                    heads: head == nil ? .mean(count: c.heads) : .head(job.heads[0]), layer: resolvedLayer,
                    layerCount: c.layers, top: top))
        }
        return tables
    }
}
