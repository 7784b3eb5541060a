#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A read-only mapping of one float32 tensor's bytes in a file, used in place instead of copied (the encoder's
/// word-embedding table, from ``SafetensorsFile/mappedFloats(_:)``).
///
/// Only the pages that are read become resident, and they are the page cache's own pages: shared with every other
/// process mapping the same file, and dropped by the kernel under memory pressure instead of being swapped. The
/// mapping covers the pages holding the tensor and nothing else of the file, and is unmapped with this object.
///
/// As with any mapping, the file must not be rewritten in place while it is mapped (a truncated file faults on the
/// next read of a lost page; new bytes would be read as they are). Replace a checkpoint by renaming a new file over
/// it, as `scripts/fetch-model` does: the mapping keeps the old file.
final class MappedFloats: @unchecked Sendable {
    // @unchecked: the mapping is read-only, never changed after init and unmapped only in deinit.

    /// The tensor's values.
    let floats: UnsafePointer<Float>
    /// Number of values.
    let count: Int
    private let mapping: UnsafeMutableRawPointer
    private let length: Int

    /// Maps the `count` floats at byte `offset` (a multiple of 4) of the open file `descriptor`, which must hold
    /// them; nil when `mmap` fails.
    init?(descriptor: Int32, offset: Int, count: Int) {
        guard count > 0, offset >= 0, offset % MemoryLayout<Float>.alignment == 0 else { return nil }
        let page = Int(getpagesize())
        let start = offset / page * page
        let length = offset - start + count * MemoryLayout<Float>.size
        guard let mapped = mmap(nil, length, PROT_READ, MAP_PRIVATE, descriptor, off_t(start)), mapped != MAP_FAILED
        else { return nil }
        mapping = mapped
        self.length = length
        self.count = count
        floats = UnsafePointer((mapped + (offset - start)).bindMemory(to: Float.self, capacity: count))
    }

    deinit {
        munmap(mapping, length)
    }
}
