#ifndef DECLPROC_WRITEBACK_H
#define DECLPROC_WRITEBACK_H

#include <stdint.h>

/// Asks the kernel to start writing the dirty pages of bytes [offset, offset + count)
/// of the open file `descriptor` to its device, without waiting for them
/// (Linux's sync_file_range with SYNC_FILE_RANGE_WRITE). Returns 0, or -1 with errno
/// set; elsewhere than Linux it does nothing and returns 0. It is a hint: durability
/// still comes from fsync.
int dp_start_writeback(int descriptor, int64_t offset, int64_t count);

#endif
