/// Bytes of one log line being built: written through a pointer into caller-provided scratch memory (usually on
/// the stack), moving to the heap only when a line outgrows it. The per-request line is built here, outside the
/// ``LogWriter``'s lock, and handed over in one copy.
///
/// Not copyable: exactly one owner writes the bytes; the heap memory a long line moved to is freed with it.
struct LineBytes: ~Copyable {
    private var base: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private var heap: Bool
    /// Bytes written so far.
    private(set) var count = 0

    /// A line written into `scratch` (it must outlive the line) until it needs more room.
    init(scratch: UnsafeMutableBufferPointer<UInt8>) {
        if let address = scratch.baseAddress, scratch.count > 0 {
            base = address
            capacity = scratch.count
            heap = false
        } else {
            base = .allocate(capacity: 256)
            capacity = 256
            heap = true
        }
    }

    deinit {
        if heap { base.deallocate() }
    }

    /// Calls `body` with the bytes written (valid only during the call).
    func withBytes<T>(_ body: (UnsafeRawBufferPointer) throws -> T) rethrows -> T {
        try body(UnsafeRawBufferPointer(start: base, count: count))
    }

    /// Room for `extra` more bytes.
    @inline(__always)
    private mutating func reserve(_ extra: Int) {
        if count + extra > capacity { grow(extra) }
    }

    /// Moves the bytes to a heap block with room for `extra` more.
    @inline(never)
    private mutating func grow(_ extra: Int) {
        let grown = max(capacity * 2, count + extra)
        let moved = UnsafeMutablePointer<UInt8>.allocate(capacity: grown)
        moved.initialize(from: base, count: count)
        if heap { base.deallocate() }
        base = moved
        capacity = grown
        heap = true
    }

    /// Appends one byte.
    mutating func put(_ byte: UInt8) {
        reserve(1)
        base[count] = byte
        count += 1
    }

    /// Appends `bytes`.
    mutating func put(_ bytes: UnsafeRawBufferPointer) {
        guard let source = bytes.baseAddress, !bytes.isEmpty else { return }
        reserve(bytes.count)
        UnsafeMutableRawPointer(base + count).copyMemory(from: source, byteCount: bytes.count)
        count += bytes.count
    }

    /// Appends a literal's bytes.
    mutating func put(_ text: StaticString) {
        put(UnsafeRawBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// Appends a string's UTF-8 bytes.
    mutating func put(_ text: String) {
        var text = text
        text.withUTF8 { put(UnsafeRawBufferPointer($0)) }
    }

    /// Appends `bytes` with every control byte (below 0x20) written as a space: one reservation, one pass.
    mutating func putReplacingControls(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let source = bytes.baseAddress, !bytes.isEmpty else { return }
        reserve(bytes.count)
        let destination = base + count
        for i in 0..<bytes.count {
            let byte = source[i]
            destination[i] = byte < 0x20 ? 0x20 : byte
        }
        count += bytes.count
    }

    /// Appends `value` (≥ 0) in decimal, left-padded with zeros to `width` digits (more when it needs them).
    mutating func putPadded(_ value: Int, width: Int) {
        putDigits(UInt64(max(0, value)), width: width)
    }

    /// Appends `magnitude` in decimal, left-padded with zeros to `width` digits (more when it needs them):
    /// written in place, from the last digit back.
    mutating func putDigits(_ magnitude: UInt64, width: Int = 1) {
        var length = 1
        var bound: UInt64 = 10
        while length < 20, magnitude >= bound {
            length += 1
            bound = bound &* 10
        }
        let total = max(length, min(width, 24))
        reserve(total)
        var rest = magnitude
        var index = count + total
        for _ in 0..<length {
            index -= 1
            base[index] = UInt8(truncatingIfNeeded: 48 + rest % 10)
            rest /= 10
        }
        while index > count {
            index -= 1
            base[index] = 48
        }
        count += total
    }
}
