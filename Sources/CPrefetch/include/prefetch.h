#ifndef DECLPROC_PREFETCH_H
#define DECLPROC_PREFETCH_H

/// Asks the processor to start loading the cache line at `address` (for reading),
/// so that lookups in a table larger than the cache overlap their waits. Swift has
/// no way to say this itself.
static inline void dp_prefetch(const void *address) { __builtin_prefetch(address, 0, 3); }

#endif
