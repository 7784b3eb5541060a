/// The BPE model of `tokenizers`: a word starts as one symbol per character (with `continuing_subword_prefix` on
/// all but the first, `end_of_word_suffix` on the last), unknown characters become `<0xNN>` byte tokens
/// (`byte_fallback`) or the unknown token (fused into one with `fuse_unk`), then the ranked merges apply,
/// lowest rank first (leftmost on ties), through a priority queue.
///
/// `dropout` is ignored: tokenization is always the deterministic one (`tokenizers` with dropout 0). A character
/// with no token when `unk_token` is unset (or not in the vocabulary) is dropped, where `tokenizers` drops it
/// (unset) or fails the encoding (absent).
public struct BPEModel: SubwordModel {
    /// Token string → id, byte-exact.
    let vocabulary: [ExactString: Int32]
    /// Id → token string (`nil` for ids no token has).
    let strings: [String?]
    /// `(left id << 32 | right id)` → `(rank << 32 | merged id)`.
    let merges: [UInt64: UInt64]
    /// The id of `unk_token`, when set and in the vocabulary.
    let unknown: Int32?
    /// `continuing_subword_prefix` and `end_of_word_suffix` (empty when unset).
    let prefix: String, suffix: String
    let fuseUnknown: Bool, byteFallback: Bool, ignoreMerges: Bool
    /// The id of `<0xNN>` for each byte (-1 when absent).
    let byteTokens: [Int32]
    /// Single-character tokens by position: [middle, first, last, first and last] (see ``CharacterTable``).
    let characters: [CharacterTable]
    let cache = SubwordCache()

    /// The number of vocabulary entries.
    public var vocabularySize: Int { vocabulary.count }

    /// The id of a vocabulary string.
    public func id(of token: String) -> Int32? { vocabulary[exact: token] }

    /// The vocabulary string of an id.
    public func token(of id: Int32) -> String? {
        guard id >= 0, Int(id) < strings.count else { return nil }
        return strings[Int(id)]
    }

    /// The tokens of one pre-tokenized word, with their UTF-8 byte ranges.
    public func tokenize(_ word: String) -> [SubwordToken] {
        if word.isEmpty { return [] }
        if ignoreMerges, let id = vocabulary[exact: word] {
            return [SubwordToken(id: id, value: word, bytes: 0..<word.utf8.count)]
        }
        if let hit = cache.tokens(of: word) { return hit }
        var symbols = initialSymbols(word)
        mergeAll(&symbols)
        var tokens: [SubwordToken] = []
        tokens.reserveCapacity(symbols.count)
        var start = 0
        for index in symbols.indices where symbols.lengths[index] != 0 {
            let id = symbols.ids[index], end = start + Int(symbols.lengths[index])
            tokens.append(SubwordToken(id: id, value: strings[Int(id)] ?? "", bytes: start..<end))
            start = end
        }
        cache.store(tokens, for: word)
        return tokens
    }
}
