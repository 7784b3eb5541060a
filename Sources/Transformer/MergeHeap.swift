/// A binary min-heap of packed `UInt64` keys (BPE merge candidates: rank in the high half, position in the low).
struct MergeHeap {
    private var keys: [UInt64] = []

    mutating func push(_ key: UInt64) {
        keys.append(key)
        var child = keys.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard keys[child] < keys[parent] else { break }
            keys.swapAt(child, parent)
            child = parent
        }
    }

    mutating func pop() -> UInt64? {
        guard let last = keys.popLast() else { return nil }
        guard !keys.isEmpty else { return last }
        let top = keys[0]
        keys[0] = last
        var parent = 0
        let count = keys.count
        while true {
            let left = 2 * parent + 1
            guard left < count else { break }
            var smallest = left
            if left + 1 < count, keys[left + 1] < keys[left] { smallest = left + 1 }
            guard keys[smallest] < keys[parent] else { break }
            keys.swapAt(smallest, parent)
            parent = smallest
        }
        return top
    }
}
