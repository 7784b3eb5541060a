import Foundation
import Transformer

/// For one sequence and one layer, the keys each token attends to most: one head's map or the mean over the layer's
/// heads, the `top` largest weights of each query row (largest first, ties by lower key index, as `/attend`'s
/// `top_k`). What `attend run --top k` prints; ``rendered(decimals:)`` lays it out as an aligned text table.
public struct AttentionTable: Sendable, Equatable {
    /// Which map of the layer the rows are read from.
    public enum Heads: Sendable, Equatable {
        /// The mean over this many heads (every head of the layer).
        case mean(count: Int)
        /// One head, by its non-negative index.
        case head(Int)
    }

    /// One key of a query row.
    public struct Target: Sendable, Equatable {
        /// The key's position in the sequence.
        public var index: Int
        public var token: String
        public var weight: Float

        public init(index: Int, token: String, weight: Float) {
            self.index = index
            self.token = token
            self.weight = weight
        }
    }

    /// One query token and its largest keys, largest first.
    public struct Row: Sendable, Equatable {
        public var index: Int
        public var token: String
        public var targets: [Target]

        public init(index: Int, token: String, targets: [Target]) {
            self.index = index
            self.token = token
            self.targets = targets
        }
    }

    /// The line printed above the table (the text, the model, the layer and heads).
    public var title: String
    /// The layer's non-negative index, and how many layers the model has.
    public var layer: Int
    public var layerCount: Int
    public var heads: Heads
    /// How many keys each row keeps at most (rows of a shorter sequence keep all of theirs).
    public var top: Int
    public var rows: [Row]

    /// Reads the table from one layer's maps.
    /// - Parameters:
    ///   - tokens: the sequence's `n` tokens as the tokenizer wrote them (`##` pieces as they are).
    ///   - maps: `[h, n, n]`, rows = queries: the layer's kept heads (h ≥ 1).
    ///   - head: which of the `h` kept maps to read, or nil for the mean over all `h`.
    ///   - heads: what the rows show, for the title (the model's head index, or the mean's head count).
    /// - Throws: `CoreError.invalidRequest` when `top` < 1, the maps' shape does not match the tokens, or `head` is
    ///   outside `0..<h`.
    public init(
        title: String, tokens: [String], maps: Tensor, head: Int?, heads: Heads, layer: Int, layerCount: Int,
        top: Int
    ) throws(CoreError) {
        guard top >= 1 else {
            throw .invalidRequest("the number of keys per row (top) must be at least 1, not \(top)", field: "top")
        }
        let n = tokens.count
        guard maps.shape.count == 3, maps.shape[0] >= 1, maps.shape[1] == n, maps.shape[2] == n else {
            throw .invalidRequest(
                "the attention maps are \(maps.shape) for \(n) tokens (expected [heads, \(n), \(n)])", field: nil)
        }
        let h = maps.shape[0]
        if let head, !(0..<h).contains(head) {
            throw .selectionOutOfRange(kind: "head", index: head, count: h)
        }
        self.title = title
        self.layer = layer
        self.layerCount = layerCount
        self.heads = heads
        self.top = top
        let chosen = head.map { [$0] } ?? Array(0..<h)
        let scale = 1 / Float(chosen.count)
        var rows: [Row] = []
        rows.reserveCapacity(n)
        maps.storage.withUnsafeBufferPointer { storage in
            var row = [Float](repeating: 0, count: n)
            for q in 0..<n {
                for k in 0..<n { row[k] = 0 }
                for m in chosen {
                    let base = (m * n + q) * n
                    for k in 0..<n { row[k] += storage[base + k] }
                }
                let order = Self.largest(row, count: top)
                rows.append(
                    Row(
                        index: q, token: tokens[q],
                        targets: order.map { Target(index: $0, token: tokens[$0], weight: row[$0] * scale) }))
            }
        }
        self.rows = rows
    }

    /// The indexes of the `count` largest values of `values`, largest first; equal values by lower index first.
    static func largest(_ values: [Float], count: Int) -> [Int] {
        let sorted = values.indices.sorted { a, b in
            values[a] != values[b] ? values[a] > values[b] : a < b
        }
        return Array(sorted.prefix(count))
    }
}
