import Transformer

extension AttendJob {
    /// One sequence's head roles (`"analysis"` with `"heads"`) from the maps the pass kept for them: the selected
    /// layers' `[heads, n, n]` maps of the selected heads, on the compute thread.
    public func headRoleValues(_ output: EncoderOutput, encoding: Encoding) -> HeadRoles? {
        guard headRoles else { return nil }
        let classes = TokenClasses(encoding: encoding, tokenizer: model.tokenizer)
        return HeadRoles(maps: layers.compactMap { output.attentions[$0] }, classes: classes)
    }

    /// Adds the head roles and the predictions to `result` (computed from its output), then drops what the pass
    /// kept only for them: the maps when `"attentions": false`, the hidden states without `"hidden_states"`.
    public func addRolesAndPredictions(to result: inout SequenceResult, encoding: Encoding) {
        result.headRoles = headRoleValues(result.output, encoding: encoding)
        result.predictions = maskedPredictions(result.output, encoding: encoding)
        if !attentions { result.output.attentions = [:] }
        if !hiddenStates { result.output.hiddenStates = nil }
    }

    /// What the head roles add to the estimate: per sequence 7 values and a tag per selected layer and head, and
    /// the batch means once. The maps they are computed from are in `Encoder.keptBytes` (the pass keeps the
    /// selected heads' maps of the selected layers for them even with `"attentions": false`).
    func headRoleEstimate(precision: Int?) -> JobEstimate {
        guard headRoles else { return JobEstimate(responseBytes: 0, memoryBytes: 0) }
        let binary = form.format == .safetensors
        let perFloat = binary ? form.dtype.size : JobEstimate.bytesPerFloat(precision: precision)
        let cells = layers.count * heads.count
        let perTable = cells * (HeadRoles.Measure.allCases.count * perFloat + 15) + 32 * layers.count + 256
        let response = (input.encodings.count + 1) * perTable
        return JobEstimate(responseBytes: response, memoryBytes: response + (input.encodings.count + 1) * cells * 32)
    }
}
