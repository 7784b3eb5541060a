/// What a forward pass keeps besides the last hidden state, for the whole pass.
///
/// `attentionLayers` and `hiddenStates` are the default for inputs without their own ``EncoderInput/keep``
/// (``KeptOutputs/init(_:)``); an input with one keeps exactly that instead. `pooling` and `normalize` apply to
/// every output.
public struct ForwardOptions: Sendable, Equatable {
    /// Which layers' attention maps to keep (0-based); empty = none stored. Out-of-range layers are ignored.
    public var attentionLayers: Set<Int>
    /// Keep all L+1 hidden states.
    public var hiddenStates: Bool
    /// Sentence pooling.
    public var pooling: Pooling
    /// L2-normalise the pooled vector.
    public var normalize: Bool
    /// Worker threads for this pass (clamped to 1...256); nil = ``Compute/threads``. Lets a caller (a test, a
    /// benchmark) choose without changing the process-wide setting other passes use.
    public var workers: Int?

    /// Options; the defaults keep only the last hidden state.
    public init(
        attentionLayers: Set<Int> = [], hiddenStates: Bool = false, pooling: Pooling = .none, normalize: Bool = false,
        workers: Int? = nil
    ) {
        self.attentionLayers = attentionLayers
        self.hiddenStates = hiddenStates
        self.pooling = pooling
        self.normalize = normalize
        self.workers = workers
    }

    /// Keep every layer's attention maps of an encoder with `layers` layers.
    public static func allAttentions(layers: Int) -> ForwardOptions {
        ForwardOptions(attentionLayers: Set(0..<layers))
    }
}
