import CSeerHeap

/// The bytes the process has allocated with malloc and not freed, from the allocator's own
/// books. Unlike resident memory it does not move with the allocator's caching, arenas or
/// fragmentation, so its growth over many requests is what those requests kept: a leak.
enum HeapUsage {
    static func bytesInUse() -> Int? {
        let bytes = seer_heap_bytes_in_use()
        return bytes >= 0 ? Int(bytes) : nil
    }
}
