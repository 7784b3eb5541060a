import Transformer

/// The sequences of a request, tokenized and checked against the model: every sequence non-empty, within the
/// model's positions (or truncated to them), ids inside the vocabulary, the request within its caps.
public struct SequenceInput: Sendable {
    /// Where the sequences came from; decides what the response reports per token (offsets or word ids).
    public enum Kind: Sendable { case text, tokens, inputIDs }

    public var kind: Kind
    public var encodings: [Encoding]
    /// Whether the encoder gets each pair's token types (false for a model without token-type embeddings).
    public var passesTypeIDs = true

    /// Tokens over all sequences.
    public var totalTokens: Int { encodings.reduce(0) { $0 + $1.count } }

    /// The encoder's inputs: ids, and a pair's token types (one text's are all 0, the encoder's default).
    public var encoderInputs: [EncoderInput] { encodings.map { EncoderInput(ids: $0.ids, typeIds: typeIDs($0)) } }

    /// What the encoder gets as `typeIds` for `encoding`.
    public func typeIDs(_ encoding: Encoding) -> [Int32]? {
        passesTypeIDs && encoding.isPair ? encoding.typeIDs : nil
    }

    public init(kind: Kind, encodings: [Encoding]) {
        self.kind = kind
        self.encodings = encodings
    }
}
