extension UnigramModel {
    /// The best segmentation of valid UTF-8 `bytes`: (byte range, id) per piece in order, consecutive unknown
    /// pieces fused (id = the unknown id, or -1 without one).
    ///
    /// Shapes: `best`, `from`, `ids` have one entry per byte boundary (`bytes.count + 1`).
    func viterbi(_ bytes: UnsafeBufferPointer<UInt8>) -> [(Range<Int>, Int32)] {
        let size = bytes.count
        var best = [Double](repeating: 0, count: size + 1)
        var from = [Int32](repeating: -1, count: size + 1)
        var ids = [Int32](repeating: -1, count: size + 1)
        let unknownID = unknown ?? -1
        var start = 0
        while start < size {
            let here = best[start]
            let characterEnd = start + Self.utf8Length(bytes[start])
            var hasSingle = false
            trie.forEachPrefix(of: bytes, from: start) { end, id in
                let candidate = scores[Int(id)] + here
                if from[end] < 0 || candidate > best[end] {
                    best[end] = candidate
                    from[end] = Int32(start)
                    ids[end] = id
                }
                if end == characterEnd { hasSingle = true }
            }
            if !hasSingle {
                let candidate = unknownScore + here
                if from[characterEnd] < 0 || candidate > best[characterEnd] {
                    best[characterEnd] = candidate
                    from[characterEnd] = Int32(start)
                    ids[characterEnd] = unknownID
                }
            }
            start = characterEnd
        }
        var segments: [(Range<Int>, Int32)] = []
        var end = size
        var fusedStart = -1, fusedEnd = -1
        while end > 0 {
            let begin = Int(from[end]), id = ids[end]
            if unknown != nil, id == unknownID {
                if fusedEnd < 0 { fusedEnd = end }
                fusedStart = begin
            } else {
                if fusedEnd >= 0 {
                    segments.append((fusedStart..<fusedEnd, unknownID))
                    fusedEnd = -1
                }
                segments.append((begin..<end, id))
            }
            end = begin
        }
        if fusedEnd >= 0 { segments.append((fusedStart..<fusedEnd, unknownID)) }
        segments.reverse()
        return segments
    }

    /// The length of the UTF-8 sequence a lead byte starts.
    @inline(__always)
    static func utf8Length(_ lead: UInt8) -> Int {
        if lead < 0x80 { return 1 }
        if lead < 0xE0 { return 2 }
        if lead < 0xF0 { return 3 }
        return 4
    }
}
