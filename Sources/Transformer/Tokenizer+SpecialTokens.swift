/// What a special token does in a model input, for the analyses that single such tokens out (``HeadRoles``).
public enum SpecialTokenRole: String, Sendable, CaseIterable {
    /// The sequence-level token a post-processor puts first: BERT's `[CLS]`, RoBERTa's and XLM-R's `<s>`.
    case classToken = "cls"
    /// The token a post-processor puts after each segment: BERT's `[SEP]`, RoBERTa's and XLM-R's `</s>`.
    case separator = "sep"

    /// The spellings that play the role by convention, for tokenizers that do not say (BERT's, then RoBERTa's).
    public var conventionalSpellings: [String] {
        switch self {
        case .classToken: ["[CLS]", "<s>"]
        case .separator: ["[SEP]", "</s>"]
        }
    }
}

extension Tokenizer {
    /// The ids of the conventional spellings (``SpecialTokenRole/conventionalSpellings``) that are vocabulary
    /// entries: the first one found, or none.
    public func specialTokenIDs(_ role: SpecialTokenRole) -> [Int32] {
        for spelling in role.conventionalSpellings {
            if let id = id(for: spelling) { return [id] }
        }
        return []
    }

    /// The role `id` plays in this tokenizer's model inputs, or nil for an ordinary token.
    public func specialTokenRole(of id: Int32) -> SpecialTokenRole? {
        SpecialTokenRole.allCases.first { specialTokenIDs($0).contains(id) }
    }
}

extension WordPieceTokenizer {
    /// `cls_token` and `sep_token` of the options (the ids ``encode(_:addSpecialTokens:)`` wraps a text in).
    public func specialTokenIDs(_ role: SpecialTokenRole) -> [Int32] {
        let token = role == .classToken ? options.classToken : options.separatorToken
        return id(for: token).map { [$0] } ?? []
    }
}

extension HashingTokenizer {
    /// `[CLS]` (2) and `[SEP]` (3), the reserved ids it wraps a text in.
    public func specialTokenIDs(_ role: SpecialTokenRole) -> [Int32] {
        [role == .classToken ? 2 : 3]
    }
}
