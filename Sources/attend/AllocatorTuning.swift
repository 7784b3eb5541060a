#if canImport(Glibc)
    import Glibc
#endif

/// Process-wide allocator settings for the forward pass's large, short-lived buffers.
///
/// A pass that keeps attention maps returns fresh arrays of ~151 MB (MiniLM, 32×128: 6 layers × 32 × 12 × 128²
/// floats). glibc's defaults serve such blocks with `mmap` and give freed heap tops back to the kernel, so every pass
/// page-faults its output in again
/// (measured: 32×128 with maps 1,054 → 701 ms per pass once the memory stays in the process). Here blocks up to
/// 32 MiB come from the heap, up to 1 GiB of free heap top is kept, and the heap grows 64 MiB at a time. The resident
/// size then stays near its high-water mark instead of shrinking between requests. A `MALLOC_*_` variable in the
/// environment wins over these values.
enum AllocatorTuning {
    /// Applies the settings once, at start-up, before any model is loaded.
    static func apply() {
        #if canImport(Glibc)
            // `mallopt` is declared in <malloc.h>, which the Glibc module does not export: look it up instead.
            typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
            guard let symbol = dlsym(nil, "mallopt") else { return }
            let mallopt = unsafeBitCast(symbol, to: Mallopt.self)
            // Parameter numbers from <malloc.h>.
            let trimThreshold: Int32 = -1
            let topPad: Int32 = -2
            let mmapThreshold: Int32 = -3
            if getenv("MALLOC_MMAP_THRESHOLD_") == nil { _ = mallopt(mmapThreshold, 32 << 20) }
            if getenv("MALLOC_TRIM_THRESHOLD_") == nil { _ = mallopt(trimThreshold, 1 << 30) }
            if getenv("MALLOC_TOP_PAD_") == nil { _ = mallopt(topPad, 64 << 20) }
        #endif
    }

    /// Returns the free heap to the system (`malloc_trim(0)`: the heap top and free pages inside it). Called when
    /// the service goes idle after large requests, so the kept heap does not outlive the burst that grew it.
    static func trim() {
        #if canImport(Glibc)
            typealias MallocTrim = @convention(c) (Int) -> Int32
            guard let symbol = dlsym(nil, "malloc_trim") else { return }
            _ = unsafeBitCast(symbol, to: MallocTrim.self)(0)
        #endif
    }

    /// Reservations at least this large since the last idle moment trigger a ``trim()``.
    static let trimAfterBytes = 64 << 20
}
