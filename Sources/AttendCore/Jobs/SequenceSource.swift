/// The sequences of a request as the client sent them, typed but not yet tokenized: exactly one of `text`,
/// `tokens` (pre-split words) or `input_ids`, each a single sequence or a batch; `text` may hold text pairs.
///
/// The HTTP layer builds it from JSON, counting sequences and ids against ``RequestLimits`` as it reads
/// (``RequestLimits/IDCounter``), so a request over a cap costs no more than reading it.
public enum SequenceSource: Sendable, Equatable {
    /// `text`: one string per sequence.
    case texts([String])
    /// `text` (or `text` with `text_pair`) holding at least one pair: one ``TextInput`` per sequence.
    case textPairs([TextInput])
    /// `tokens`: one list of words per sequence.
    case words([[String]])
    /// `input_ids`: one list of ids per sequence (checked against the vocabulary by the reader).
    case ids([[Int]])

    /// The request member this source came from.
    public var field: String {
        switch self {
        case .texts, .textPairs: return "text"
        case .words: return "tokens"
        case .ids: return "input_ids"
        }
    }

    /// Sequences in the source.
    public var count: Int {
        switch self {
        case .texts(let t): return t.count
        case .textPairs(let t): return t.count
        case .words(let w): return w.count
        case .ids(let i): return i.count
        }
    }
}
