import Transformer

extension AttendJob {
    /// Takes the request's `"predictions"` into the job: the model must have a masked-language-model head
    /// (`no_mlm_head`, 422), `"positions"` must lie inside every sequence (422).
    mutating func checkPredictions(_ request: AttendRequest) throws(CoreError) {
        guard let asked = request.predictions else { return }
        guard model.maskedLMHead != nil else { throw .noMaskedLMHead(model: model.name) }
        if asked.positions != nil {
            for (i, e) in input.encodings.enumerated() where Self.resolve(asked.positions, in: e, model: model) == nil {
                throw .unsupported(
                    "\"predictions.positions\" holds an index outside sequence \(i) of \(e.count) tokens "
                        + "(0...\(e.count - 1), or -\(e.count)...-1)", field: "predictions.positions")
            }
        }
        predictions = asked
    }

    /// The positions predicted in `encoding`: `positions` resolved (negative from the end, duplicates dropped,
    /// first kept), nil when one is out of range; without `positions`, every mask token (the tokenizer's mask
    /// token's id, ``Tokenizer/maskToken``, else tokens spelled `[MASK]` or `<mask>`), in order.
    static func resolve(_ positions: [Int]?, in encoding: Encoding, model: ServedModel) -> [Int]? {
        let n = encoding.count
        guard let positions else {
            if let mask = model.tokenizer.maskToken {
                return encoding.ids.indices.filter { encoding.ids[$0] == mask.id }
            }
            return encoding.tokens.indices.filter { ["[MASK]", "<mask>"].contains(encoding.tokens[$0]) }
        }
        var result: [Int] = []
        for p in positions {
            let r = p < 0 ? n + p : p
            guard r >= 0 && r < n else { return nil }
            if !result.contains(r) { result.append(r) }
        }
        return result
    }

    /// One sequence's predictions from its output (on the compute thread): the head on the last hidden state at
    /// each predicted position, and with the logit lens on every hidden state.
    public func maskedPredictions(_ output: EncoderOutput, encoding: Encoding) -> [PositionPrediction] {
        guard let asked = predictions, let head = model.maskedLMHead,
            let positions = Self.resolve(asked.positions, in: encoding, model: model), !positions.isEmpty
        else { return [] }
        let encoder = model.encoder
        let tokenizer = model.tokenizer
        func values(_ hidden: Tensor) -> [MaskedPredictionValues] {
            MaskedLMHead.top(head.logits(hidden, rows: positions, encoder: encoder), k: asked.topK).map { p in
                MaskedPredictionValues(
                    ids: p.ids, tokens: p.ids.map { tokenizer.token(for: $0) ?? "[UNK]" },
                    probabilities: p.probabilities)
            }
        }
        let last = values(output.lastHiddenState)
        let lens = asked.logitLens ? (output.hiddenStates ?? []).map(values) : []
        return positions.enumerated().map { slot, position in
            PositionPrediction(position: position, top: last[slot], lens: lens.map { $0[slot] })
        }
    }

    /// What the predictions add to the estimate. Response: per position and hidden state (1, or L + 1 with the
    /// logit lens) k ids, tokens (the vocabulary's longest, every byte escaped) and probabilities. Memory: the
    /// answer, and the largest logits block computed at once, [positions, V] floats with its transform [positions,
    /// d]; the hidden states the lens reads are in `Encoder.keptBytes`.
    func predictionEstimate(precision: Int?) -> JobEstimate {
        guard let asked = predictions, let head = model.maskedLMHead else {
            return JobEstimate(responseBytes: 0, memoryBytes: 0)
        }
        let c = model.configuration
        let binary = form.format == .safetensors
        let perFloat = binary ? form.dtype.size : JobEstimate.bytesPerFloat(precision: precision)
        let k = min(asked.topK, c.vocabularySize)
        let states = asked.logitLens ? c.layers + 2 : 1
        let perEntry = 12 + perFloat + head.longestTokenBytes * 6 + 3
        var response = 0
        var largest = 0
        for e in input.encodings {
            let count = Self.resolve(asked.positions, in: e, model: model)?.count ?? 0
            response += count * states * (k * perEntry + 64) + 32
            largest = max(largest, count)
        }
        let memory = largest * (c.vocabularySize + c.hiddenSize) * 4 * 2
        return JobEstimate(responseBytes: response, memoryBytes: memory + response)
    }
}
