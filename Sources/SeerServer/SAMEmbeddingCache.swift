import SeerModels

/// SAM image embeddings keyed by the caller's `image_id`, least recently used first out, bounded
/// by entry count and by bytes. Roboflow Inference keeps the same cache (FIFO, count only).
///
/// Requests for an id that is being encoded wait for that encoding instead of starting another,
/// so a page that fires its first clicks while the embedding runs costs one encoder pass.
/// Besides the embedding, each entry remembers the low-resolution logits of the last
/// `/sam/segment_image` on that image, which `has_mask_input` feeds back to refine a mask.
actor SAMEmbeddingCache {
    struct Stats: Sendable, Equatable {
        var hits = 0
        var misses = 0
        var evictions = 0
        var entries = 0
        var bytes = 0
    }

    private struct Entry {
        var embedding: SAMImageEmbedding
        var lastLowResLogits: [Float]?
        var lastUsed: UInt64
        var bytes: Int { (embedding.values.count + (lastLowResLogits?.count ?? 0)) * MemoryLayout<Float>.size }
    }

    let maxEntries: Int
    let maxBytes: Int
    private var entries: [String: Entry] = [:]
    private var inFlight: [String: Task<SAMImageEmbedding, any Error>] = [:]
    private var tick: UInt64 = 0
    private var totalBytes = 0
    private(set) var stats = Stats()

    init(maxEntries: Int, maxBytes: Int) {
        self.maxEntries = max(0, maxEntries)
        self.maxBytes = max(0, maxBytes)
    }

    /// The cached embedding for `id`, if any (a hit makes it the most recently used).
    func cached(_ id: String) -> SAMImageEmbedding? {
        guard var entry = entries[id] else { return nil }
        stats.hits += 1
        entry.lastUsed = nextTick()
        entries[id] = entry
        return entry.embedding
    }

    /// The embedding for `id`: from the cache, from an encoding of the same id already running,
    /// or from `encode` (whose result is then cached).
    func embedding(for id: String, encode: @escaping @Sendable () async throws -> SAMImageEmbedding) async throws -> SAMImageEmbedding {
        if let hit = cached(id) { return hit }
        if let running = inFlight[id] {
            stats.hits += 1
            do {
                return try await running.value
            } catch {
                // That request's image failed (say, it was corrupt); ours may be fine.
                return try await encode()
            }
        }
        stats.misses += 1
        let task = Task { try await encode() }
        inFlight[id] = task
        defer { inFlight[id] = nil }
        let embedding = try await task.value
        insert(id, embedding)
        return embedding
    }

    /// The low-resolution logits of the last mask predicted on `id`.
    func lastLowResLogits(_ id: String) -> [Float]? { entries[id]?.lastLowResLogits }

    /// Remembers `logits` for a later `has_mask_input` on `id` (only while `id` is cached).
    func setLastLowResLogits(_ id: String, _ logits: [Float]) {
        guard var entry = entries[id] else { return }
        totalBytes -= entry.bytes
        entry.lastLowResLogits = logits
        totalBytes += entry.bytes
        entries[id] = entry
        evict()
    }

    private func insert(_ id: String, _ embedding: SAMImageEmbedding) {
        if let old = entries[id] { totalBytes -= old.bytes }
        let entry = Entry(embedding: embedding, lastLowResLogits: nil, lastUsed: nextTick())
        entries[id] = entry
        totalBytes += entry.bytes
        evict()
    }

    /// Drops least recently used entries until both bounds hold. An embedding larger than the
    /// byte bound is dropped at once: it was still returned to its caller.
    private func evict() {
        while entries.count > maxEntries || totalBytes > maxBytes {
            guard let oldest = entries.min(by: { $0.value.lastUsed < $1.value.lastUsed }) else { break }
            entries[oldest.key] = nil
            totalBytes -= oldest.value.bytes
            stats.evictions += 1
        }
        stats.entries = entries.count
        stats.bytes = totalBytes
    }

    private func nextTick() -> UInt64 {
        tick += 1
        return tick
    }
}
