// UTF-8 validation of whole pages, thirty-two bytes at a time, in C because Swift
// cannot build one function for AVX2 and choose it at run time. Every page is
// checked before it is parsed as UTF-8: a character at a time (`UTF8Code.isValid`'s
// Swift loop, some 2.7 instructions a byte of a Chinese page) that was 0.7% of the
// pipeline's instructions.
//
// The method is the one Keiser and Lemire describe ("Validating UTF-8 In Less Than
// One Instruction Per Byte", Software: Practice and Experience, 2021): each byte is
// judged with the one before it by three table lookups, on the high and low halves
// of the byte before and the high half of the byte itself, whose results share a bit
// only where the pair is an error of that bit's kind; the second and third
// continuation bytes of a sequence are told by the lead two or three bytes back.
#include "utf8_valid.h"
#include "avx2.h"

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include <immintrin.h>
#include <string.h>

// One bit for each kind of error a byte and the byte before it can make.
enum {
    TOO_SHORT = 1 << 0,      // a lead, then no continuation byte (11xxxxxx 0xxxxxxx or 11xxxxxx 11xxxxxx)
    TOO_LONG = 1 << 1,       // ASCII, then a continuation byte (0xxxxxxx 10xxxxxx)
    OVERLONG_3 = 1 << 2,     // 11100000 100xxxxx
    TOO_LARGE = 1 << 3,      // 11110100 1001xxxx or 11110100 101xxxxx, or 11110101–11111111 then 1001–1011xxxx
    SURROGATE = 1 << 4,      // 11101101 101xxxxx
    OVERLONG_2 = 1 << 5,     // 1100000x 10xxxxxx
    TOO_LARGE_1000 = 1 << 6, // 11110101–11111111 1000xxxx
    OVERLONG_4 = 1 << 6,     // 11110000 1000xxxx (the same bit: the leads tell the two apart)
    TWO_CONTS = 1 << 7,      // two continuation bytes: an error unless a lead two or three bytes back allows it
    CARRY = TOO_SHORT | TOO_LONG | TWO_CONTS, // the kinds the low half of the byte before does not decide
};

// A table of sixteen bytes, in both halves of the register (a shuffle looks up within its half).
#define B(x) ((char)(unsigned char)(x))
#define REPEAT16(a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15)                              \
    _mm256_setr_epi8(B(a0), B(a1), B(a2), B(a3), B(a4), B(a5), B(a6), B(a7), B(a8), B(a9), B(a10), B(a11), B(a12), \
                     B(a13), B(a14), B(a15), B(a0), B(a1), B(a2), B(a3), B(a4), B(a5), B(a6), B(a7), B(a8), B(a9),   \
                     B(a10), B(a11), B(a12), B(a13), B(a14), B(a15))

// The bytes `n` places before each byte of `input` (1 to 3), across the two halves
// of the register and from the block before.
#define BEFORE(input, previous, n) \
    _mm256_alignr_epi8((input), _mm256_permute2x128_si256((previous), (input), 0x21), 16 - (n))

__attribute__((target("avx2"))) static inline __m256i high_nibbles(__m256i v) {
    return _mm256_and_si256(_mm256_srli_epi16(v, 4), _mm256_set1_epi8(0x0F));
}

