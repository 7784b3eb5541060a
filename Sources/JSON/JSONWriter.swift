/// A streaming JSON writer into a growable byte buffer, built for large float arrays.
///
/// The writer does not track structure: callers emit punctuation with `raw(_:)` (e.g. `{"a":`) and values with
/// the typed methods. Floats go through `FloatFormatter` straight into the buffer, without intermediate strings.
public final class JSONWriter {
    private var storage: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    /// False while writing into memory lent by ``collect(capacity:precision:_:)``; growing copies into owned memory.
    private var ownsStorage = true
    /// Bytes written so far.
    public private(set) var count: Int = 0
    /// Digits after the point for floats, or nil for shortest round-trip.
    public var precision: Int?

    public init(capacity: Int = 4096, precision: Int? = nil) {
        self.capacity = max(capacity, 64)
        self.storage = .allocate(capacity: self.capacity)
        self.precision = precision
    }

    /// A writer over `capacity` bytes at `storage`, which it does not own (it moves to its own memory to grow).
    private init(lent storage: UnsafeMutablePointer<UInt8>, capacity: Int, precision: Int?) {
        self.storage = storage
        self.capacity = capacity
        self.precision = precision
        ownsStorage = false
    }

    deinit { if ownsStorage { storage.deallocate() } }

    /// The bytes written, copied out.
    public var bytes: [UInt8] { Array(UnsafeBufferPointer(start: storage, count: count)) }

    /// What `body` writes, as an array formatted in place: the writer writes straight into the array's memory
    /// (`capacity` bytes reserved), so the bytes are not copied afterwards. Only when `body` writes more than
    /// `capacity` do they move (once) into a larger buffer and get copied out.
    public static func collect(capacity: Int, precision: Int? = nil, _ body: (JSONWriter) -> Void) -> [UInt8] {
        let reserved = max(capacity, 64)
        var spilled: [UInt8]?
        let bytes = [UInt8](unsafeUninitializedCapacity: reserved) { buffer, initialized in
            guard let base = buffer.baseAddress else {
                initialized = 0
                return
            }
            let w = JSONWriter(lent: base, capacity: reserved, precision: precision)
            body(w)
            if w.ownsStorage {
                spilled = w.bytes
                initialized = 0
            } else {
                initialized = w.count
            }
        }
        return spilled ?? bytes
    }

    @inline(__always)
    private func reserve(_ extra: Int) {
        if count + extra > capacity { grow(count + extra) }
    }

    private func grow(_ needed: Int) {
        var newCapacity = capacity * 2
        while newCapacity < needed { newCapacity *= 2 }
        let newStorage = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        newStorage.update(from: storage, count: count)
        if ownsStorage { storage.deallocate() }
        storage = newStorage
        capacity = newCapacity
        ownsStorage = true
    }

    /// Appends raw bytes (punctuation, keys already quoted).
    public func raw(_ text: StaticString) {
        let n = text.utf8CodeUnitCount
        reserve(n)
        (storage + count).update(from: text.utf8Start, count: n)
        count += n
    }

    /// Appends raw bytes.
    public func raw(bytes: [UInt8]) {
        reserve(bytes.count)
        bytes.withUnsafeBufferPointer { (storage + count).update(from: $0.baseAddress!, count: $0.count) }
        count += bytes.count
    }

    /// Appends one byte.
    @inline(__always)
    public func byte(_ b: UInt8) {
        reserve(1)
        storage[count] = b
        count += 1
    }

    /// Appends `null`.
    public func null() { raw("null") }

    /// Appends `true` or `false`.
    public func bool(_ value: Bool) { value ? raw("true") : raw("false") }

    /// Appends an integer.
    public func int(_ value: Int) {
        reserve(24)
        var p = storage + count
        if value < 0 {
            p.pointee = UInt8(ascii: "-")
            p += 1
        }
        let n = FloatFormatter.writeInteger(value.magnitude.toUInt64, to: p)
        count = p - storage + n
    }

    /// Appends a `Double` (integers exactly; others through `Double.description`). Used for metadata, not arrays.
    public func double(_ value: Double) {
        if !value.isFinite {
            null()
        } else if value.rounded() == value && abs(value) < 1e15 {
            int(Int(value))
        } else {
            raw(bytes: Array(value.description.utf8))
        }
    }

    /// Appends a float, shortest round-trip or at `precision`.
    @inline(__always)
    public func float(_ value: Float) {
        reserve(FloatFormatter.maximumLength)
        let p = storage + count
        if let precision {
            count += FloatFormatter.writeFixed(value, precision: precision, to: p)
        } else {
            count += FloatFormatter.writeShortest(value, to: p)
        }
    }

    /// Appends `[f, f, ...]`.
    public func floats(_ values: UnsafeBufferPointer<Float>) {
        reserve(2 + values.count * (FloatFormatter.maximumLength + 1))
        count = writeFloats(values, at: storage + count) - storage
    }

    /// Appends `[f, ...]` from an array.
    public func floats(_ values: [Float]) {
        values.withUnsafeBufferPointer { floats($0) }
    }

