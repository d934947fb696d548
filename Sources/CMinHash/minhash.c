// MinHash's inner loop, in C only because Swift cannot compile one function for a
// processor feature and choose it at run time: 64 hash functions per shingle, each a
// splitmix64 finalizer (two 64-bit multiplies), was a twentieth of the whole
// pipeline's instructions. AVX-512 DQ multiplies eight 64-bit lanes at once; AVX2 has
// no 64-bit multiply, but four lanes of it built from 32-bit ones still take half the
// time of the scalar loop (measured on an AMD EPYC without AVX-512, where the scalar
// loop was a sixteenth of the pipeline's CPU time).
#include "minhash.h"

#include <stdatomic.h>

static inline uint64_t splitmix64(uint64_t x) {
    uint64_t z = x + 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

// The one loop every path compiles: across the seeds, so the compiler vectorizes it
// for the target's vectors.
#define DP_MINHASH_BODY                                                   \
    for (size_t s = 0; s < n; s++) {                                      \
        const uint64_t h = shingles[s];                                   \
        for (size_t i = 0; i < k; i++) {                                  \
            const uint32_t value = (uint32_t)(splitmix64(h ^ seeds[i]) >> 32); \
            minimum[i] = value < minimum[i] ? value : minimum[i];         \
        }                                                                 \
    }

void dp_minhash_portable(const uint64_t *shingles, size_t n, const uint64_t *seeds, size_t k, uint32_t *minimum) {
    DP_MINHASH_BODY
}

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
__attribute__((target("avx2")))
static void minhash_avx2(const uint64_t *restrict shingles, size_t n, const uint64_t *restrict seeds, size_t k,
                         uint32_t *restrict minimum) {
    DP_MINHASH_BODY
}

__attribute__((target("avx512f,avx512dq,avx512vl")))
static void minhash_avx512(const uint64_t *restrict shingles, size_t n, const uint64_t *restrict seeds, size_t k,
                           uint32_t *restrict minimum) {
    DP_MINHASH_BODY
}

static int best_path(void) {
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl"))
        return DP_MINHASH_AVX512;
    return __builtin_cpu_supports("avx2") ? DP_MINHASH_AVX2 : DP_MINHASH_PORTABLE;
}

int dp_minhash_path(void) {
    // -1 until the first call asks the processor; worker threads may all ask at
    // once, and all store the same answer (atomically, so that is no data race).
    static _Atomic int known = -1;
    int path = atomic_load_explicit(&known, memory_order_relaxed);
    if (path < 0) {
        path = best_path();
        atomic_store_explicit(&known, path, memory_order_relaxed);
    }
    return path;
}

int dp_minhash_on(int path, const uint64_t *shingles, size_t n, const uint64_t *seeds, size_t k, uint32_t *minimum) {
    if (path > dp_minhash_path()) return 0;
    switch (path) {
    case DP_MINHASH_AVX512: minhash_avx512(shingles, n, seeds, k, minimum); return 1;
    case DP_MINHASH_AVX2: minhash_avx2(shingles, n, seeds, k, minimum); return 1;
    case DP_MINHASH_PORTABLE: dp_minhash_portable(shingles, n, seeds, k, minimum); return 1;
    default: return 0;
    }
}
#else
int dp_minhash_path(void) { return DP_MINHASH_PORTABLE; }

int dp_minhash_on(int path, const uint64_t *shingles, size_t n, const uint64_t *seeds, size_t k, uint32_t *minimum) {
    if (path != DP_MINHASH_PORTABLE) return 0;
    dp_minhash_portable(shingles, n, seeds, k, minimum);
    return 1;
}
#endif

void dp_minhash(const uint64_t *shingles, size_t n, const uint64_t *seeds, size_t k, uint32_t *minimum) {
    dp_minhash_on(dp_minhash_path(), shingles, n, seeds, k, minimum);
}
