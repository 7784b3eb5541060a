// libFuzzer entry for the safetensors parser. Compiled by `scripts/fuzz/run safetensors` together with
// Sources/Transformer/{Safetensors,CheckpointFiles,TransformerError,Tensor}.swift (one module, so no import).
//
// Each input is a whole file image. It is parsed twice, through both public entries: `SafetensorsFile(bytes:)`
// and `SafetensorsFile(path:)` (the mmap path) on a copy written to an unlinked scratch file. A second image is
// then derived and checked the same way: the input with its 8-byte header length recomputed to end at the last
// '}' (so mutations that insert or delete header bytes still give a well-framed file whose JSON the parser gets
// to see; the seeds' data bytes hold no '}').
// Properties checked on every image:
//   1. parsing never crashes, hangs or leaks past ASan, whatever the bytes;
//   2. both entries agree: equal entries and metadata, or both an error;
//   3. on success every entry lies inside the file's data section (8 + header length + range ≤ file size), its
//      byte count is shape × dtype size, non-empty ranges do not overlap, `__metadata__` is not a tensor, and
//      `tensorNames` lists the entries sorted;
//   4. every F32/F16/BF16 tensor converts with its shape and exactly the values of its bytes (decoded here
//      independently: F16 through the standard library's Float16); other dtypes throw `.unsupportedDType`; a wrong
//      expected shape throws `.shapeMismatch`, an absent name `.missingTensor`.

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

private func fail(_ message: String, _ image: [UInt8]) -> Never {
    let hex = image.prefix(256).map { String($0, radix: 16) }.joined(separator: " ")
    fatalError("\(message)\nimage (\(image.count) bytes): \(hex)")
}

/// The scratch file the mmap path reads: created and unlinked at once (so nothing is left behind, even after a
/// crash), then reached through /proc/self/fd like a file of its own.
private let scratch: (fd: Int32, path: String) = {
    let directory = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp"
    let name = "\(directory)/attend-fuzz-safetensors-\(getpid())"
    let fd = open(name, O_RDWR | O_CREAT | O_EXCL, 0o600)
    guard fd >= 0 else { fatalError("cannot create \(name): errno \(errno)") }
    unlink(name)
    return (fd, "/proc/self/fd/\(fd)")
}()
private let scratchPath = scratch.path

private func writeScratch(_ image: [UInt8]) {
    guard ftruncate(scratch.fd, 0) == 0 else { fatalError("cannot truncate the scratch file: errno \(errno)") }
    var written = 0
    image.withUnsafeBytes { raw in
        while written < raw.count {
            let n = pwrite(scratch.fd, raw.baseAddress! + written, raw.count - written, off_t(written))
            guard n > 0 else { fatalError("cannot write the scratch file: errno \(errno)") }
            written += n
        }
    }
}

private func loadLE<T: FixedWidthInteger>(_ image: [UInt8], _ offset: Int, as: T.Type) -> T {
    var value: T = 0
    for i in 0..<MemoryLayout<T>.size { value |= T(image[offset + i]) << (8 * i) }
    return value
}

private func sameBits(_ a: Float, _ b: Float) -> Bool {
    a.isNaN ? b.isNaN : a.bitPattern == b.bitPattern
}

/// The values of `entry`'s bytes as floats, decoded without the parser's code.
private func expectedValues(_ image: [UInt8], dataStart: Int, _ entry: SafetensorsFile.Entry) -> [Float] {
    let start = dataStart + entry.byteRange.lowerBound
    let count = entry.byteRange.count / entry.dtype.size
    return (0..<count).map { i in
        switch entry.dtype {
        case .f32: return Float(bitPattern: loadLE(image, start + 4 * i, as: UInt32.self))
        case .bf16: return Float(bitPattern: UInt32(loadLE(image, start + 2 * i, as: UInt16.self)) << 16)
        case .f16: return Float(Float16(bitPattern: loadLE(image, start + 2 * i, as: UInt16.self)))
        default: fatalError("not a float dtype")
        }
    }
}

