// Memory a forward pass keeps and uses, from the shapes alone. Shape legend: see Encoder.swift (n, T, d, f, H,
// dh, L, n̂).

extension Encoder {
    /// The exact bytes of what ``forward(_:options:)`` returns for `input` (its ``EncoderOutput``'s float storage,
    /// 4 bytes per float), known before the pass runs:
    /// last hidden state n·d, plus (L+1)·n·d hidden states, h·n² per kept map layer (h kept heads), n² per head
    /// mean layer, h per entropy layer, and d for the pooled vector when `options.pooling` is not `.none`.
    ///
    /// `input.keep` is resolved as the pass resolves it (nil: `options`' layers with every head, its hidden states;
    /// out-of-range layers and heads ignored). The pass holds these bytes from its start (maps and means are
    /// allocated up front and written in place), next to ``workspaceBytes(forBatchTokens:maxLength:workers:)``.
    public func keptBytes(for input: EncoderInput, options: ForwardOptions = ForwardOptions()) -> Int {
        let keep = KeptSelection(input.keep ?? KeptOutputs(options), configuration: configuration)
        let floats = keep.floats(
            length: input.ids.count, configuration: configuration, pooled: options.pooling != .none)
        return floats * MemoryLayout<Float>.stride
    }

    /// ``keptBytes(for:options:)`` summed over a batch.
    public func keptBytes(for inputs: [EncoderInput], options: ForwardOptions = ForwardOptions()) -> Int {
        inputs.reduce(0) { $0 + keptBytes(for: $1, options: options) }
    }

    /// The bytes of scratch memory a pass over `tokens` packed tokens whose longest sequence has `maxLength` tokens
    /// allocates with `workers` threads (``Compute/threads`` by default), whatever it keeps:
    /// the workspace, 4 · (6·T·d + min(T, 64·workers)·f + workers·n·n̂) (x, normed, context [T, d], qkv [T, 3d],
    /// feed-forward rows, 2f wide when gated, one score block per worker), plus per worker the attention tile scratch
    /// 4 · (2·dh·n̂ + 96) when dh is a multiple of 16 (else 384), plus 4·H·n̂ of row entropies when a sequence
    /// keeps entropies (counted always), plus the batch's index arrays (ids, type ids, positions: 12·T).
    ///
    /// The workspace is pooled: after the pass the encoder keeps the largest one recently used for the next pass,
    /// so an idle encoder holds one workspace; concurrent passes each allocate their own.
    public func workspaceBytes(forBatchTokens tokens: Int, maxLength: Int, workers: Int = Compute.threads) -> Int {
        let c = configuration
        let longest = (maxLength + 15) & ~15
        let workspace = Workspace.capacities(tokens: tokens, longest: maxLength, configuration: c, workers: workers)
        let attention = workers * Self.attentionScratch(dh: c.hiddenSize / c.heads, longest: longest)
        let entropyRows = c.heads * longest
        return (workspace.total + attention + entropyRows) * MemoryLayout<Float>.stride
            + tokens * 3 * MemoryLayout<Int32>.stride
    }
}
