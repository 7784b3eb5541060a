#include <cblas.h>
/* OpenBLAS extensions used to size its thread pool. */
void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);

/* A cache prefetch hint, which Swift cannot spell. The panel products stream layer weights far larger than the
   caches; a hint a few lines ahead keeps many more misses in flight than the out-of-order window alone. */
static inline __attribute__((always_inline)) void attend_prefetch(const void *address) {
    __builtin_prefetch(address, 0, 3);
}

/* Copies `count` floats from `source` to `destination` with non-temporal (streaming) stores wherever the
   destination is 16-byte aligned, plain stores at the unaligned ends. The attention maps a pass keeps are written
   once and read only after the pass: streaming them skips the read-for-ownership of every fresh line and keeps
   them from evicting the weights and activations the next products need from the caches. Swift cannot spell a
   non-temporal store. Call `attend_stream_fence` before another thread reads what was written. */
static inline __attribute__((always_inline)) void attend_stream_copy(
    float *destination, const float *source, long count) {
    typedef float attend_float4 __attribute__((ext_vector_type(4)));
    long i = 0;
    while (i < count && ((unsigned long)(destination + i) & 15) != 0) {
        destination[i] = source[i];
        i++;
    }
    for (; i + 4 <= count; i += 4) {
        attend_float4 v;
        __builtin_memcpy(&v, source + i, sizeof v);
        __builtin_nontemporal_store(v, (attend_float4 *)(destination + i));
    }
    for (; i < count; i++) destination[i] = source[i];
}

/* Orders earlier streaming stores before later stores (x86's non-temporal stores are weakly ordered). */
static inline __attribute__((always_inline)) void attend_stream_fence(void) {
#if defined(__x86_64__)
    __builtin_ia32_sfence();
#else
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
#endif
}
