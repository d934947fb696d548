#ifndef DECLPROC_UTF8_VALID_H
#define DECLPROC_UTF8_VALID_H

#include <stddef.h>
#include <stdint.h>

/// Whether the `count` bytes are well-formed UTF-8 (no overlong form, surrogate,
/// value past U+10FFFF, stray continuation or cut-short sequence): 1 or 0, thirty-two
/// bytes at a time with AVX2. -1, with nothing read, on a processor without AVX2,
/// where the caller checks the bytes its own way.
int dp_utf8_valid_avx2(const uint8_t *bytes, size_t count);

#endif
