/// Where `PackedParameters` reads the parameters it packs (``EncoderWeights`` for weights in memory,
/// `CheckpointTensors` for a safetensors file): each parameter's values are handed over as runs of whole rows, in
/// order, so a file can be converted, checked and released a run at a time instead of copied out whole first.
protocol ParameterSource {
    /// Calls `body(firstRow, values)` over `parameter`'s row-major float32 values in consecutive runs of whole
    /// `width`-value rows, first row first (`width` divides the parameter's count; its shape was checked before).
    func read(
        _ parameter: EncoderParameter, width: Int,
        _ body: (_ firstRow: Int, _ values: UnsafeBufferPointer<Float>) -> Void
    ) throws(TransformerError)

    /// `parameter`'s values to be read in place for as long as the returned mapping lives (the encoder keeps it), or
    /// nil to have them copied with `read`.
    func resident(_ parameter: EncoderParameter) throws(TransformerError) -> MappedFloats?
}
