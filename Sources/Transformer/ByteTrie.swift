/// A byte trie of vocabulary strings for common-prefix search (Unigram's lattice): the root's children in a
/// 256-entry table, deeper edges in one dictionary keyed by `(node << 8 | byte)`.
struct ByteTrie: Sendable {
    private var rootChildren = [Int32](repeating: -1, count: 256)
    private var edges: [UInt64: Int32] = [:]
    /// The token id ending at each node (-1: none); node 0 is the root.
    private var terminals: [Int32] = [-1]

    /// Adds `bytes` (non-empty) as the token `id`, replacing an earlier id of the same bytes.
    mutating func insert(_ bytes: some Sequence<UInt8>, id: Int32) {
        var node: Int32 = 0
        for byte in bytes {
            let child = self.child(of: node, byte)
            if child >= 0 {
                node = child
                continue
            }
            let created = Int32(terminals.count)
            terminals.append(-1)
            if node == 0 {
                rootChildren[Int(byte)] = created
            } else {
                edges[UInt64(node) << 8 | UInt64(byte)] = created
            }
            node = created
        }
        if node != 0 { terminals[Int(node)] = id }
    }

    @inline(__always)
    private func child(of node: Int32, _ byte: UInt8) -> Int32 {
        if node == 0 { return rootChildren[Int(byte)] }
        return edges[UInt64(node) << 8 | UInt64(byte)] ?? -1
    }

    /// Calls `body(end, id)` for every token that is a prefix of `bytes[start...]`, shortest first.
    @inline(__always)
    func forEachPrefix(of bytes: UnsafeBufferPointer<UInt8>, from start: Int, _ body: (Int, Int32) -> Void) {
        var node: Int32 = 0
        var position = start
        while position < bytes.count {
            node = child(of: node, bytes[position])
            guard node >= 0 else { return }
            position += 1
            let id = terminals[Int(node)]
            if id >= 0 { body(position, id) }
        }
    }
}
