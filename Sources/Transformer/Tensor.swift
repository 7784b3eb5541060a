/// A dense float32 tensor: a shape and its row-major (C order) contiguous storage.
///
/// `storage.count` equals the product of `shape`; the last dimension varies fastest.
public struct Tensor: Sendable, Equatable {
    /// Dimensions, outermost first.
    public var shape: [Int]
    /// Row-major values.
    public var storage: [Float]

    /// Wraps `storage` (whose count must equal the product of `shape`).
    public init(shape: [Int], storage: [Float]) {
        precondition(shape.reduce(1, *) == storage.count, "Tensor storage does not match its shape")
        self.shape = shape
        self.storage = storage
    }

    /// A tensor of zeros.
    public init(zeros shape: [Int]) {
        self.shape = shape
        self.storage = [Float](repeating: 0, count: shape.reduce(1, *))
    }

    /// Number of elements.
    public var count: Int { storage.count }

    /// Element at a multi-dimensional index (slow; for tests and tooling, not hot loops).
    public subscript(_ index: Int...) -> Float {
        get { storage[offset(index)] }
        set { storage[offset(index)] = newValue }
    }

    private func offset(_ index: [Int]) -> Int {
        precondition(index.count == shape.count, "Tensor index rank mismatch")
        var result = 0
        for (i, dimension) in zip(index, shape) {
            precondition(i >= 0 && i < dimension, "Tensor index out of range")
            result = result * dimension + i
        }
        return result
    }
}
