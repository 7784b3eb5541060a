import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A memory-mapped `.safetensors` file, parsed and bounds-checked without trusting any of its bytes.
///
/// Format: an unsigned 64-bit little-endian header length N, N bytes of JSON, then the data section. The JSON is an
/// object mapping each tensor name to `{"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}` (offsets
/// relative to the data section) plus an optional `"__metadata__"` object of strings.
///
/// Checks made when opening (each failure is a ``TransformerError`` naming the file and, where there is one, the
/// tensor): file shorter than 8 bytes or shorter than its declared header (`.truncated`); header not a JSON object,
/// unknown dtype, malformed shape or offsets, byte count not equal to shape × dtype size, overlapping tensors
/// (`.invalidHeader`); a tensor ending past the file (`.truncated` when the offsets are contiguous from 0, so the
/// file was cut short; `.tensorOutOfBounds` otherwise). Gaps and trailing bytes are tolerated.
///
/// The mapping is read-only and private; it lives as long as this object, and so does the open file (for
/// `mappedFloats(_:)`). Reading a tensor leaves its pages resident in this process until the object goes away;
/// `forEachRun(_:width:_:)` releases them as it goes, so that streaming a whole checkpoint into an encoder keeps
/// about one run of it resident. (As with any mapping, a file truncated by another process while mapped would fault
/// on access: ``CheckpointLoader`` reads every tensor right away and lets the file go, keeping only an F32
/// word-embedding table mapped, see `MappedFloats`.)
public final class SafetensorsFile: @unchecked Sendable {
    // @unchecked: the bytes are immutable after init and only read (the kernel may drop and re-read pages of the
    // mapping, never change them); they are unmapped or freed in deinit.

    /// Element types of the format. Only `F32`, `F16` and `BF16` convert to ``Tensor``.
    public enum DType: String, Sendable, CaseIterable {
        case bool = "BOOL", u8 = "U8", i8 = "I8", f8e5m2 = "F8_E5M2", f8e4m3 = "F8_E4M3"
        case i16 = "I16", u16 = "U16", f16 = "F16", bf16 = "BF16"
        case i32 = "I32", u32 = "U32", f32 = "F32"
        case f64 = "F64", i64 = "I64", u64 = "U64"

        /// Bytes per element.
        public var size: Int {
            switch self {
            case .bool, .u8, .i8, .f8e5m2, .f8e4m3: return 1
            case .i16, .u16, .f16, .bf16: return 2
            case .i32, .u32, .f32: return 4
            case .f64, .i64, .u64: return 8
            }
        }

        /// Whether the tensor converts to float32 (F32, F16, BF16).
        var isFloat: Bool { self == .f32 || self == .f16 || self == .bf16 }
    }

    /// One tensor's header entry.
    public struct Entry: Sendable, Equatable {
        /// Element type.
        public var dtype: DType
        /// Dimensions, outermost first.
        public var shape: [Int]
        /// Byte range inside the data section.
        public var byteRange: Range<Int>
    }

    /// The path the file was opened with (used in every error).
    public let path: String
    /// The `__metadata__` strings (empty when absent).
    public let metadata: [String: String]
    /// Every tensor's entry by name.
    public let entries: [String: Entry]

    /// The whole file: a private read-only mapping, or an aligned copy of an in-memory image.
    private let bytes: UnsafeRawBufferPointer
    private let dataStart: Int
    /// The open file behind the mapping; -1 for an in-memory image.
    private let descriptor: Int32

    /// Names of all tensors, sorted.
    public var tensorNames: [String] { entries.keys.sorted() }

    /// Floats per run of ``forEachRun(_:width:_:)`` (256 KB): small enough that a run's pages and its converted
    /// copy are a rounding error next to the model, large enough that the per-run `madvise` costs nothing.
    static let runFloats = 1 << 16

