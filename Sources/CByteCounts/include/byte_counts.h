#ifndef DECLPROC_BYTE_COUNTS_H
#define DECLPROC_BYTE_COUNTS_H

#include <stddef.h>
#include <stdint.h>

/// What the page checks count in well-formed UTF-8, over bytes [0, end): scalars
/// (bytes that are not continuation bytes), C0 control bytes other than tab, line
/// feed, form feed and carriage return, and U+FFFD (EF BF BD) starting there, its
/// bytes read up to `count`, the text's length.
typedef struct {
    size_t scalars;
    size_t controls;
    size_t replacements;
} dp_utf8_counts;

dp_utf8_counts dp_count_utf8(const uint8_t *bytes, size_t end, size_t count);

/// C0 control bytes among the first `count`, other than tab, line feed, form feed,
/// carriage return and escape.
size_t dp_count_control_bytes(const uint8_t *bytes, size_t count);

/// The same two counts built for the baseline processor, whichever path the
/// functions above take here: for tests to compare the paths.
dp_utf8_counts dp_count_utf8_portable(const uint8_t *bytes, size_t end, size_t count);
size_t dp_count_control_bytes_portable(const uint8_t *bytes, size_t count);

/// Where the scalar after the first `limit` starts in well-formed UTF-8 of `count`
/// bytes; `count` when there are no more.
size_t dp_scalars_end(const uint8_t *bytes, size_t count, size_t limit);

#endif
