// In C because Swift's Glibc module is built without _GNU_SOURCE, which declares
// sync_file_range.
#define _GNU_SOURCE
#include "writeback.h"

#ifdef __linux__
#include <fcntl.h>

int dp_start_writeback(int descriptor, int64_t offset, int64_t count) {
    return sync_file_range(descriptor, offset, count, SYNC_FILE_RANGE_WRITE);
}
#else
int dp_start_writeback(int descriptor, int64_t offset, int64_t count) {
    (void)descriptor; (void)offset; (void)count;
    return 0;
}
#endif
