import Foundation

/// Merge ranks keyed by the pair of token ids (left << 32 | right), in an open-addressing
/// table so a lookup hashes one integer and allocates nothing.
struct MergeTable: Sendable {
    private var keys: [UInt64]
    /// rank << 32 | id of the merged token
    private var values: [UInt64]
    private let mask: Int
    private static let empty = UInt64.max
    private(set) var count = 0

    init(capacity: Int) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        keys = [UInt64](repeating: Self.empty, count: size)
        values = [UInt64](repeating: 0, count: size)
        mask = size - 1
    }

    @inline(__always)
    private static func key(_ left: Int32, _ right: Int32) -> UInt64 {
        UInt64(UInt32(bitPattern: left)) << 32 | UInt64(UInt32(bitPattern: right))
    }

    @inline(__always)
    private func slot(_ key: UInt64) -> Int {
        Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> 32) & mask
    }

    /// Inserts a merge unless the pair is already present (the first, lowest rank, wins).
    mutating func insert(left: Int32, right: Int32, rank: UInt32, merged: Int32) {
        let k = Self.key(left, right)
        var i = slot(k)
        while keys[i] != Self.empty {
            if keys[i] == k { return }
            i = (i + 1) & mask
        }
        keys[i] = k
        values[i] = UInt64(rank) << 32 | UInt64(UInt32(bitPattern: merged))
        count += 1
    }

    /// (rank, merged id) of the merge of `left` and `right`, or nil.
    @inline(__always)
    func lookup(_ left: Int32, _ right: Int32) -> (rank: UInt32, merged: Int32)? {
        let k = Self.key(left, right)
        return keys.withUnsafeBufferPointer { keys in
            var i = slot(k)
            while true {
                let stored = keys[i]
                if stored == k {
                    let v = values[i]
                    return (UInt32(truncatingIfNeeded: v >> 32), Int32(bitPattern: UInt32(truncatingIfNeeded: v)))
                }
                if stored == Self.empty { return nil }
                i = (i + 1) & mask
            }
        }
    }
}

/// Byte-level BPE over one pre-tokenized word, as the `tokenizers` BPE model does it with
/// `end_of_word_suffix`: every byte starts as its own symbol (the last one spelled with the
/// suffix, e.g. "t</w>"), then the adjacent pair of lowest merge rank is merged, leftmost first
/// on ties, until no adjacent pair has a merge.
struct BytePairEncoder: Sendable {
    let merges: MergeTable
    /// Id of each byte's symbol, and of the symbol with the end-of-word suffix; -1 if absent.
    let byteIDs: [Int32]
    let finalByteIDs: [Int32]
    /// Used for a byte whose symbol is missing from the vocabulary (never for CLIP's).
    let unknownID: Int32?

    /// Words up to this many bytes use a scan over pair ranks; longer ones a heap.
    static let linearLimit = 64

    func encode(_ word: UnsafeBufferPointer<UInt8>, into out: inout [Int32]) {
        var symbols: [Int32] = []
        symbols.reserveCapacity(word.count)
        for (i, byte) in word.enumerated() {
            let id = i == word.count - 1 ? finalByteIDs[Int(byte)] : byteIDs[Int(byte)]
            if id >= 0 {
                symbols.append(id)
            } else if let unknownID {
                symbols.append(unknownID)
            }
        }
        if symbols.count > Self.linearLimit {
            mergeWithHeap(&symbols)
        } else {
            mergeLinear(&symbols)
        }
        out.append(contentsOf: symbols)
    }

    func mergeLinear(_ symbols: inout [Int32]) {
        guard symbols.count > 1 else { return }
        let none = UInt32.max
        // ranks[i]: rank of the merge of symbols[i] and symbols[i + 1]
        var ranks = [UInt32](repeating: none, count: symbols.count - 1)
        var merged = [Int32](repeating: 0, count: symbols.count - 1)
        for i in 0..<(symbols.count - 1) {
            if let m = merges.lookup(symbols[i], symbols[i + 1]) {
                ranks[i] = m.rank
                merged[i] = m.merged
            }
        }
        while !ranks.isEmpty {
            var best = 0
            var bestRank = ranks[0]
            for i in 1..<ranks.count where ranks[i] < bestRank {
                bestRank = ranks[i]
                best = i
            }
            if bestRank == none { break }
            symbols[best] = merged[best]
            symbols.remove(at: best + 1)
            ranks.remove(at: best)
            merged.remove(at: best)
            if best > 0 {
                if let m = merges.lookup(symbols[best - 1], symbols[best]) {
                    ranks[best - 1] = m.rank
                    merged[best - 1] = m.merged
                } else {
                    ranks[best - 1] = none
                }
            }
            if best < ranks.count {
                if let m = merges.lookup(symbols[best], symbols[best + 1]) {
                    ranks[best] = m.rank
                    merged[best] = m.merged
                } else {
                    ranks[best] = none
                }
            }
        }
    }

