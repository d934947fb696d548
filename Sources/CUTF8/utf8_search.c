// Searching UTF-8 text for a word, thirty-two places at a time, in C because Swift
// cannot build one function for AVX2 and choose it at run time. The cue words
// (first-person words, declaring words, organizations) are searched for in every
// block of every page: by `memchr` for the word's last byte, a Chinese word's last
// byte, a continuation byte, turned up every hundred bytes or so, and English
// letters every few, and each call stopped there, to compare and call again.
//
// Here the word's last two bytes are compared at every place of a block of 32 at
// once (two unaligned loads, two compares, one AND): a place where both match is a
// candidate, one in thousands in Chinese text, and only candidates are compared
// whole. This is the "packed pair" idea of several fast substring searches.
#include "utf8_search.h"
#include "avx2.h"

#include <string.h>

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include <immintrin.h>

// The candidates of one block, as a bit per place, compared whole; the first that
// matches, or -1.
static inline ptrdiff_t first_match(const uint8_t *haystack, size_t at, uint32_t candidates, const uint8_t *needle,
                                    size_t length) {
    while (candidates) {
        const size_t place = at + (size_t)__builtin_ctz(candidates);
        if (memcmp(haystack + place, needle, length - 2) == 0) return (ptrdiff_t)place;
        candidates &= candidates - 1;
    }
    return -1;
}

__attribute__((target("avx2")))
static ptrdiff_t find_avx2(const uint8_t *haystack, size_t count, const uint8_t *needle, size_t length) {
    if (count < length) return -1;
    // Places 0...last can hold the needle.
    const size_t last = count - length;
    const uint8_t second_last = needle[length - 2], final = needle[length - 1];
    if (last + 1 < 32) {
        for (size_t place = 0; place <= last; place++) {
            if (haystack[place + length - 1] == final && haystack[place + length - 2] == second_last &&
                memcmp(haystack + place, needle, length - 2) == 0)
                return (ptrdiff_t)place;
        }
        return -1;
    }
    const __m256i a = _mm256_set1_epi8((char)second_last), b = _mm256_set1_epi8((char)final);
    const uint8_t *pairs = haystack + length - 2;
    size_t at = 0;
    for (; at + 32 <= last + 1; at += 32) {
        const __m256i x = _mm256_loadu_si256((const __m256i *)(pairs + at));
        const __m256i y = _mm256_loadu_si256((const __m256i *)(pairs + at + 1));
        const uint32_t candidates =
            (uint32_t)_mm256_movemask_epi8(_mm256_and_si256(_mm256_cmpeq_epi8(x, a), _mm256_cmpeq_epi8(y, b)));
        if (candidates) {
            const ptrdiff_t found = first_match(haystack, at, candidates, needle, length);
            if (found >= 0) return found;
        }
    }
    if (at <= last) {
        // The last places, in a block that ends at the last place and overlaps the one
        // before; the places already looked at are left out of its candidates.
        const size_t start = last + 1 - 32;
        const __m256i x = _mm256_loadu_si256((const __m256i *)(pairs + start));
        const __m256i y = _mm256_loadu_si256((const __m256i *)(pairs + start + 1));
        uint32_t candidates =
            (uint32_t)_mm256_movemask_epi8(_mm256_and_si256(_mm256_cmpeq_epi8(x, a), _mm256_cmpeq_epi8(y, b)));
        candidates &= ~(uint32_t)0 << (at - start);
        return first_match(haystack, start, candidates, needle, length);
    }
    return -1;
}

ptrdiff_t dp_find_avx2(const uint8_t *haystack, size_t count, const uint8_t *needle, size_t length) {
    if (!dp_has_avx2() || length < 2) return -2;
    return find_avx2(haystack, count, needle, length);
}
#else
ptrdiff_t dp_find_avx2(const uint8_t *haystack, size_t count, const uint8_t *needle, size_t length) {
    (void)haystack;
    (void)count;
    (void)needle;
    (void)length;
    return -2;
}
#endif
