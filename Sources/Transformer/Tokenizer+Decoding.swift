import Foundation

extension Tokenizer {
    /// WordPiece's decoding (the `vocab.txt` tokenizers'): each id's vocabulary string (`[UNK]` when it has none),
    /// `[CLS] [SEP] [PAD] [MASK] [UNK]` left out with `skipSpecialTokens`; `##` pieces join the previous word,
    /// others start a new one after a space; then Hugging Face's `clean_up_tokenization` (no space before
    /// `. , ! ?` and English contractions).
    public func decode(ids: [Int32], skipSpecialTokens: Bool) -> String {
        let special: Set<String> = ["[CLS]", "[SEP]", "[PAD]", "[MASK]", "[UNK]"]
        var text = ""
        for id in ids {
            let token = token(for: id) ?? "[UNK]"
            if skipSpecialTokens && special.contains(token) { continue }
            if token.hasPrefix("##") {
                text += token.dropFirst(2)
            } else {
                if !text.isEmpty { text += " " }
                text += token
            }
        }
        for (from, to) in [
            (" .", "."), (" ?", "?"), (" !", "!"), (" ,", ","), (" ' ", "'"), (" n't", "n't"), (" 'm", "'m"),
            (" 's", "'s"), (" 've", "'ve"), (" 're", "'re"),
        ] {
            text = text.replacingOccurrences(of: from, with: to)
        }
        return text
    }
}
