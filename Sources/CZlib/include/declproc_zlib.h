// A narrow, opaque C interface over zlib: its init functions are macros
// (inflateInit2 passes the library version and struct size), which Swift cannot
// call, and its z_stream is best kept out of Swift's sight.
#ifndef DECLPROC_ZLIB_H
#define DECLPROC_ZLIB_H

#include <stdint.h>

enum { DP_Z_OK = 0, DP_Z_STREAM_END = 1, DP_Z_NEED_MORE = 2, DP_Z_DATA_ERROR = -3, DP_Z_MEMORY_ERROR = -4 };
enum { DP_Z_FORMAT_GZIP = 0, DP_Z_FORMAT_ZLIB = 1, DP_Z_FORMAT_RAW = 2, DP_Z_FORMAT_AUTO = 3 };

// An inflater for gzip, zlib, raw deflate, or gzip-or-zlib (auto). NULL on failure.
void *dp_inflater_open(int32_t format);
void dp_inflater_close(void *inflater);
// Starts a new stream (the next gzip member) with the same format.
int32_t dp_inflater_reset(void *inflater);
// Inflates from input into output. Returns DP_Z_OK (progress made, call again),
// DP_Z_STREAM_END (this stream/member ended), DP_Z_NEED_MORE (input exhausted), or
// a negative error. *consumed and *produced say how many bytes moved.
int32_t dp_inflater_run(void *inflater, const uint8_t *input, int64_t input_length,
                        uint8_t *output, int64_t output_capacity, int64_t *consumed, int64_t *produced);
// The message zlib gave for the last error, or "".
const char *dp_inflater_message(void *inflater);

// Compresses a whole buffer as one gzip member. Returns the length written, or -1
// if capacity is too small (dp_gzip_bound gives a safe capacity).
int64_t dp_gzip_bound(int64_t input_length);
int64_t dp_gzip(const uint8_t *input, int64_t input_length, uint8_t *output, int64_t capacity, int32_t level);

#endif