    /// Memory-maps and validates the file at `path`.
    public init(path: String) throws(TransformerError) {
        self.path = path
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            let code = errno
            throw code == ENOENT ? .fileNotFound(file: path) : .unreadable(file: path, errno: code)
        }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            let code = errno
            close(fd)
            throw .unreadable(file: path, errno: code)
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            close(fd)
            throw .unreadable(file: path, errno: EISDIR)
        }
        let size = Int(info.st_size)
        guard size >= 8 else {
            close(fd)
            throw .truncated(file: path, detail: "\(size) bytes, shorter than the 8-byte header length")
        }
        guard let mapped = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), mapped != MAP_FAILED else {
            let code = errno
            close(fd)
            throw .unreadable(file: path, errno: code)
        }
        let raw = UnsafeRawBufferPointer(start: mapped, count: size)
        do {
            (metadata, entries, dataStart) = try Self.parse(raw, path: path)
        } catch {
            munmap(mapped, size)
            close(fd)
            throw error
        }
        bytes = raw
        descriptor = fd
        // The header was copied out while parsing: its pages are not needed any more.
        release(0..<dataStart)
    }

    /// Parses an in-memory safetensors image (for tools and tests); `path` only names it in errors.
    public init(bytes image: [UInt8], path: String) throws(TransformerError) {
        self.path = path
        guard image.count >= 8 else {
            throw .truncated(file: path, detail: "\(image.count) bytes, shorter than the 8-byte header length")
        }
        let copy = UnsafeMutableRawBufferPointer.allocate(byteCount: image.count, alignment: 16)
        copy.copyBytes(from: image)
        let raw = UnsafeRawBufferPointer(copy)
        do {
            (metadata, entries, dataStart) = try Self.parse(raw, path: path)
        } catch {
            copy.deallocate()
            throw error
        }
        bytes = raw
        descriptor = -1
    }

    deinit {
        if descriptor >= 0 {
            munmap(UnsafeMutableRawPointer(mutating: bytes.baseAddress), bytes.count)
            close(descriptor)
        } else {
            bytes.deallocate()
        }
    }

    /// The tensor `name` converted to float32 (F32 copied, F16 and BF16 widened exactly).
    public func tensor(_ name: String) throws(TransformerError) -> Tensor {
        let entry = try floatEntry(name)
        return tensor(entry)
    }

    /// Like ``tensor(_:)`` but also checks the shape.
    public func tensor(_ name: String, shape: [Int]) throws(TransformerError) -> Tensor {
        guard let entry = entries[name] else { throw .missingTensor(file: path, tensor: name) }
        guard entry.shape == shape else {
            throw .shapeMismatch(file: path, tensor: name, expected: shape, actual: entry.shape)
        }
        return tensor(try floatEntry(name))
    }

    private func tensor(_ entry: Entry) -> Tensor {
        let count = entry.shape.reduce(1, *)
        let start = dataStart + entry.byteRange.lowerBound
        let storage = [Float](unsafeUninitializedCapacity: count) { out, initialized in
            if let destination = out.baseAddress {
                Self.convert(bytes, offset: start, count: count, dtype: entry.dtype, into: destination)
            }
            initialized = count
        }
        return Tensor(shape: entry.shape, storage: storage)
    }

    /// The entry of `name`, which must exist and convert to float32.
    private func floatEntry(_ name: String) throws(TransformerError) -> Entry {
        guard let entry = entries[name] else { throw .missingTensor(file: path, tensor: name) }
        guard entry.dtype.isFloat else {
            throw .unsupportedDType(file: path, tensor: name, dtype: entry.dtype.rawValue)
        }
        return entry
    }

    /// Calls `body(firstRow, values)` over tensor `name`'s values as float32, in order, in runs of whole
    /// `width`-value rows (`width` must divide the tensor's count), each of at most ``runFloats`` floats or one row.
    ///
    /// F32 values whose bytes are 4-byte aligned are handed over in place (on a little-endian host); anything else is
    /// converted into one reused run-sized buffer (F16 and BF16 widened exactly). Once `body` returns, the pages of
    /// the run's bytes are released from a mapped file (`madvise(MADV_DONTNEED)`: the mapping stays valid, a later
    /// read faults the page back in from the page cache), so a tensor read this way does not stay resident.
    /// Throws what `body` throws, or `.missingTensor` / `.unsupportedDType`.
    func forEachRun(
        _ name: String, width: Int,
        _ body: (_ firstRow: Int, _ values: UnsafeBufferPointer<Float>) throws(TransformerError) -> Void
    ) throws(TransformerError) {
        let entry = try floatEntry(name)
        let count = entry.shape.reduce(1, *)
        precondition(width > 0 && count % width == 0, "runs of \(width) values do not tile tensor \(name)")
        guard count > 0, let base = bytes.baseAddress else { return }
        let start = dataStart + entry.byteRange.lowerBound
        let inPlace = Self.isLittleEndian && entry.dtype == .f32 && Int(bitPattern: base + start) % 4 == 0
        let rows = count / width
        let rowsPerRun = Swift.max(1, Self.runFloats / width)
        let scratch =
            inPlace ? nil : UnsafeMutablePointer<Float>.allocate(capacity: Swift.min(rows, rowsPerRun) * width)
        defer { scratch?.deallocate() }
        var row = 0
        while row < rows {
            let values = Swift.min(rowsPerRun, rows - row) * width
            let offset = start + row * width * entry.dtype.size
            let run: UnsafePointer<Float>
            if let scratch {
                Self.convert(bytes, offset: offset, count: values, dtype: entry.dtype, into: scratch)
                run = UnsafePointer(scratch)
            } else {
                run = UnsafePointer((base + offset).bindMemory(to: Float.self, capacity: values))
            }
            try body(row, UnsafeBufferPointer(start: run, count: values))
            release(offset..<(offset + values * entry.dtype.size))
            row += rowsPerRun
        }
    }

    /// A mapping of the F32 tensor `name`'s bytes alone, to be read in place for as long as it lives (see
    /// ``MappedFloats``). Nil when the tensor is absent, empty or not F32, its bytes are not 4-byte aligned, the host
    /// is big-endian, this is an in-memory image, or `mmap` fails: the caller then copies the values instead.
    func mappedFloats(_ name: String) -> MappedFloats? {
        guard Self.isLittleEndian, descriptor >= 0, let entry = entries[name], entry.dtype == .f32,
            !entry.byteRange.isEmpty
        else { return nil }
        return MappedFloats(
            descriptor: descriptor, offset: dataStart + entry.byteRange.lowerBound,
            count: entry.byteRange.count / MemoryLayout<Float>.size)
    }

    /// Drops the resident pages of the file bytes `range` from this process (a mapped file only).
    private func release(_ range: Range<Int>) {
        guard descriptor >= 0, !range.isEmpty, let base = bytes.baseAddress else { return }
        let page = Int(getpagesize())
        let lower = range.lowerBound / page * page
        let upper = Swift.min(bytes.count, range.upperBound)
        madvise(UnsafeMutableRawPointer(mutating: base + lower), upper - lower, MADV_DONTNEED)
    }

    private static var isLittleEndian: Bool {
        #if _endian(little)
            true
        #else
            false
        #endif
    }

    /// Converts `count` values of `dtype` at byte `offset` of `raw` into `out` (F32 copied, F16 and BF16 widened).
    private static func convert(
        _ raw: UnsafeRawBufferPointer, offset: Int, count: Int, dtype: DType, into out: UnsafeMutablePointer<Float>
    ) {
        guard count > 0, let source = raw.baseAddress?.advanced(by: offset) else { return }
        switch dtype {
        case .f32:
            if isLittleEndian {
                UnsafeMutableRawPointer(out).copyMemory(from: source, byteCount: count * 4)
            } else {
                for i in 0..<count {
                    let bits = UInt32(littleEndian: source.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self))
                    out[i] = Float(bitPattern: bits)
                }
            }
        case .bf16:
            for i in 0..<count {
                let bits = UInt16(littleEndian: source.loadUnaligned(fromByteOffset: i * 2, as: UInt16.self))
                out[i] = Float(bitPattern: UInt32(bits) << 16)
            }
        default:  // .f16, the only other float type
            for i in 0..<count {
                let bits = UInt16(littleEndian: source.loadUnaligned(fromByteOffset: i * 2, as: UInt16.self))
                out[i] = halfToFloat(bits)
            }
        }
    }

    /// IEEE 754 binary16 → binary32, exact (subnormals, infinities and NaN payloads included).
    static func halfToFloat(_ h: UInt16) -> Float {
        let sign = UInt32(h & 0x8000) << 16
        let exponent = UInt32(h >> 10) & 0x1F
        let mantissa = UInt32(h & 0x3FF)
        if exponent == 0x1F {
            return Float(bitPattern: sign | 0x7F80_0000 | (mantissa << 13))
        }
        if exponent == 0 {
            // Zero or subnormal: mantissa × 2^-24, exactly representable in float32.
            let magnitude = Float(mantissa) * 0x1p-24
            return sign == 0 ? magnitude : -magnitude
        }
        return Float(bitPattern: sign | ((exponent + 112) << 23) | (mantissa << 13))
    }

    /// Largest header accepted (the reference implementation's limit).
    static let maximumHeaderLength = 100_000_000

    private static func parse(
        _ raw: UnsafeRawBufferPointer, path: String
    ) throws(TransformerError) -> (metadata: [String: String], entries: [String: Entry], dataStart: Int) {
        let size = raw.count
        let declared = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 0, as: UInt64.self))
        guard declared <= UInt64(size - 8) else {
            throw .truncated(
                file: path, detail: "header length \(declared) runs past the end of the file (\(size) bytes)")
        }
        let headerLength = Int(declared)
        guard headerLength <= maximumHeaderLength else {
            throw .invalidHeader(file: path, detail: "header length \(headerLength) exceeds \(maximumHeaderLength)")
        }
        let headerBytes = Data(UnsafeRawBufferPointer(rebasing: raw[8..<(8 + headerLength)]))
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: headerBytes, options: [])
        } catch {
            throw .invalidHeader(file: path, detail: "header is not valid JSON")
        }
        guard let header = object as? [String: Any] else {
            throw .invalidHeader(file: path, detail: "header is not a JSON object")
        }
        let dataSize = size - 8 - headerLength
        var metadata: [String: String] = [:]
        var entries: [String: Entry] = [:]
        for (name, value) in header {
            if name == "__metadata__" {
                guard let strings = value as? [String: Any] else {
                    throw .invalidHeader(file: path, detail: "__metadata__ is not an object")
                }
                for (key, item) in strings {
                    guard let text = item as? String else {
                        throw .invalidHeader(file: path, detail: "__metadata__ value for '\(key)' is not a string")
                    }
                    metadata[key] = text
                }
                continue
            }
            entries[name] = try parseEntry(name: name, value: value, path: path)
        }
        try checkLayout(entries, dataSize: dataSize, path: path)
        return (metadata, entries, 8 + headerLength)
    }

    private static func parseEntry(name: String, value: Any, path: String) throws(TransformerError) -> Entry {
        func bad(_ detail: String) -> TransformerError {
            .invalidHeader(file: path, detail: "tensor '\(name)': \(detail)")
        }
        guard let fields = value as? [String: Any] else { throw bad("entry is not an object") }
        guard let dtypeName = fields["dtype"] as? String else { throw bad("missing dtype") }
        guard let dtype = DType(rawValue: dtypeName) else {
            throw .unsupportedDType(file: path, tensor: name, dtype: dtypeName)
        }
        guard let shapeValues = fields["shape"] as? [Any] else { throw bad("missing shape") }
        var shape: [Int] = []
        var count = 1
        for item in shapeValues {
            guard let dimension = CheckpointFiles.integer(item), dimension >= 0 else {
                throw bad("shape \(shapeValues) has a dimension that is not a non-negative integer")
            }
            let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
            guard !overflow else { throw bad("shape \(shapeValues) overflows") }
            count = product
            shape.append(dimension)
        }
        guard let offsets = fields["data_offsets"] as? [Any], offsets.count == 2,
            let begin = CheckpointFiles.integer(offsets[0]), let end = CheckpointFiles.integer(offsets[1]), begin >= 0,
            end >= begin
        else {
            throw bad("data_offsets must be [begin, end] with 0 ≤ begin ≤ end")
        }
        let (bytes, overflow) = count.multipliedReportingOverflow(by: dtype.size)
        guard !overflow, end - begin == bytes else {
            throw bad("\(end - begin) bytes for shape \(shape) of \(dtype.rawValue), expected \(bytes)")
        }
        return Entry(dtype: dtype, shape: shape, byteRange: begin..<end)
    }

    private static func checkLayout(
        _ entries: [String: Entry], dataSize: Int, path: String
    ) throws(TransformerError) {
        let ordered = entries.sorted {
            ($0.value.byteRange.lowerBound, $0.value.byteRange.upperBound, $0.key)
                < ($1.value.byteRange.lowerBound, $1.value.byteRange.upperBound, $1.key)
        }
        var contiguous = true
        var previous: (name: String, end: Int)?
        for (name, entry) in ordered where !entry.byteRange.isEmpty {
            if let previous {
                guard entry.byteRange.lowerBound >= previous.end else {
                    throw .invalidHeader(file: path, detail: "tensor '\(name)' overlaps tensor '\(previous.name)'")
                }
                if entry.byteRange.lowerBound != previous.end { contiguous = false }
            } else if entry.byteRange.lowerBound != 0 {
                contiguous = false
            }
            previous = (name, entry.byteRange.upperBound)
        }
        for (name, entry) in ordered where entry.byteRange.upperBound > dataSize {
            if contiguous {
                throw .truncated(
                    file: path,
                    detail: "tensor '\(name)' needs data bytes \(entry.byteRange) but only \(dataSize) are present")
            }
            throw .tensorOutOfBounds(file: path, tensor: name)
        }
    }
}