private func check(_ file: SafetensorsFile, _ image: [UInt8]) {
    let headerLength = Int(loadLE(image, 0, as: UInt64.self))
    let dataStart = 8 + headerLength
    let dataSize = image.count - dataStart
    if file.tensorNames != file.entries.keys.sorted() { fail("tensorNames is not the sorted entry names", image) }
    if file.entries["__metadata__"] != nil { fail("__metadata__ parsed as a tensor", image) }
    for (name, entry) in file.entries {
        let range = entry.byteRange
        guard range.lowerBound >= 0, range.upperBound <= dataSize else {
            fail("tensor '\(name)' bytes \(range) outside the data section (\(dataSize) bytes)", image)
        }
        var count = 1
        for dimension in entry.shape {
            guard dimension >= 0 else { fail("tensor '\(name)' has shape \(entry.shape)", image) }
            let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
            guard !overflow else { fail("tensor '\(name)' shape \(entry.shape) overflows", image) }
            count = product
        }
        guard count * entry.dtype.size == range.count else {
            fail("tensor '\(name)': \(range.count) bytes for \(entry.shape) of \(entry.dtype)", image)
        }
    }
    let ranges = file.entries.map { ($0.key, $0.value.byteRange) }.filter { !$0.1.isEmpty }
        .sorted { $0.1.lowerBound < $1.1.lowerBound }
    for (a, b) in zip(ranges, ranges.dropFirst()) where b.1.lowerBound < a.1.upperBound {
        fail("tensors '\(a.0)' \(a.1) and '\(b.0)' \(b.1) overlap", image)
    }

    for (name, entry) in file.entries.sorted(by: { $0.key < $1.key }) {
        switch entry.dtype {
        case .f32, .f16, .bf16:
            let tensor: Tensor
            do {
                tensor = try file.tensor(name)
            } catch {
                fail("tensor '\(name)' (\(entry.dtype)) does not convert: \(error)", image)
            }
            guard tensor.shape == entry.shape else { fail("tensor '\(name)' has shape \(tensor.shape)", image) }
            let expected = expectedValues(image, dataStart: dataStart, entry)
            guard tensor.storage.count == expected.count, zip(tensor.storage, expected).allSatisfy(sameBits) else {
                fail("tensor '\(name)' values \(tensor.storage.prefix(16)) differ from \(expected.prefix(16))", image)
            }
            guard let again = try? file.tensor(name, shape: entry.shape), again.shape == tensor.shape,
                again.storage.count == tensor.storage.count, zip(again.storage, tensor.storage).allSatisfy(sameBits)
            else {
                fail("tensor '\(name)' with its own shape differs", image)
            }
        default:
            do {
                _ = try file.tensor(name)
                fail("tensor '\(name)' of \(entry.dtype) converted", image)
            } catch {
                guard error == .unsupportedDType(file: file.path, tensor: name, dtype: entry.dtype.rawValue) else {
                    fail("tensor '\(name)' of \(entry.dtype): unexpected \(error)", image)
                }
            }
        }
        let wrongShape = entry.shape + [1]
        do {
            _ = try file.tensor(name, shape: wrongShape)
            fail("tensor '\(name)' accepted shape \(wrongShape)", image)
        } catch {
            guard error == .shapeMismatch(file: file.path, tensor: name, expected: wrongShape, actual: entry.shape)
            else {
                fail("tensor '\(name)' with a wrong shape: unexpected \(error)", image)
            }
        }
    }
    let absent = "\u{0}absent"
    if file.entries[absent] == nil {
        do {
            _ = try file.tensor(absent)
            fail("an absent tensor converted", image)
        } catch {
            guard error == .missingTensor(file: file.path, tensor: absent) else {
                fail("an absent tensor: unexpected \(error)", image)
            }
        }
    }
}

private func run(_ image: [UInt8]) {
    let fromBytes = Result { () throws(TransformerError) in try SafetensorsFile(bytes: image, path: scratchPath) }
    writeScratch(image)
    let fromPath = Result { () throws(TransformerError) in try SafetensorsFile(path: scratchPath) }
    switch (fromBytes, fromPath) {
    case (.success(let a), .success(let b)):
        guard a.entries == b.entries, a.metadata == b.metadata else {
            fail("bytes and path entries differ: \(a.entries) \(a.metadata) vs \(b.entries) \(b.metadata)", image)
        }
        check(a, image)
        check(b, image)
    case (.failure, .failure):
        // Not compared: with several bad entries, which one is reported depends on the iteration order of
        // JSONSerialization's dictionary, which differs between two parses of the same bytes (per-instance hash
        // seeds), so even one process can name different tensors (or error kinds) for the same image.
        break
    default:
        fail("bytes and path outcomes differ: \(fromBytes) vs \(fromPath)", image)
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSafetensors(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = Array(UnsafeBufferPointer(start: data, count: size))
    run(input)
    // The same bytes with the header length recomputed to end at the last '}' after the length field.
    if size > 8, let last = input[8...].lastIndex(of: UInt8(ascii: "}")) {
        let length = UInt64(last - 8 + 1)
        if length != loadLE(input, 0, as: UInt64.self) {
            var framed = input
            for i in 0..<8 { framed[i] = UInt8(truncatingIfNeeded: length >> (8 * i)) }
            run(framed)
        }
    }
    return 0
}
