// Shape legend: see Encoder.swift (n = this sequence's length, H); ℓ = the layers summarised, h = heads per layer.

import Foundation

/// What each attention head attends to, after Clark et al. 2019 ("What Does BERT Look At?"): per layer and head,
/// over the query rows i of its post-softmax map P [n, n]
///
///     cls         = mean_i Σ_{j ∈ [CLS]} P[i, j]           sep = the same over the [SEP] tokens
///                   ([CLS]/[SEP]: the tokenizer's class and separator ids, `<s>`/`</s>` for RoBERTa and XLM-R;
///                   NaN when it has none, as GPT-2's)
///     previous    = mean_{i ≥ 1} P[i, i − 1]               next = mean_{i ≤ n − 2} P[i, i + 1]   (NaN for n = 1)
///     self        = mean_i P[i, i]
///     punctuation = mean_i Σ_{j punctuation} P[i, j]        (``TokenClasses/isPunctuation(_:)``)
///     entropy     = mean_i −Σ_j P[i, j] ln P[i, j]  (nats)
///
/// and a ``HeadRole`` tag (``tag(fractions:entropyRatio:)``): the largest of the six fractions when it is ≥ 0.5,
/// else `broad` when the entropy is ≥ 0.8 · ln n (rows close to uniform), else none. Sums in double.
public struct HeadRoles: Sendable, Equatable {
    /// The values reported per head, in answer order.
    public enum Measure: String, Sendable, CaseIterable {
        case cls, sep, previous, next
        case current = "self"
        case punctuation, entropy
    }

    /// `values[m][a][b]`: measure `Measure.allCases[m]` of summarised layer a, head b (NaN where undefined).
    public var values: [[[Float]]]
    /// `[layer][head]` entropy / ln n (NaN for n = 1), what `broad` is decided on.
    public var entropyRatio: [[Float]]
    /// `[layer][head]` the tag, or nil.
    public var tags: [[HeadRole?]]
    /// How many sequences the values average (1 for one sequence).
    public var inputs: Int

    /// The fraction at or above which a head is tagged with its largest role.
    public static let dominant: Float = 0.5
    /// The entropy ratio (entropy / ln n) at or above which a head without a dominant role is `broad`.
    public static let broad: Float = 0.8

    /// One sequence's roles from its kept maps: `maps[a]` is layer a's `[h, n, n]` (the heads to report, in order).
    public init(maps: [Tensor], classes: TokenClasses) {
        let measures = Measure.allCases.count
        var values = [[[Float]]](repeating: [], count: measures)
        var ratios: [[Float]] = []
        for map in maps {
            let heads = map.shape.count == 3 ? map.shape[0] : 0
            let n = map.shape.count == 3 ? map.shape[2] : 0
            var perHead = [[Float]](repeating: [Float](repeating: .nan, count: heads), count: measures)
            var ratio = [Float](repeating: .nan, count: heads)
            map.storage.withUnsafeBufferPointer { p in
                for h in 0..<heads {
                    var sums = [Double](repeating: 0, count: measures)
                    for i in 0..<n {
                        let row = h * n * n + i * n
                        var entropy = 0.0
                        for j in 0..<n {
                            let value = Double(p[row + j])
                            if classes.cls[j] { sums[0] += value }
                            if classes.sep[j] { sums[1] += value }
                            if classes.punctuation[j] { sums[5] += value }
                            if value > 0 { entropy -= value * Foundation.log(value) }
                        }
                        if i >= 1 { sums[2] += Double(p[row + i - 1]) }
                        if i + 1 < n { sums[3] += Double(p[row + i + 1]) }
                        sums[4] += Double(p[row + i])
                        sums[6] += entropy
                    }
                    guard n > 0 else { continue }
                    for m in 0..<measures {
                        let rows = m == 2 || m == 3 ? n - 1 : n
                        perHead[m][h] = rows > 0 ? Float(sums[m] / Double(rows)) : .nan
                    }
                    if !classes.hasClassToken { perHead[0][h] = .nan }
                    if !classes.hasSeparatorToken { perHead[1][h] = .nan }
                    if n > 1 { ratio[h] = Float(sums[6] / Double(n) / Foundation.log(Double(n))) }
                }
            }
            for m in 0..<measures { values[m].append(perHead[m]) }
            ratios.append(ratio)
        }
        self.init(values: values, entropyRatio: ratios, inputs: 1)
    }

    /// Roles from their values; the tags follow from them.
    public init(values: [[[Float]]], entropyRatio: [[Float]], inputs: Int) {
        self.values = values
        self.entropyRatio = entropyRatio
        self.inputs = inputs
        tags = entropyRatio.indices.map { a in
            entropyRatio[a].indices.map { b in
                Self.tag(fractions: (0..<6).map { values[$0][a][b] }, entropyRatio: entropyRatio[a][b])
            }
        }
    }