    /// The `tokenizers` algorithm: a min-heap of (rank, position) over a linked list of symbols;
    /// stale entries are skipped when popped. Same result as `mergeLinear`, O(n log n).
    func mergeWithHeap(_ symbols: inout [Int32]) {
        let n = symbols.count
        guard n > 1 else { return }
        var next = [Int](unsafeUninitializedCapacity: n) { buf, count in
            for i in 0..<n { buf[i] = i + 1 < n ? i + 1 : -1 }
            count = n
        }
        var prev = [Int](unsafeUninitializedCapacity: n) { buf, count in
            for i in 0..<n { buf[i] = i - 1 }
            count = n
        }
        var alive = [Bool](repeating: true, count: n)
        var heap = MinHeap()
        for i in 0..<(n - 1) {
            if let m = merges.lookup(symbols[i], symbols[i + 1]) { heap.push(m.rank, i) }
        }
        while let (rank, pos) = heap.pop() {
            guard alive[pos], next[pos] >= 0 else { continue }
            let right = next[pos]
            guard let m = merges.lookup(symbols[pos], symbols[right]), m.rank == rank else { continue }
            symbols[pos] = m.merged
            alive[right] = false
            next[pos] = next[right]
            if next[pos] >= 0 { prev[next[pos]] = pos }
            if prev[pos] >= 0, let l = merges.lookup(symbols[prev[pos]], symbols[pos]) { heap.push(l.rank, prev[pos]) }
            if next[pos] >= 0, let r = merges.lookup(symbols[pos], symbols[next[pos]]) { heap.push(r.rank, pos) }
        }
        var result: [Int32] = []
        result.reserveCapacity(n)
        var i = 0
        while i >= 0 {
            result.append(symbols[i])
            i = next[i]
        }
        symbols = result
    }
}

/// Binary min-heap of (rank, position), ordered by rank, then position.
private struct MinHeap {
    private var items: [UInt64] = []

    mutating func push(_ rank: UInt32, _ pos: Int) {
        items.append(UInt64(rank) << 32 | UInt64(pos))
        var i = items.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            if items[parent] <= items[i] { break }
            items.swapAt(parent, i)
            i = parent
        }
    }

    mutating func pop() -> (UInt32, Int)? {
        guard let top = items.first else { return nil }
        let last = items.removeLast()
        if !items.isEmpty {
            items[0] = last
            var i = 0
            while true {
                let l = 2 * i + 1, r = l + 1
                var smallest = i
                if l < items.count, items[l] < items[smallest] { smallest = l }
                if r < items.count, items[r] < items[smallest] { smallest = r }
                if smallest == i { break }
                items.swapAt(i, smallest)
                i = smallest
            }
        }
        return (UInt32(top >> 32), Int(top & 0xFFFF_FFFF))
    }
}

/// Cache of BPE results per word (its UTF-8 bytes, up to 32 of them, held inline so a lookup
/// allocates nothing), shared by all copies of a tokenizer. Split into lock-guarded shards so
/// `encode` may be called from any number of threads without them queueing on one lock.
final class WordCache: @unchecked Sendable {
    struct Key: Hashable {
        var a: UInt64 = 0, b: UInt64 = 0, c: UInt64 = 0, d: UInt64 = 0
        var count: Int = 0

        static let maxBytes = 32

        init?(_ bytes: UnsafeBufferPointer<UInt8>) {
            guard bytes.count <= Self.maxBytes else { return nil }
            count = bytes.count
            for (i, byte) in bytes.enumerated() {
                let v = UInt64(byte) << UInt64((i & 7) * 8)
                switch i >> 3 {
                case 0: a |= v
                case 1: b |= v
                case 2: c |= v
                default: d |= v
                }
            }
        }

        var shard: Int {
            Int(truncatingIfNeeded: ((a ^ b &* 31 ^ c &* 131 ^ d) &* 0x9E37_79B9_7F4A_7C15) >> 60)
        }
    }

    private final class Shard {
        let lock = NSLock()
        var entries: [Key: [Int32]] = [:]
    }

    private let shards: [Shard] = (0..<16).map { _ in Shard() }
    private let capacityPerShard: Int

    init(capacity: Int = 64_000) {
        capacityPerShard = capacity / 16
    }

    func value(for key: Key) -> [Int32]? {
        let shard = shards[key.shard]
        shard.lock.lock()
        defer { shard.lock.unlock() }
        return shard.entries[key]
    }

    func insert(_ value: [Int32], for key: Key) {
        let shard = shards[key.shard]
        shard.lock.lock()
        defer { shard.lock.unlock() }
        if shard.entries.count >= capacityPerShard { shard.entries.removeAll(keepingCapacity: true) }
        shard.entries[key] = value
    }
}
