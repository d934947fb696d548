// Byte counts over whole pages, in C because the compiler vectorizes these loops
// here and did not in Swift (written the same way there, the page check cost 30
// instructions a byte in callgrind; a word at a time by hand, 4.6), and because C can
// build a loop for AVX2 and choose it at run time. The sums are kept in bytes, so a
// vector holds as many sums as bytes, chunk by chunk of 192: under 256, and a multiple
// of the vector's width (with chunks of 255 the count took twice the instructions, the
// end of each chunk read byte by byte).
#include "byte_counts.h"

#include <stdatomic.h>

#define CHUNK 192

static inline uint8_t is_control(uint8_t b) {
    return (uint8_t)((b < 0x20) & (b != 0x09) & (b != 0x0A) & (b != 0x0C) & (b != 0x0D));
}

// Each function's body once, compiled for the baseline and for AVX2.
#define COUNT_UTF8_BODY                                                                        \
    dp_utf8_counts counts = {0, 0, 0};                                                         \
    /* U+FFFD is looked for where its three bytes fit. */                                      \
    const size_t look_end = count >= 2 ? (end < count - 2 ? end : count - 2) : 0;              \
    for (size_t start = 0; start < end; start += CHUNK) {                                      \
        const size_t stop = end - start < CHUNK ? end : start + CHUNK;                         \
        const size_t looked = stop < look_end ? stop : (start > look_end ? start : look_end);  \
        uint8_t scalars = 0, controls = 0, replacements = 0;                                   \
        for (size_t i = start; i < looked; i++) {                                              \
            const uint8_t b = bytes[i];                                                        \
            scalars += (b & 0xC0) != 0x80;                                                     \
            controls += is_control(b);                                                         \
            replacements += (uint8_t)((b == 0xEF) & (bytes[i + 1] == 0xBF) & (bytes[i + 2] == 0xBD)); \
        }                                                                                      \
        for (size_t i = looked; i < stop; i++) {                                               \
            const uint8_t b = bytes[i];                                                        \
            scalars += (b & 0xC0) != 0x80;                                                     \
            controls += is_control(b);                                                         \
        }                                                                                      \
        counts.scalars += scalars;                                                             \
        counts.controls += controls;                                                           \
        counts.replacements += replacements;                                                   \
    }                                                                                          \
    return counts;

#define COUNT_CONTROL_BODY                                                                     \
    size_t total = 0;                                                                          \
    for (size_t start = 0; start < count; start += CHUNK) {                                    \
        const size_t stop = count - start < CHUNK ? count : start + CHUNK;                     \
        uint8_t controls = 0;                                                                  \
        for (size_t i = start; i < stop; i++) controls += is_control(bytes[i]) & (bytes[i] != 0x1B); \
        total += controls;                                                                     \
    }                                                                                          \
    return total;

dp_utf8_counts dp_count_utf8_portable(const uint8_t *bytes, size_t end, size_t count) { COUNT_UTF8_BODY }
size_t dp_count_control_bytes_portable(const uint8_t *bytes, size_t count) { COUNT_CONTROL_BODY }

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
__attribute__((target("avx2")))
static dp_utf8_counts count_utf8_avx2(const uint8_t *bytes, size_t end, size_t count) { COUNT_UTF8_BODY }
__attribute__((target("avx2")))
static size_t count_control_avx2(const uint8_t *bytes, size_t count) { COUNT_CONTROL_BODY }

// -1 until the first call asks the processor; threads that ask at once all store the
// same answer (atomically, so that is no data race).
static int has_avx2(void) {
    static _Atomic int known = -1;
    int value = atomic_load_explicit(&known, memory_order_relaxed);
    if (value < 0) {
        __builtin_cpu_init();
        value = __builtin_cpu_supports("avx2") ? 1 : 0;
        atomic_store_explicit(&known, value, memory_order_relaxed);
    }
    return value;
}

dp_utf8_counts dp_count_utf8(const uint8_t *bytes, size_t end, size_t count) {
    return has_avx2() ? count_utf8_avx2(bytes, end, count) : dp_count_utf8_portable(bytes, end, count);
}

size_t dp_count_control_bytes(const uint8_t *bytes, size_t count) {
    return has_avx2() ? count_control_avx2(bytes, count) : dp_count_control_bytes_portable(bytes, count);
}
#else
dp_utf8_counts dp_count_utf8(const uint8_t *bytes, size_t end, size_t count) { return dp_count_utf8_portable(bytes, end, count); }

size_t dp_count_control_bytes(const uint8_t *bytes, size_t count) { return dp_count_control_bytes_portable(bytes, count); }
#endif

size_t dp_scalars_end(const uint8_t *bytes, size_t count, size_t limit) {
    size_t counted = 0;
    for (size_t start = 0; start < count; start += CHUNK) {
        const size_t stop = count - start < CHUNK ? count : start + CHUNK;
        uint8_t leads = 0;
        for (size_t i = start; i < stop; i++) leads += (bytes[i] & 0xC0) != 0x80;
        if (counted + leads > limit) {
            for (size_t i = start; i < stop; i++) {
                if ((bytes[i] & 0xC0) == 0x80) continue;
                if (counted == limit) return i;
                counted++;
            }
        }
        counted += leads;
    }
    return count;
}
