extension HuggingFaceTokenizer {
    /// The ids the file's post-processor adds in `role` (``PostProcessor/specialTokenIDs(_:)``: `BertProcessing`'s
    /// and `RobertaProcessing`'s `cls`/`sep`, a template's specials before / after a sequence); without any (no
    /// post-processor, `ByteLevel` as GPT-2's), the special added tokens spelled by convention (`[CLS]`, `<s>`;
    /// `[SEP]`, `</s>`), else none: GPT-2's `<|endoftext|>` plays neither role.
    public func specialTokenIDs(_ role: SpecialTokenRole) -> [Int32] {
        let processed = postProcessor.specialTokenIDs(role)
        if !processed.isEmpty { return processed }
        for spelling in role.conventionalSpellings {
            if let token = addedTokens.tokens.first(where: { $0.special && $0.content == spelling }) {
                return [token.id]
            }
        }
        return []
    }
}

extension PostProcessor {
    /// The ids this post-processor adds in `role`, in order of first use: `cls`/`sep` of `BertProcessing` and
    /// `RobertaProcessing`; for `TemplateProcessing`, the special pieces before the first sequence (class role)
    /// and those after a sequence (separator role), of the single and the pair template; a `Sequence`'s steps'.
    func specialTokenIDs(_ role: SpecialTokenRole) -> [Int32] {
        var ids: [Int32] = []
        func add(_ more: [Int32]) {
            for id in more where !ids.contains(id) { ids.append(id) }
        }
        switch self {
        case .none, .byteLevel:
            break
        case .bert(let cls, let sep), .roberta(let cls, let sep, _, _):
            add([role == .classToken ? cls.id : sep.id])
        case .template(let single, let pair):
            for pieces in [single, pair] {
                var afterSequence = false
                for piece in pieces {
                    switch piece {
                    case .sequence:
                        afterSequence = true
                    case .special(let specials, _, _):
                        if afterSequence == (role == .separator) { add(specials) }
                    }
                }
            }
        case .sequence(let steps):
            for step in steps { add(step.specialTokenIDs(role)) }
        }
        return ids
    }
}
