// MinHash's inner loop, in C only because Swift cannot compile one function for a
// processor feature and choose it at run time: 64 hash functions per shingle, each a
// splitmix64 finalizer (two 64-bit multiplies), was a twentieth of the whole
// pipeline's instructions. AVX-512 DQ multiplies eight 64-bit lanes at once; AVX2 has
// no 64-bit multiply, but four lanes of it built from 32-bit ones still take half the
// time of the scalar loop (measured on an AMD EPYC without AVX-512, where the scalar
// loop was a sixteenth of the pipeline's CPU time), and the hand-written loop below
// some 30% less again.
#include "minhash.h"

#include <stdatomic.h>

static inline uint64_t splitmix64(uint64_t x) {
    uint64_t z = x + 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

// The definition the vector paths are held to (and the path of processors without
// AVX2): across the seeds, so the compiler vectorizes it for the baseline's vectors.
void dp_minhash_portable(const uint64_t *shingles, size_t n, const uint64_t *seeds, size_t k, uint32_t *minimum) {
    for (size_t s = 0; s < n; s++) {
        const uint64_t h = shingles[s];
        for (size_t i = 0; i < k; i++) {
            const uint32_t value = (uint32_t)(splitmix64(h ^ seeds[i]) >> 32);
            minimum[i] = value < minimum[i] ? value : minimum[i];
        }
    }
}

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include <immintrin.h>

// The AVX2 path by hand: the compiler's vectorization of the common loop loaded,
// repacked and stored the minima at every shingle. Here four seeds' minima stay in a
// register (in the low half of each 64-bit lane) across all the shingles, eight seeds
// a pass, and of the last product only the top 32 bits are formed, which is all the
// signature keeps. In a loop of 150 shingles and 64 seeds on an AMD EPYC (Zen 2):
// 0.74 ns a hash, against 1.07 for the compiler's loop.

// Four lanes of x * c mod 2^64 from 32-bit multiplies; `chi` holds c's top half.
__attribute__((target("avx2"))) static inline __m256i mul64_avx2(__m256i x, __m256i c, __m256i chi) {
    const __m256i low = _mm256_mul_epu32(x, c);
    const __m256i cross = _mm256_add_epi64(_mm256_mul_epu32(x, chi), _mm256_mul_epu32(_mm256_srli_epi64(x, 32), c));
    return _mm256_add_epi64(low, _mm256_slli_epi64(cross, 32));
}

// The top 32 bits of splitmix64(v) in each lane's low half (the high half is left
// meaningless): with z the last product, (z ^ z >> 31) >> 32 is hi ^ hi >> 31 for
// hi = z >> 32, and hi is the top of the low halves' product plus the low halves of
// the cross products.
__attribute__((target("avx2"))) static inline __m256i splitmix_top_avx2(__m256i v) {
    const __m256i golden = _mm256_set1_epi64x((long long)0x9E3779B97F4A7C15ull);
    const __m256i c1 = _mm256_set1_epi64x((long long)0xBF58476D1CE4E5B9ull), c1hi = _mm256_set1_epi64x(0xBF58476Dll);
    const __m256i c2 = _mm256_set1_epi64x((long long)0x94D049BB133111EBull), c2hi = _mm256_set1_epi64x(0x94D049BBll);
    __m256i z = _mm256_add_epi64(v, golden);
    z = mul64_avx2(_mm256_xor_si256(z, _mm256_srli_epi64(z, 30)), c1, c1hi);
    z = _mm256_xor_si256(z, _mm256_srli_epi64(z, 27));
    const __m256i low = _mm256_mul_epu32(z, c2);
    const __m256i cross = _mm256_add_epi64(_mm256_mul_epu32(z, c2hi), _mm256_mul_epu32(_mm256_srli_epi64(z, 32), c2));
    const __m256i hi = _mm256_add_epi32(_mm256_srli_epi64(low, 32), cross);
    return _mm256_xor_si256(hi, _mm256_srli_epi32(hi, 31));
}

// Four minima, as the low halves of four 64-bit lanes, and back.
__attribute__((target("avx2"))) static inline __m256i load_minima_avx2(const uint32_t *minimum) {
    return _mm256_cvtepu32_epi64(_mm_loadu_si128((const __m128i *)minimum));
}
__attribute__((target("avx2"))) static inline void store_minima_avx2(uint32_t *minimum, __m256i lanes) {
    const __m256i low_halves = _mm256_setr_epi32(0, 2, 4, 6, 1, 3, 5, 7);
    _mm_storeu_si128((__m128i *)minimum, _mm256_castsi256_si128(_mm256_permutevar8x32_epi32(lanes, low_halves)));
}

__attribute__((target("avx2")))
static void minhash_avx2(const uint64_t *restrict shingles, size_t n, const uint64_t *restrict seeds, size_t k,
                         uint32_t *restrict minimum) {
    size_t i = 0;
    // Unsigned 32-bit minima of the lanes' low halves; the high halves are never read.
    for (; i + 8 <= k; i += 8) {
        const __m256i seeds0 = _mm256_loadu_si256((const __m256i *)(seeds + i));
        const __m256i seeds1 = _mm256_loadu_si256((const __m256i *)(seeds + i + 4));
        __m256i least0 = load_minima_avx2(minimum + i), least1 = load_minima_avx2(minimum + i + 4);
        for (size_t s = 0; s < n; s++) {
            const __m256i h = _mm256_set1_epi64x((long long)shingles[s]);
            least0 = _mm256_min_epu32(least0, splitmix_top_avx2(_mm256_xor_si256(h, seeds0)));
            least1 = _mm256_min_epu32(least1, splitmix_top_avx2(_mm256_xor_si256(h, seeds1)));
        }
        store_minima_avx2(minimum + i, least0);
        store_minima_avx2(minimum + i + 4, least1);
    }
    // The last seeds short of eight (none for the 64 signatures have) one at a time.
    for (; i < k; i++) {
        uint32_t least = minimum[i];
        for (size_t s = 0; s < n; s++) {
            const uint32_t value = (uint32_t)(splitmix64(shingles[s] ^ seeds[i]) >> 32);
            least = value < least ? value : least;
        }
        minimum[i] = least;
    }
}

// The AVX-512 path by hand too: the compiler's loop of the portable body took
// 0.131-0.134 ns a hash, this one 0.114-0.117 (clang -O2, 150 shingles and 64 seeds,
// an AMD EPYC with AVX-512; docs/batch.md, session 42). AVX-512 DQ has the 64-bit
// multiply, so the finalizer is written as it reads; sixteen seeds a pass, as two
// registers of eight lanes, keep two chains of multiplies in flight (four registers
// were no faster). The minima are 64-bit lanes holding 32-bit values, lowered with
// the unsigned 64-bit minimum.
__attribute__((target("avx512f,avx512dq,avx512vl")))
static inline __m512i splitmix_top_avx512(__m512i v) {
    const __m512i golden = _mm512_set1_epi64((long long)0x9E3779B97F4A7C15ull);
    const __m512i c1 = _mm512_set1_epi64((long long)0xBF58476D1CE4E5B9ull);
    const __m512i c2 = _mm512_set1_epi64((long long)0x94D049BB133111EBull);
    __m512i z = _mm512_add_epi64(v, golden);
    z = _mm512_mullo_epi64(_mm512_xor_si512(z, _mm512_srli_epi64(z, 30)), c1);
    z = _mm512_mullo_epi64(_mm512_xor_si512(z, _mm512_srli_epi64(z, 27)), c2);
    // (z ^ z >> 31) >> 32, the top half, is z >> 32 ^ z >> 63.
    return _mm512_xor_si512(_mm512_srli_epi64(z, 32), _mm512_srli_epi64(z, 63));
}

__attribute__((target("avx512f,avx512dq,avx512vl")))
static void minhash_avx512(const uint64_t *restrict shingles, size_t n, const uint64_t *restrict seeds, size_t k,
                           uint32_t *restrict minimum) {
    size_t i = 0;
    for (; i + 16 <= k; i += 16) {
        const __m512i seeds0 = _mm512_loadu_si512(seeds + i), seeds1 = _mm512_loadu_si512(seeds + i + 8);
        __m512i least0 = _mm512_cvtepu32_epi64(_mm256_loadu_si256((const __m256i *)(minimum + i)));
        __m512i least1 = _mm512_cvtepu32_epi64(_mm256_loadu_si256((const __m256i *)(minimum + i + 8)));
        for (size_t s = 0; s < n; s++) {
            const __m512i h = _mm512_set1_epi64((long long)shingles[s]);
            least0 = _mm512_min_epu64(least0, splitmix_top_avx512(_mm512_xor_si512(h, seeds0)));
            least1 = _mm512_min_epu64(least1, splitmix_top_avx512(_mm512_xor_si512(h, seeds1)));
        }
        _mm256_storeu_si256((__m256i *)(minimum + i), _mm512_cvtepi64_epi32(least0));
        _mm256_storeu_si256((__m256i *)(minimum + i + 8), _mm512_cvtepi64_epi32(least1));
    }
    // The last seeds short of sixteen (none for the 64 signatures have) on the AVX2 path.
    if (i < k) minhash_avx2(shingles, n, seeds + i, k - i, minimum + i);
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
