#ifndef DECLPROC_MINHASH_H
#define DECLPROC_MINHASH_H

#include <stddef.h>
#include <stdint.h>

/// Lowers each of the `k` values of `minimum` to the least, over the `n` shingle
/// hashes h, of the top 32 bits of splitmix64(h ^ seeds[i]): a MinHash signature
/// with one hash function per seed. Takes the widest path the processor has
/// (`dp_minhash_path`); every path gives the same values.
void dp_minhash(const uint64_t *shingles, size_t n, const uint64_t *seeds, size_t k, uint32_t *minimum);

/// The same, always the portable loop (the definition the tests hold the others to).
void dp_minhash_portable(const uint64_t *shingles, size_t n, const uint64_t *seeds, size_t k, uint32_t *minimum);

/// The kernel's paths, from the narrowest: each processor with one has the ones below.
enum { DP_MINHASH_PORTABLE = 0, DP_MINHASH_AVX2 = 1, DP_MINHASH_AVX512 = 2 };

/// The path `dp_minhash` takes on this processor.
int dp_minhash_path(void);

/// The same as `dp_minhash` on a chosen path, so tests can hold each path this
/// processor has to the portable one. Returns 0, with `minimum` untouched, when the
/// processor does not have it.
int dp_minhash_on(int path, const uint64_t *shingles, size_t n, const uint64_t *seeds, size_t k, uint32_t *minimum);

#endif
