/// `"predictions"` of a `POST /attend` request (README "Masked-word predictions"): the top-k vocabulary entries
/// the model's masked-language-model head predicts at some positions of every sequence.
public struct PredictionRequest: Sendable, Equatable {
    /// Entries per position, most probable first.
    public var topK: Int
    /// Positions of every sequence (negative counting from its end); nil = each sequence's mask tokens.
    public var positions: [Int]?
    /// Also apply the head to every hidden state (index 0 = the embeddings' output … L = the last layer).
    public var logitLens: Bool

    /// The default `k`.
    public static let defaultTopK = 5
    /// The largest `k` a request may ask for.
    public static let maxTopK = 100

    public init(topK: Int = defaultTopK, positions: [Int]? = nil, logitLens: Bool = false) {
        self.topK = topK
        self.positions = positions
        self.logitLens = logitLens
    }
}

/// The predictions at one position of one sequence: at the last hidden state, and with the logit lens at every
/// hidden state (index 0 = the embeddings' output).
public struct PositionPrediction: Sendable, Equatable {
    public var position: Int
    public var top: MaskedPredictionValues
    /// L + 1 entries with `logit_lens`, else empty.
    public var lens: [MaskedPredictionValues]

    public init(position: Int, top: MaskedPredictionValues, lens: [MaskedPredictionValues] = []) {
        self.position = position
        self.top = top
        self.lens = lens
    }
}

/// Ids, their vocabulary strings and softmax probabilities, most probable first.
public struct MaskedPredictionValues: Sendable, Equatable {
    public var ids: [Int32]
    public var tokens: [String]
    public var probabilities: [Float]

    public init(ids: [Int32], tokens: [String], probabilities: [Float]) {
        self.ids = ids
        self.tokens = tokens
        self.probabilities = probabilities
    }
}
