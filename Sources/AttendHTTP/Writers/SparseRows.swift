import AttendCore
import Transformer

/// The kept keys of selected query rows of one layer's attention map (`"top_k"` or `"threshold"`), for both
/// writers: for each selected head (request order) and row (request order), the kept keys' indices and weights,
/// largest first (ties: lower index first), and the row's dropped mass (the sum of the weights not kept), in a
/// compressed sparse row layout: row r's keys are `indptr[r]..<indptr[r + 1]` of `indices` and `values`.
struct SparseRows {
    var indptr: [Int32]
    var indices: [Int32]
    var values: [Float]
    var dropped: [Float]

    /// Rows of the map, `heads.count × rows.count` of them.
    var count: Int { dropped.count }

    /// `map` is one layer's [heads, n, n] weights.
    init(map: Tensor, heads: [Int], rows: [Int], keys: ResponseForm.Keys) {
        let n = map.shape[2]
        let kept = keys.maximumKept(n)
        let rowCount = heads.count * rows.count
        indptr = [0]
        indptr.reserveCapacity(rowCount + 1)
        indices = []
        values = []
        if case .topK = keys {
            indices.reserveCapacity(rowCount * kept)
            values.reserveCapacity(rowCount * kept)
        }
        dropped = []
        dropped.reserveCapacity(rowCount)
        var order: [Int32] = []
        order.reserveCapacity(n)
        map.storage.withUnsafeBufferPointer { all in
            for head in heads {
                for row in rows {
                    let p = UnsafeBufferPointer(rebasing: all[((head * n + row) * n)..<((head * n + row + 1) * n)])
                    let larger = { (a: Int32, b: Int32) in
                        p[Int(a)] > p[Int(b)] || (p[Int(a)] == p[Int(b)] && a < b)
                    }
                    order.removeAll(keepingCapacity: true)
                    switch keys {
                    case .all:
                        order.append(contentsOf: (0..<Int32(n)))
                    case .topK(let k) where k * 4 >= n:
                        order.append(contentsOf: (0..<Int32(n)))
                        order.sort(by: larger)
                        order.removeLast(n - kept)
                    case .topK:
                        // Insertion into a sorted buffer of `kept`: one comparison for most keys.
                        for j in 0..<Int32(n) {
                            if order.count == kept {
                                guard p[Int(j)] > p[Int(order[kept - 1])] else { continue }
                                order.removeLast()
                            }
                            var at = order.count
                            while at > 0 && p[Int(j)] > p[Int(order[at - 1])] { at -= 1 }
                            order.insert(j, at: at)
                        }
                    case .threshold(let t):
                        for j in 0..<Int32(n) where p[Int(j)] >= t { order.append(j) }
                        order.sort(by: larger)
                    }
                    var total = 0.0
                    for v in p { total += Double(v) }
                    var sum = 0.0
                    for j in order {
                        indices.append(j)
                        values.append(p[Int(j)])
                        sum += Double(p[Int(j)])
                    }
                    dropped.append(Float(max(0, total - sum)))
                    indptr.append(Int32(indices.count))
                }
            }
        }
    }
}
