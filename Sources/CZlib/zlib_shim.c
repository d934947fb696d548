#include "declproc_zlib.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

struct inflater { z_stream stream; int window_bits; };

static int window_bits_for(int32_t format) {
    switch (format) {
    case DP_Z_FORMAT_GZIP: return 16 + MAX_WBITS;
    case DP_Z_FORMAT_ZLIB: return MAX_WBITS;
    case DP_Z_FORMAT_RAW: return -MAX_WBITS;
    default: return 32 + MAX_WBITS; // automatic gzip or zlib header detection
    }
}

void *dp_inflater_open(int32_t format) {
    struct inflater *i = (struct inflater *)calloc(1, sizeof *i);
    if (!i) return NULL;
    i->window_bits = window_bits_for(format);
    if (inflateInit2(&i->stream, i->window_bits) != Z_OK) { free(i); return NULL; }
    return i;
}

void dp_inflater_close(void *inflater) {
    struct inflater *i = (struct inflater *)inflater;
    inflateEnd(&i->stream);
    free(i);
}

int32_t dp_inflater_reset(void *inflater) {
    struct inflater *i = (struct inflater *)inflater;
    return inflateReset(&i->stream) == Z_OK ? DP_Z_OK : DP_Z_DATA_ERROR;
}

int32_t dp_inflater_run(void *inflater, const uint8_t *input, int64_t input_length,
                        uint8_t *output, int64_t output_capacity, int64_t *consumed, int64_t *produced) {
    struct inflater *i = (struct inflater *)inflater;
    // zlib counts in uInt: feed at most 1 GiB per call; callers loop anyway.
    uInt in_len = (uInt)(input_length > (1 << 30) ? (1 << 30) : input_length);
    uInt out_len = (uInt)(output_capacity > (1 << 30) ? (1 << 30) : output_capacity);
    i->stream.next_in = (Bytef *)input;
    i->stream.avail_in = in_len;
    i->stream.next_out = output;
    i->stream.avail_out = out_len;
    int status = inflate(&i->stream, Z_NO_FLUSH);
    *consumed = (int64_t)(in_len - i->stream.avail_in);
    *produced = (int64_t)(out_len - i->stream.avail_out);
    switch (status) {
    case Z_OK: return DP_Z_OK;
    case Z_STREAM_END: return DP_Z_STREAM_END;
    case Z_BUF_ERROR: return DP_Z_NEED_MORE; // no progress possible: more input or more room needed
    case Z_MEM_ERROR: return DP_Z_MEMORY_ERROR;
    default: return DP_Z_DATA_ERROR;
    }
}

const char *dp_inflater_message(void *inflater) {
    struct inflater *i = (struct inflater *)inflater;
    return i->stream.msg ? i->stream.msg : "";
}

int64_t dp_gzip_bound(int64_t input_length) { return input_length + input_length / 1000 + 64 + 18; }

int64_t dp_gzip(const uint8_t *input, int64_t input_length, uint8_t *output, int64_t capacity, int32_t level) {
    z_stream s;
    memset(&s, 0, sizeof s);
    if (deflateInit2(&s, level, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK) return -1;
    s.next_in = (Bytef *)input;
    s.avail_in = (uInt)input_length;
    s.next_out = output;
    s.avail_out = (uInt)capacity;
    int status = deflate(&s, Z_FINISH);
    int64_t written = (int64_t)(capacity - s.avail_out);
    deflateEnd(&s);
    return status == Z_STREAM_END ? written : -1;
}
