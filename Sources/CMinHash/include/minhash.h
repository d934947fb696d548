#ifndef DECLPROC_MINHASH_H
#define DECLPROC_MINHASH_H

#include <stddef.h>
#include <stdint.h>

/// Lowers each of the `k` values of `minimum` to the least, over the `n` shingle
/// hashes h, of the top 32 bits of splitmix64(h ^ seeds[i]): a MinHash signature
/// with one hash function per seed. Uses 512-bit vectors where the processor has
/// them (AVX-512 DQ), the portable loop otherwise; both give the same values.
void dp_minhash(const uint64_t *shingles, size_t n, const uint64_t *seeds, size_t k, uint32_t *minimum);

/// The same, always the portable loop (what tests compare `dp_minhash` against).
void dp_minhash_portable(const uint64_t *shingles, size_t n, const uint64_t *seeds, size_t k, uint32_t *minimum);

/// Whether `dp_minhash` takes the vector path on this processor.
int dp_minhash_vectorized(void);

#endif
