extension BPEModel {
    /// A word's symbols as a linked list over arrays (merged-away symbols have length 0).
    struct Symbols {
        var ids: [Int32] = []
        /// UTF-8 bytes each symbol covers (byte-fallback tokens: 1 each, as `tokenizers` counts them).
        var lengths: [Int32] = []
        var previous: [Int32] = []
        var next: [Int32] = []

        var count: Int { ids.count }
        var indices: Range<Int> { ids.indices }

        mutating func add(_ id: Int32, length: Int) {
            let index = Int32(ids.count)
            if index > 0 { next[Int(index) - 1] = index }
            ids.append(id)
            lengths.append(Int32(length))
            previous.append(index - 1)
            next.append(-1)
        }
    }

    /// One symbol per character, as `tokenizers`' `merge_word` builds them before merging.
    func initialSymbols(_ word: String) -> Symbols {
        var symbols = Symbols()
        let total = word.utf8.count
        symbols.ids.reserveCapacity(total)
        symbols.lengths.reserveCapacity(total)
        symbols.previous.reserveCapacity(total)
        symbols.next.reserveCapacity(total)
        var pendingUnknown: (id: Int32, length: Int)?
        var start = 0
        for scalar in word.unicodeScalars {
            let length = UTF8.width(scalar)
            let first = start == 0, last = start + length == total
            start += length
            let id = characters[(first ? 1 : 0) | (last ? 2 : 0)].id(scalar.value)
            if id >= 0 {
                if let unknown = pendingUnknown {
                    symbols.add(unknown.id, length: unknown.length)
                    pendingUnknown = nil
                }
                symbols.add(id, length: length)
                continue
            }
            if byteFallback, addBytes(of: scalar, first: first, last: last, to: &symbols) { continue }
            guard let unknownID = unknown else { continue }
            if let pending = pendingUnknown {
                if fuseUnknown {
                    pendingUnknown = (pending.id, pending.length + length)
                    continue
                }
                symbols.add(pending.id, length: pending.length)
            }
            pendingUnknown = (unknownID, length)
        }
        if let unknown = pendingUnknown { symbols.add(unknown.id, length: unknown.length) }
        return symbols
    }

    /// Adds the `<0xNN>` tokens of the character's string (prefix and suffix included, as `tokenizers` does), each
    /// one byte long; false (nothing added) when one is missing. A pending unknown token stays pending, as there.
    private func addBytes(of scalar: Unicode.Scalar, first: Bool, last: Bool, to symbols: inout Symbols) -> Bool {
        var text = first ? "" : prefix
        text.unicodeScalars.append(scalar)
        if last { text += suffix }
        var ids: [Int32] = []
        for byte in text.utf8 {
            let id = byteTokens[Int(byte)]
            guard id >= 0 else { return false }
            ids.append(id)
        }
        for id in ids { symbols.add(id, length: 1) }
        return true
    }

    /// The merge of the pair `left`, `right`: `(rank << 32 | merged id)`.
    @inline(__always)
    func merge(_ left: Int32, _ right: Int32) -> UInt64? {
        merges[UInt64(UInt32(bitPattern: left)) << 32 | UInt64(UInt32(bitPattern: right))]
    }

    /// Applies the merges lowest rank first, leftmost on ties (`tokenizers`' `Word::merge_all` without dropout):
    /// a min-heap of `(rank << 32 | position)`, stale entries skipped when popped.
    func mergeAll(_ symbols: inout Symbols) {
        guard symbols.count > 1 else { return }
        var heap = MergeHeap()
        for index in 0..<(symbols.count - 1) {
            if let found = merge(symbols.ids[index], symbols.ids[index + 1]) {
                heap.push(found & 0xFFFF_FFFF_0000_0000 | UInt64(index))
            }
        }
        while let top = heap.pop() {
            let position = Int(top & 0xFFFF_FFFF), rank = top >> 32
            guard symbols.lengths[position] != 0 else { continue }
            let right = Int(symbols.next[position])
            guard right >= 0, let found = merge(symbols.ids[position], symbols.ids[right]), found >> 32 == rank
            else { continue }
            symbols.ids[position] = Int32(truncatingIfNeeded: found)
            symbols.lengths[position] += symbols.lengths[right]
            symbols.lengths[right] = 0
            let after = symbols.next[right]
            symbols.next[position] = after
            if after >= 0 { symbols.previous[Int(after)] = Int32(position) }
            let before = symbols.previous[position]
            if before >= 0, let found = merge(symbols.ids[Int(before)], symbols.ids[position]) {
                heap.push(found & 0xFFFF_FFFF_0000_0000 | UInt64(before))
            }
            if after >= 0, let found = merge(symbols.ids[position], symbols.ids[Int(after)]) {
                heap.push(found & 0xFFFF_FFFF_0000_0000 | UInt64(position))
            }
        }
    }
}