// The errors of a block that is not all ASCII, given the block before it.
__attribute__((target("avx2"))) static inline __m256i block_errors(__m256i input, __m256i previous) {
    const __m256i by_first_high = REPEAT16(
        TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG,
        TWO_CONTS, TWO_CONTS, TWO_CONTS, TWO_CONTS,
        TOO_SHORT | OVERLONG_2, TOO_SHORT, TOO_SHORT | OVERLONG_3 | SURROGATE,
        TOO_SHORT | TOO_LARGE | TOO_LARGE_1000 | OVERLONG_4);
    const __m256i by_first_low = REPEAT16(
        CARRY | OVERLONG_3 | OVERLONG_2 | OVERLONG_4, CARRY | OVERLONG_2, CARRY, CARRY,
        CARRY | TOO_LARGE, CARRY | TOO_LARGE | TOO_LARGE_1000, CARRY | TOO_LARGE | TOO_LARGE_1000,
        CARRY | TOO_LARGE | TOO_LARGE_1000, CARRY | TOO_LARGE | TOO_LARGE_1000, CARRY | TOO_LARGE | TOO_LARGE_1000,
        CARRY | TOO_LARGE | TOO_LARGE_1000, CARRY | TOO_LARGE | TOO_LARGE_1000, CARRY | TOO_LARGE | TOO_LARGE_1000,
        CARRY | TOO_LARGE | TOO_LARGE_1000 | SURROGATE, CARRY | TOO_LARGE | TOO_LARGE_1000,
        CARRY | TOO_LARGE | TOO_LARGE_1000);
    const __m256i by_second_high = REPEAT16(
        TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT,
        TOO_LONG | OVERLONG_2 | TWO_CONTS | OVERLONG_3 | TOO_LARGE_1000 | OVERLONG_4,
        TOO_LONG | OVERLONG_2 | TWO_CONTS | OVERLONG_3 | TOO_LARGE,
        TOO_LONG | OVERLONG_2 | TWO_CONTS | SURROGATE | TOO_LARGE,
        TOO_LONG | OVERLONG_2 | TWO_CONTS | SURROGATE | TOO_LARGE,
        TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT);
    const __m256i before1 = BEFORE(input, previous, 1);
    const __m256i pairs = _mm256_and_si256(
        _mm256_and_si256(_mm256_shuffle_epi8(by_first_high, high_nibbles(before1)),
                         _mm256_shuffle_epi8(by_first_low, _mm256_and_si256(before1, _mm256_set1_epi8(0x0F)))),
        _mm256_shuffle_epi8(by_second_high, high_nibbles(input)));
    // A lead of three or four bytes two or three places back: the byte must be a
    // continuation byte after another (TWO_CONTS set), and may be only there.
    const __m256i third = _mm256_subs_epu8(BEFORE(input, previous, 2), _mm256_set1_epi8((char)(0xE0 - 0x80)));
    const __m256i fourth = _mm256_subs_epu8(BEFORE(input, previous, 3), _mm256_set1_epi8((char)(0xF0 - 0x80)));
    const __m256i allowed = _mm256_and_si256(_mm256_or_si256(third, fourth), _mm256_set1_epi8((char)0x80));
    return _mm256_xor_si256(allowed, pairs);
}

// Nonzero where a block's last three bytes start a sequence longer than what is left.
__attribute__((target("avx2"))) static inline __m256i unfinished(__m256i input) {
    const __m256i most = _mm256_setr_epi8(
        -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
        -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, (char)(0xF0 - 1), (char)(0xE0 - 1), (char)(0xC0 - 1));
    return _mm256_subs_epu8(input, most);
}

__attribute__((target("avx2"))) static int valid_avx2(const uint8_t *bytes, size_t count) {
    __m256i errors = _mm256_setzero_si256(), previous = _mm256_setzero_si256(), open = _mm256_setzero_si256();
    size_t i = 0;
    for (; i + 32 <= count; i += 32) {
        const __m256i input = _mm256_loadu_si256((const __m256i *)(bytes + i));
        if (_mm256_movemask_epi8(input) == 0) {
            // All ASCII (markup, mostly): an error only if the block before left a sequence open.
            errors = _mm256_or_si256(errors, open);
            open = _mm256_setzero_si256();
        } else {
            errors = _mm256_or_si256(errors, block_errors(input, previous));
            open = unfinished(input);
        }
        previous = input;
    }
    if (i < count) {
        // The last bytes, followed by zeros: ASCII, which ends any sequence left open
        // with an error the block's own check finds.
        uint8_t last[32] = {0};
        memcpy(last, bytes + i, count - i);
        const __m256i input = _mm256_loadu_si256((const __m256i *)last);
        errors = _mm256_or_si256(errors, block_errors(input, previous));
        open = _mm256_setzero_si256();
    }
    errors = _mm256_or_si256(errors, open);
    return _mm256_testz_si256(errors, errors);
}

int dp_utf8_valid_avx2(const uint8_t *bytes, size_t count) {
    return dp_has_avx2() ? valid_avx2(bytes, count) : -1;
}
#else
int dp_utf8_valid_avx2(const uint8_t *bytes, size_t count) {
    (void)bytes;
    (void)count;
    return -1;
}
#endif