    /// The mean over sequences of each value (NaN values left out; NaN when all are), and the tags of the means;
    /// nil for no sequences or different shapes.
    public static func mean(_ all: [HeadRoles]) -> HeadRoles? {
        guard let first = all.first else { return nil }
        let shape = first.entropyRatio.map(\.count)
        guard all.allSatisfy({ $0.entropyRatio.map(\.count) == shape && $0.values.count == first.values.count })
        else { return nil }
        func average(_ pick: (HeadRoles) -> [[Float]]) -> [[Float]] {
            shape.indices.map { a in
                (0..<shape[a]).map { b in
                    var total = 0.0
                    var count = 0
                    for roles in all where !pick(roles)[a][b].isNaN {
                        total += Double(pick(roles)[a][b])
                        count += 1
                    }
                    return count > 0 ? Float(total / Double(count)) : .nan
                }
            }
        }
        let values = first.values.indices.map { m in average { $0.values[m] } }
        return HeadRoles(values: values, entropyRatio: average(\.entropyRatio), inputs: all.count)
    }

    /// The tag of a head from its six fractions (cls, sep, previous, next, self, punctuation; NaN ignored) and its
    /// entropy ratio: the largest fraction's role when it is ≥ ``dominant`` (the first of equal ones), else
    /// `broad` when the ratio is ≥ ``broad``, else nil.
    public static func tag(fractions: [Float], entropyRatio: Float) -> HeadRole? {
        let roles: [HeadRole] = [.cls, .sep, .previous, .next, .current, .punctuation]
        var best: (value: Float, role: HeadRole)?
        for (value, role) in zip(fractions, roles) where !value.isNaN && value > (best?.value ?? -1) {
            best = (value, role)
        }
        if let best, best.value >= dominant { return best.role }
        return entropyRatio >= broad ? .broad : nil
    }
}

/// A head's dominant behaviour (``HeadRoles``).
public enum HeadRole: String, Sendable, CaseIterable {
    case cls, sep, previous, next
    case current = "self"
    case punctuation, broad
}

/// Which tokens of one sequence are `[CLS]`, `[SEP]` and punctuation, for ``HeadRoles``.
public struct TokenClasses: Sendable, Equatable {
    public var cls: [Bool]
    public var sep: [Bool]
    public var punctuation: [Bool]
    /// Whether the tokenizer has a class token at all; without one (GPT-2) the `cls` measure is NaN (null).
    public var hasClassToken = true
    /// Whether the tokenizer has a separator token at all; without one the `sep` measure is NaN (null).
    public var hasSeparatorToken = true

    /// Classes by token string: a token equal to `classToken` is [CLS], one equal to `separatorToken` is [SEP]
    /// (wherever they are), and ``isPunctuation(_:)`` decides punctuation.
    public init(tokens: [String], classToken: String, separatorToken: String) {
        cls = tokens.map { $0 == classToken }
        sep = tokens.map { $0 == separatorToken }
        punctuation = tokens.map(Self.isPunctuation)
    }

    /// Classes by id, as `tokenizer` reports its special tokens (``Tokenizer/specialTokenIDs(_:)``: `[CLS]` and
    /// `<s>` are class tokens, `[SEP]` and `</s>` separators, wherever they are); punctuation by token string.
    /// A tokenizer without a class (separator) token leaves ``hasClassToken`` (``hasSeparatorToken``) false.
    public init(encoding: Encoding, tokenizer: any Tokenizer) {
        let classIDs = tokenizer.specialTokenIDs(.classToken)
        let separatorIDs = tokenizer.specialTokenIDs(.separator)
        cls = encoding.ids.map { classIDs.contains($0) }
        sep = encoding.ids.map { separatorIDs.contains($0) }
        punctuation = encoding.tokens.map(Self.isPunctuation)
        hasClassToken = !classIDs.isEmpty
        hasSeparatorToken = !separatorIDs.isEmpty
    }

    /// Whether every character of `token` (after a leading word-piece marker when more follows: WordPiece's `##`,
    /// byte-level BPE's `Ġ` (a space), SentencePiece's `▁`) is Unicode punctuation (general category P*), e.g.
    /// `.`, `,`, `"`, `##.`, `Ġ,`, `▁.`, `—`; `##` alone counts as two `#`.
    public static func isPunctuation(_ token: String) -> Bool {
        var text = Substring(token)
        if text.hasPrefix("##") && text.count > 2 {
            text = text.dropFirst(2)
        } else if let first = text.unicodeScalars.first, first == "\u{120}" || first == "\u{2581}",
            text.unicodeScalars.count > 1
        {
            text = Substring(text.unicodeScalars.dropFirst())
        }
        guard !text.isEmpty else { return false }
        return text.unicodeScalars.allSatisfy { scalar in
            switch scalar.properties.generalCategory {
            case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation, .initialPunctuation,
                .finalPunctuation, .otherPunctuation:
                return true
            default:
                return false
            }
        }
    }
}
