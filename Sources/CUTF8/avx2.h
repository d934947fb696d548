// Whether the processor has AVX2, asked once for each file that includes this (the
// kernels of this module choose their AVX2 path at run time); threads that race
// store the same answer.
#ifndef DECLPROC_CUTF8_AVX2_H
#define DECLPROC_CUTF8_AVX2_H

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
static inline int dp_has_avx2(void) {
    static int has_avx2 = -1;
    int known = __atomic_load_n(&has_avx2, __ATOMIC_RELAXED);
    if (known < 0) {
        __builtin_cpu_init();
        known = __builtin_cpu_supports("avx2") ? 1 : 0;
        __atomic_store_n(&has_avx2, known, __ATOMIC_RELAXED);
    }
    return known;
}
#endif

#endif
