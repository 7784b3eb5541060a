// Shape legend: see Encoder.swift (n = the original sequence's length, n′ = the variant's, d).

/// The edits that turn one sequence into a probe variant (README "Probes"): token ids replaced (a mask is a
/// replacement by the mask token), positions dropped, heads ablated. Positions are the original sequence's
/// indices, already resolved and checked by the caller (in range, each position edited once, a token kept).
///
/// The reusable core of every "what if" request: ``apply(to:typeIDs:keep:)`` builds the variant's encoder input
/// and its alignment to the original positions (leave-one-out occlusion is `drops: [i]`).
public struct ProbeEdit: Sendable, Equatable {
    /// A replacement token: its id and its vocabulary string (reported in the answer).
    public struct Replacement: Sendable, Equatable {
        public var id: Int32
        public var token: String

        public init(id: Int32, token: String) {
            self.id = id
            self.token = token
        }
    }

    /// Original position → the token put there.
    public var replacements: [Int: Replacement]
    /// Original positions removed from the sequence (the rest keep their order and get positions 0..<n′).
    public var drops: Set<Int>
    /// Heads whose context slice is zero at the attention output projection (``EncoderInput/ablatedHeads``).
    public var ablatedHeads: Set<AttentionHead>

    public init(
        replacements: [Int: Replacement] = [:], drops: Set<Int> = [], ablatedHeads: Set<AttentionHead> = []
    ) {
        self.replacements = replacements
        self.drops = drops
        self.ablatedHeads = ablatedHeads
    }

    /// Whether the edit changes nothing (its variant is the original).
    public var isEmpty: Bool { replacements.isEmpty && drops.isEmpty && ablatedHeads.isEmpty }

    /// The variant of `encoding`: ids with the replacements, without the dropped positions (their token types
    /// dropped with them, when `typeIDs` is given), the ablated heads, and `keep` as what the pass keeps for it.
    public func apply(to encoding: Encoding, typeIDs: [Int32]?, keep: KeptOutputs?) -> ProbeVariant {
        let n = encoding.count
        var ids: [Int32] = []
        var tokens: [String] = []
        var types: [Int32]? = typeIDs.map { _ in [] }
        var alignment = [Int?](repeating: nil, count: n)
        var positions: [Int] = []
        ids.reserveCapacity(n)
        for i in 0..<n where !drops.contains(i) {
            alignment[i] = positions.count
            positions.append(i)
            let replacement = replacements[i]
            ids.append(replacement?.id ?? encoding.ids[i])
            tokens.append(replacement?.token ?? encoding.tokens[i])
            if let typeIDs { types?.append(typeIDs[i]) }
        }
        return ProbeVariant(
            input: EncoderInput(ids: ids, typeIds: types, keep: keep, ablatedHeads: ablatedHeads), tokens: tokens,
            alignment: alignment, positions: positions)
    }
}

/// One probe variant of a sequence: what the encoder gets, and how its positions map to the original's.
public struct ProbeVariant: Sendable, Equatable {
    /// The encoder's input (ids [n′], token types [n′] or nil, ablated heads, what to keep).
    public var input: EncoderInput
    /// The variant's token strings [n′].
    public var tokens: [String]
    /// Per original position, the variant position holding that token; nil where dropped. [n]
    public var alignment: [Int?]
    /// Per variant position, its original position (ascending). [n′]
    public var positions: [Int]

    public init(input: EncoderInput, tokens: [String], alignment: [Int?], positions: [Int]) {
        self.input = input
        self.tokens = tokens
        self.alignment = alignment
        self.positions = positions
    }

    /// Tokens in the variant, n′.
    public var count: Int { positions.count }
}
