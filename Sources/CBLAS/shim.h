#include <cblas.h>
/* OpenBLAS extensions used to size its thread pool. */
void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);

/* A cache prefetch hint, which Swift cannot spell. The panel products stream layer weights far larger than the
   caches; a hint a few lines ahead keeps many more misses in flight than the out-of-order window alone. */
static inline __attribute__((always_inline)) void attend_prefetch(const void *address) {
    __builtin_prefetch(address, 0, 3);
}
