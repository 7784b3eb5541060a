/// Convenience accessors for reading parsed values (tests and clients).
extension JSONValue {
    /// The elements of an array, else nil.
    public var array: [JSONValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    /// A number as a `Double`, else nil.
    public var number: Double? {
        if case .number(let n) = self { return n.double }
        return nil
    }

    /// A string's value, else nil.
    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// An array's numbers as floats (other elements skipped).
    public var floats: [Float] { (array ?? []).compactMap { $0.number.map(Float.init) } }

    /// The element at `index` of an array, else nil.
    public subscript(index: Int) -> JSONValue? {
        guard let a = array, index < a.count else { return nil }
        return a[index]
    }
}
