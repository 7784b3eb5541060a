/// Resolves a request's `layers` or `heads` list against the model.
public enum Selection {
    /// Negative indexes count from the end; out of range is ``CoreError/selectionOutOfRange(kind:index:count:)``;
    /// duplicates are dropped (first kept); nil selects all, in order.
    public static func resolve(_ requested: [Int]?, count: Int, kind: String) throws(CoreError) -> [Int] {
        guard let requested else { return Array(0..<count) }
        var result: [Int] = []
        for i in requested {
            let resolved = i < 0 ? count + i : i
            guard resolved >= 0 && resolved < count else {
                throw .selectionOutOfRange(kind: kind, index: i, count: count)
            }
            if !result.contains(resolved) { result.append(resolved) }
        }
        return result
    }
}