    /// Appends a `rows × columns` matrix stored row-major as `[[...],[...]]`.
    public func matrix(_ values: UnsafeBufferPointer<Float>, rows: Int, columns: Int) {
        guard rows > 0 else { return raw("[]") }
        byte(UInt8(ascii: "["))
        let rowBytes = 3 + columns * (FloatFormatter.maximumLength + 1)
        for r in 0..<rows {
            reserve(rowBytes)
            let start = storage + count
            let row = UnsafeBufferPointer(rebasing: values[(r * columns)..<((r + 1) * columns)])
            let end = writeFloats(row, at: start)
            end.pointee = UInt8(ascii: ",")
            count = end + 1 - storage
        }
        storage[count - 1] = UInt8(ascii: "]")
    }

    /// Writes `[f,...]` at `start`, which has room for `2 + values.count * (maximumLength + 1)` bytes; returns
    /// the end. Each value is followed by a comma, and the last comma becomes the bracket.
    @inline(__always)
    private func writeFloats(
        _ values: UnsafeBufferPointer<Float>, at start: UnsafeMutablePointer<UInt8>
    ) -> UnsafeMutablePointer<UInt8> {
        start.pointee = UInt8(ascii: "[")
        guard let base = values.baseAddress, !values.isEmpty else {
            start[1] = UInt8(ascii: "]")
            return start + 2
        }
        var p = start + 1
        let end = base + values.count
        var v = base
        if let precision {
            while v < end {
                p += FloatFormatter.writeFixed(v.pointee, precision: precision, to: p)
                p.pointee = UInt8(ascii: ",")
                p += 1
                v += 1
            }
        } else {
            p = FloatFormatter.writeShortestList(v, count: end - v, to: p)
        }
        (p - 1).pointee = UInt8(ascii: "]")
        return p
    }

    /// Appends `[i, ...]`.
    public func ints<S: Sequence>(_ values: S) where S.Element: BinaryInteger {
        byte(UInt8(ascii: "["))
        var first = true
        for v in values {
            if !first { byte(UInt8(ascii: ",")) }
            first = false
            int(Int(v))
        }
        byte(UInt8(ascii: "]"))
    }

    /// Appends a quoted, escaped string (``JSONString``'s escaping).
    public func string(_ value: String) {
        var value = value
        value.withUTF8 { utf8 in
            reserve(utf8.count + 2)
            storage[count] = UInt8(ascii: "\"")
            count += 1
            for b in utf8 {
                if let e = JSONString.escape(b) {
                    reserve(e.count)
                    withUnsafeBytes(of: e.bytes) { raw in
                        for i in 0..<e.count { storage[count + i] = raw[i] }
                    }
                    count += e.count
                } else {
                    byte(b)
                }
            }
            byte(UInt8(ascii: "\""))
        }
    }

    /// Appends `"key":`.
    public func key(_ name: String) {
        string(name)
        byte(UInt8(ascii: ":"))
    }

    /// Appends `,"key":` (no comma when `first`).
    func memberKey(_ name: String, first: Bool) {
        if !first { byte(UInt8(ascii: ",")) }
        key(name)
    }

    /// Appends an object member `,"key":value` (no comma when `first`).
    public func member(_ name: String, _ value: Int, first: Bool = false) {
        memberKey(name, first: first)
        int(value)
    }

    /// Appends an object member `,"key":"value"` (no comma when `first`).
    public func member(_ name: String, _ value: String, first: Bool = false) {
        memberKey(name, first: first)
        string(value)
    }

    /// Appends an object member `,"key":true|false` (no comma when `first`).
    public func member(_ name: String, _ value: Bool, first: Bool = false) {
        memberKey(name, first: first)
        bool(value)
    }

    /// Appends an object member `,"key":number` (no comma when `first`).
    public func member(_ name: String, _ value: Float, first: Bool = false) {
        memberKey(name, first: first)
        float(value)
    }

    /// Appends `[ "a", "b" ]`.
    public func strings(_ values: [String]) {
        byte(UInt8(ascii: "["))
        for (i, v) in values.enumerated() {
            if i > 0 { byte(UInt8(ascii: ",")) }
            string(v)
        }
        byte(UInt8(ascii: "]"))
    }

    /// Appends any `JSONValue`.
    public func value(_ value: JSONValue) {
        switch value {
        case .null: null()
        case .bool(let b): bool(b)
        case .number(let n): raw(bytes: Array(n.text.utf8))
        case .string(let s): string(s)
        case .array(let items):
            byte(UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                if i > 0 { byte(UInt8(ascii: ",")) }
                self.value(item)
            }
            byte(UInt8(ascii: "]"))
        case .object(let members):
            byte(UInt8(ascii: "{"))
            for (i, member) in members.enumerated() {
                if i > 0 { byte(UInt8(ascii: ",")) }
                key(member.key)
                self.value(member.value)
            }
            byte(UInt8(ascii: "}"))
        }
    }
}

extension UInt {
    fileprivate var toUInt64: UInt64 { UInt64(self) }
}
