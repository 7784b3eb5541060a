import Transformer

extension JobEstimate {
    /// Bytes per float in the JSON answer: the shortest round-trip form is at most 13 characters with its comma
    /// (`-1.2345678e-12,`), a fixed precision p at most p + 5 (`-0.` digits `,`) for values of magnitude < 10.
    static func bytesPerFloat(precision: Int?) -> Int { precision.map { $0 + 5 } ?? 13 }

    /// Bytes of a non-negative integer below `n` in JSON, with its comma.
    static func bytesPerIndex(below n: Int) -> Int { String(max(0, n - 1)).utf8.count + 1 }

    /// The most bytes one safetensors header entry takes: `"results.123456.attentions.123.indices":{"dtype":
    /// "BF16","shape":[…4 dims],"data_offsets":[…,…]},` with every number at 20 digits.
    static let safetensorsEntryBytes = 64 + 40 + 4 * 21 + 2 * 21 + 40

    /// JSON answers estimated at this many bytes or more are streamed.
    public static let streamMinimumBytes = 1 << 20

    /// A streamed writer groups its parts into chunks of about this many bytes.
    public static let streamPieceBytes = 256 << 10

    /// Chunks a streamed writer formats ahead of the one being sent.
    public static let streamWindowPieces = 4

    /// Output a connection queues before it pulls the next piece (the HTTP server's default `outputHighWater`),
    /// plus room for gzip's buffers.
    static let streamOutputBytes = (1 << 20) + (256 << 10)

    /// What a streamed answer holds at once: the chunks in flight (the window, the one being sent and the one
    /// being framed), each at most `streamPieceBytes` plus its largest part, and the connection's queued output;
    /// never more than the body.
    public static func streamedBytes(response: Int, largestPiece: Int) -> Int {
        min(response, (streamWindowPieces + 2) * (largestPiece + streamPieceBytes) + streamOutputBytes)
    }

    /// The estimate of `/attend` for these shapes.
    /// - Parameters:
    ///   - keptBytes: what the encoder keeps for these sequences (`Encoder.keptBytes`, exact: the selected heads'
    ///     maps, head means and entropies for the analysis, hidden states, the last hidden state).
    ///   - form: the answer's format, rows and keys (JSON by default). The safetensors data section is counted
    ///     exactly (a threshold's rows at their most keys, ⌊1/t⌋ + 1), its header from above.
    ///   - modelNameBytes: the UTF-8 length of the model's name (part of both answers).
    static func attend(
        encodings: [Encoding], configuration c: EncoderConfiguration, layers: Int, heads: Int, attentions: Bool,
        hiddenStates: Bool, analysis: Bool, precision: Int?, keptBytes: Int, form: ResponseForm = ResponseForm(),
        modelNameBytes: Int = 0
    ) -> JobEstimate {
        let d = c.hiddenSize
        let perFloat = bytesPerFloat(precision: precision)
        let binary = form.format == .safetensors
        let s = form.dtype.size
        var response = binary ? 8 + 8 + 512 + modelNameBytes * 6 + 8 * (layers + heads) : 64 + modelNameBytes * 6
        var summaries = 0
        var largestPiece = 0
        for e in encodings {
            let n = e.count
            let rows = min(n, form.rows?.count ?? n)
            let keys = form.keys.maximumKept(n)
            let tokenBytes = e.tokens.reduce(0) { $0 + $1.utf8.count }
            if binary {
                var data = n * d * s + d * s
                var tensors = 3
                if attentions {
                    let maps = heads * rows
                    switch form.keys {
                    case .all: data += layers * maps * n * s
                    case .topK: data += layers * (maps * keys * (4 + s) + maps * s)
                    case .threshold: data += layers * ((maps + 1) * 4 + maps * keys * (4 + s) + maps * s)
                    }
                    tensors += layers * 4
                }
                if hiddenStates { data += (c.layers + 1) * n * d * s }
                if analysis {
                    data += (n * n + layers * heads) * s
                    tensors += 2
                }
                // Metadata: tokens (JSON strings, escapes at most 6 bytes per byte), ids, offsets or word ids.
                let metadata = 256 + tokenBytes * 6 + n * (3 + 12 + 24)
                response += data + tensors * safetensorsEntryBytes + metadata
            } else {
                var floats = n * d + d + n * 2
                var other = tokenBytes + n * 4 + n * 24
                if attentions {
                    let maps = layers * heads * rows
                    if form.keys.isSparse {
                        floats += maps * (keys + 1)
                        other += maps * (keys * bytesPerIndex(below: n) + 40)
                    } else {
                        floats += maps * n
                    }
                }
                if hiddenStates { floats += (c.layers + 1) * n * d }
                if analysis { floats += n * n + layers * heads }
                response += floats * perFloat + other
                // The streamed writer's pieces (AttendResponseWriter.pieces): a sequence's head (tokens,
                // embeddings, pooled), one head's map (dense) or one layer's maps (rows, sparse), one hidden state,
                // the analysis.
                var piece = n * d + d
                if attentions {
                    if form.keys.isSparse {
                        piece = max(piece, heads * rows * (keys + 1) + heads * rows * (keys * 2 + 12))
                    } else {
                        piece = max(piece, (form.rows == nil ? 1 : heads) * rows * n)
                    }
                }
                if analysis { piece = max(piece, n * n + layers * heads) }
                largestPiece = max(largestPiece, piece * perFloat + tokenBytes * 6 + n * 40 + 256)
            }
            // Besides what the encoder keeps: the pooled vector and the analysis results (rollout, entropies).
            summaries += d + (analysis ? n * n + layers * heads : 0)
        }
        let streamed = form.format == .json && response >= streamMinimumBytes
        let held = streamed ? streamedBytes(response: response, largestPiece: largestPiece) : response
        return JobEstimate(responseBytes: response, memoryBytes: keptBytes + summaries * 4 + held, streamed: streamed)
    }
}
