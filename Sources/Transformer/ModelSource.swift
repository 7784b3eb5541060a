/// Where a ``Model``'s weights came from.
public enum ModelSource: Sendable, Equatable {
    /// Deterministic weights from the configuration's seed (``EncoderWeights/seeded(_:)``).
    case seeded
    /// A Hugging Face checkpoint folder loaded by ``CheckpointLoader``.
    case checkpoint(directory: String)
}
