#ifndef DECLPROC_UTF8_SEARCH_H
#define DECLPROC_UTF8_SEARCH_H

#include <stddef.h>
#include <stdint.h>

/// Where `needle` (two bytes or more) first occurs in the `count` bytes of
/// `haystack`: its offset, or -1. -2, with nothing read, on a processor without
/// AVX2, where the caller searches its own way.
ptrdiff_t dp_find_avx2(const uint8_t *haystack, size_t count, const uint8_t *needle, size_t length);

#endif
