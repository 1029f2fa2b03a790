#ifndef CSEERHEAP_H
#define CSEERHEAP_H

#include <stddef.h>

/// Bytes the process has allocated with malloc and not freed, from the allocator's own books
/// (glibc's mallinfo2, macOS's malloc zones); -1 where neither is available. Swift cannot see
/// <malloc.h>, hence this C file.
long long seer_heap_bytes_in_use(void);

#endif
