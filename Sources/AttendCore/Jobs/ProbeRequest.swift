/// One entry of a `POST /attend` request's `"probes"` as typed values, before it is checked against the model
/// and the sequences (README "Probes"). Positions are the original sequence's token indices, negative counting
/// from its end; every probe is applied to every input sequence.
public struct ProbeRequest: Sendable, Equatable {
    /// A replacement token as the request names it.
    public enum Token: Sendable, Equatable {
        /// One vocabulary entry, by its string (`"cat"`, `"##ing"`, `"[MASK]"`).
        case string(String)
        /// A vocabulary id.
        case id(Int)
    }

    /// One `"replace"` member: its key as written (for error paths), the position it names, the token.
    public struct Replacement: Sendable, Equatable {
        public var key: String
        public var position: Int
        public var token: Token

        public init(key: String, position: Int, token: Token) {
            self.key = key
            self.position = position
            self.token = token
        }
    }

    /// A label echoed in the probe's result.
    public var name: String?
    /// Positions replaced by the tokenizer's mask token.
    public var mask: [Int] = []
    /// Positions replaced by another vocabulary entry, in request order.
    public var replace: [Replacement] = []
    /// Positions removed.
    public var drop: [Int] = []
    /// `[layer, head]` pairs (negative counting from the end) whose context slice is zeroed.
    public var ablate: [[Int]] = []

    public init(
        name: String? = nil, mask: [Int] = [], replace: [Replacement] = [], drop: [Int] = [], ablate: [[Int]] = []
    ) {
        self.name = name
        self.mask = mask
        self.replace = replace
        self.drop = drop
        self.ablate = ablate
    }
}
