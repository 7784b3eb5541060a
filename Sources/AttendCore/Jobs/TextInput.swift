/// One sequence of a `text` input that may hold pairs: a single text, or a pair encoded as one sequence
/// (`[CLS] first [SEP] second [SEP]`, token types 0 then 1).
public enum TextInput: Sendable, Equatable {
    case single(String)
    case pair(String, String)

    /// UTF-8 bytes of the text(s).
    var utf8Count: Int {
        switch self {
        case .single(let text): return text.utf8.count
        case .pair(let first, let second): return first.utf8.count + second.utf8.count
        }
    }
}
