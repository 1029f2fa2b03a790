import CSeerKernels
import Foundation
import SeerTensor

public struct HNSWParameters: Sendable, Equatable {
    /// Links per node on the upper layers; layer 0 keeps up to 2M.
    public var m: Int
    /// Candidate list size while inserting (bigger: better graph, slower build).
    public var efConstruction: Int
    /// Seed of the level draws.
    public var seed: UInt64

    public init(m: Int = 32, efConstruction: Int = 40, seed: UInt64 = 42) {
        self.m = m
        self.efConstruction = efConstruction
        self.seed = seed
    }
}

/// Hierarchical navigable small world graph (Malkov & Yashunin, 2016) over unit vectors, with
/// inner product as similarity. Nodes are the rows of `matrix`, in order.
///
/// Layout: layer 0 is one flat block of `1 + 2M` Int32 per node (a count, then the links);
/// nodes above layer 0 have `level` more blocks of `1 + M` in `upper`, found through
/// `upperStart`. Building inserts nodes on all threads at once; a striped set of locks guards
/// each node's link lists while they are read or rewritten.
///
/// Searches walk the graph over a half-precision copy of the rows (`halfRows`): the walk waits
/// on memory more than it computes, and half the bytes per row gave 15–25% more queries/s at
/// 1M × 512, while similarities move by ~1e-5. The best nodes found are then scored in float32,
/// so the scores returned, and their order, are exact. Building uses float32 throughout (a
/// half-precision build walk measured no faster: pruning dominates there).
public final class HNSWIndex: @unchecked Sendable {
    public let parameters: HNSWParameters
    public internal(set) var matrix: VectorMatrix
    let m: Int, m0: Int
    var levels: [UInt8] = []
    var upperStart: [Int32] = []
    var layer0: UnsafeMutablePointer<Int32>
    var upper: UnsafeMutablePointer<Int32>
    /// The rows of `matrix` in IEEE half precision (bits), `dimension` per node.
    var halfRows: UnsafeMutablePointer<UInt16>
    var layer0Capacity = 0, upperCapacity = 0, upperCount = 0, halfCapacity = 0
    var entryPoint: Int32 = -1
    var maxLevel = -1
    private var random: SplitMix64
    private let locks = LockStripes(count: 4096)
    private let entryLock = LockStripes(count: 1)

    public var count: Int { levels.count }
    public var dimension: Int { matrix.dimension }

    public init(dimension: Int, parameters: HNSWParameters = HNSWParameters()) {
        precondition(parameters.m >= 2 && parameters.efConstruction >= 1)
        self.parameters = parameters
        matrix = VectorMatrix(dimension: dimension)
        m = parameters.m
        m0 = 2 * parameters.m
        random = SplitMix64(seed: parameters.seed)
        layer0 = .allocate(capacity: 1)
        upper = .allocate(capacity: 1)
        halfRows = .allocate(capacity: 1)
    }

    /// Builds the graph over every row of `matrix` (rows should be unit length).
    public convenience init(matrix: VectorMatrix, parameters: HNSWParameters = HNSWParameters()) {
        self.init(dimension: matrix.dimension, parameters: parameters)
        add(matrix)
    }

    deinit {
        layer0.deallocate()
        upper.deallocate()
        halfRows.deallocate()
    }

    /// Appends the rows of `rows` as new nodes and links them in, on all worker threads.
    public func add(_ rows: VectorMatrix) {
        precondition(rows.dimension == dimension, "rows have \(rows.dimension) dimensions, the index \(dimension)")
        let first = count
        matrix.append(rows)
        reserve(nodes: matrix.count)
        convertHalfRows(from: first)
        for _ in first..<matrix.count { appendNode(level: drawLevel()) }
        // Highest levels first, as FAISS builds (hnsw_add_vertices): the upper layers are complete
        // before the many level-0 nodes route through them, which gives a better graph on large
        // collections than inserting in row order. Each level's nodes go in together, in parallel,
        // and in a shuffled order (seeded, so a build repeats): rows often arrive sorted, a
        // folder's photos together, and linking in one neighbourhood at a time makes a worse
        // graph (100k × 512 clustered rows sorted by cluster: recall@10 at efSearch 64 0.942 → 0.990).
        var order = Array(Int32(first)..<Int32(count))
        order.sort { levels[Int($0)] > levels[Int($1)] || (levels[Int($0)] == levels[Int($1)] && $0 < $1) }
        var shuffler = SplitMix64(seed: parameters.seed ^ UInt64(first))
        var levelStart = 0
        while levelStart < order.count {
            var levelEnd = levelStart
            while levelEnd < order.count && levels[Int(order[levelEnd])] == levels[Int(order[levelStart])] { levelEnd += 1 }
            for i in stride(from: levelEnd - 1, to: levelStart, by: -1) {
                order.swapAt(i, levelStart + Int(shuffler.next() % UInt64(i - levelStart + 1)))
            }
            levelStart = levelEnd
        }
        var start = 0
        if entryPoint < 0 && !order.isEmpty {
            insert(order[0], scratch: makeScratch(ef: parameters.efConstruction))
            start = 1
        }
        while start < order.count {
            let level = levels[Int(order[start])]
            var end = start
            while end < order.count && levels[Int(order[end])] == level { end += 1 }
            insertInParallel(order[start..<end])
            start = end
        }
    }

    /// Links in `nodes` on all worker threads.
    private func insertInParallel(_ nodes: ArraySlice<Int32>) {
        // Interleaved blocks, so every thread inserts early and late nodes alike.
        let block = 64
        let blocks = (nodes.count + block - 1) / block
        let workers = max(1, min(seerThreadCount, blocks))
        let index = self
        let nodes = Array(nodes)
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            let scratch = index.makeScratch(ef: index.parameters.efConstruction)
            var b = worker
            while b < blocks {
                for i in (b * block) ..< min(nodes.count, (b + 1) * block) {
                    index.insert(nodes[i], scratch: scratch)
                }
                b += workers
            }
        }
    }

    /// Fills `halfRows` for rows `first...` of `matrix`, growing it as needed.
    func convertHalfRows(from first: Int) {
        let d = dimension, n = matrix.count
        Self.grow(&halfRows, capacity: &halfCapacity, toHold: n * d, keeping: first * d)
        matrix.values.withUnsafeBufferPointer { values in
            nonisolated(unsafe) let (from, to) = (values.baseAddress! + first * d, halfRows + first * d)
            parallelChunks(n - first, grain: 4096) { rows in
                seer_f32_to_f16(from + rows.lowerBound * d, to + rows.lowerBound * d, rows.count * d)
            }
        }
    }

    func makeScratch(ef: Int) -> HNSWScratch {
        HNSWScratch(nodeCount: count, ef: max(ef, m0), maxDegree: m0)
    }

    // MARK: - Storage

    /// Grows `buffer` to hold `needed` elements, keeping its first `keep`. It grows by half again
    /// at least, so that adding rows a few at a time stays linear overall.
    private static func grow<T>(_ buffer: inout UnsafeMutablePointer<T>, capacity: inout Int, toHold needed: Int, keeping keep: Int) {
        guard needed > capacity else { return }
        let newCapacity = max(needed, capacity * 3 / 2, 1024)
        let grown = UnsafeMutablePointer<T>.allocate(capacity: newCapacity)
        grown.update(from: buffer, count: keep)
        buffer.deallocate()
        buffer = grown
        capacity = newCapacity
    }

    private func reserve(nodes: Int) {
        Self.grow(&layer0, capacity: &layer0Capacity, toHold: nodes * (1 + m0), keeping: count * (1 + m0))
    }

    private func reserveUpper(_ extra: Int) {
        Self.grow(&upper, capacity: &upperCapacity, toHold: upperCount + extra, keeping: upperCount)
    }

    func appendNode(level: Int) {
        let node = count
        layer0[node * (1 + m0)] = 0
        levels.append(UInt8(level))
        if level > 0 {
            reserveUpper(level * (1 + m))
            upperStart.append(Int32(upperCount))
            for l in 0..<level { upper[upperCount + l * (1 + m)] = 0 }
            upperCount += level * (1 + m)
        } else {
            upperStart.append(-1)
        }
    }

    private func drawLevel() -> Int {
        let uniform = Double(random.next() >> 11 + 1) / Double(1 << 53)
        return min(15, Int(-log(uniform) / log(Double(m))))
    }

    /// The link list of `node` on `layer`: a count followed by up to `degree(layer)` node numbers.
    @inline(__always) func links(_ node: Int32, _ layer: Int) -> UnsafeMutablePointer<Int32> {
        layer == 0 ? layer0 + Int(node) * (1 + m0) : upper + Int(upperStart[Int(node)]) + (layer - 1) * (1 + m)
    }

    @inline(__always) func degree(_ layer: Int) -> Int { layer == 0 ? m0 : m }

    /// The rows a walk scores: float32 while building (the graph's quality depends on it), half
    /// precision while searching.
    enum Rows {
        case full(UnsafePointer<Float>)
        case half(UnsafePointer<UInt16>)
    }

    /// `out[i]` = query · row `nodes[i]`, the rows fetched from memory together.
    @inline(__always)
    func scores(_ query: UnsafePointer<Float>, _ nodes: UnsafePointer<Int32>, count: Int, in rows: Rows,
                into out: UnsafeMutablePointer<Float>) {
        switch rows {
        case .full(let base):
            dotProducts(query, rowsOf: base, stride: dimension, at: nodes, count: count, length: dimension, into: out, prefetch: true)
        case .half(let base):
            seer_dot_gather_f16(query, base, dimension, nodes, count, dimension, out)
        }
    }

    @inline(__always) func similarity(_ query: UnsafePointer<Float>, _ node: Int32, _ rows: Rows) -> Float {
        var node = node, out: Float = 0
        scores(query, &node, count: 1, in: rows, into: &out)
        return out
    }

    // MARK: - Insertion

    private func insert(_ node: Int32, scratch: HNSWScratch) {
        let level = Int(levels[Int(node)])
        entryLock.lock(0)
        var entry = entryPoint, top = maxLevel
        if entry < 0 {
            entryPoint = node
            maxLevel = level
            entryLock.unlock(0)
            return
        }
        // A node that becomes the new top holds the entry lock while it links in (as hnswlib).
        let raisesTop = level > top
        if !raisesTop { entryLock.unlock(0) }
        matrix.values.withUnsafeBufferPointer { values in
            let base = values.baseAddress!
            let query = base + Int(node) * dimension
            var bestSimilarity = similarity(query, entry, .full(base))
            var layer = top
            while layer > level {
                greedy(query, from: &entry, similarity: &bestSimilarity, layer: layer, rows: .full(base), scratch: scratch, locked: true)
                layer -= 1
            }
            var entries = [entry]
            for layer in stride(from: min(level, top), through: 0, by: -1) {
                // (A concurrent insertion can already have linked to this node: never link it to itself.)
                let found = searchLayer(query, entries: entries, ef: parameters.efConstruction, layer: layer, rows: .full(base),
                                        scratch: scratch, locked: true).filter { $0.node != node }
                if found.isEmpty { continue }
                // On layer 0 the new node's list is filled up to 2M with the best candidates the
                // heuristic passed over (FAISS's keep_max_size_level0): on 8k clustered rows
                // (M 16, efConstruction 40) recall@10 at efSearch 32/64 went 0.889 → 0.901 and
                // 0.950 → 0.959, past FAISS 1.15's 0.885/0.951, with 7% more links per node.
                let chosen = selectNeighbors(found, limit: degree(layer), base: base, keepPruned: layer == 0)
                setLinks(node, layer, chosen, base: base)
                for neighbor in chosen { link(neighbor, to: node, layer: layer, base: base) }
                entries = [found[0].node]
            }
        }
        if raisesTop {
            entryPoint = node
            maxLevel = level
            entryLock.unlock(0)
        }
    }

    private func setLinks(_ node: Int32, _ layer: Int, _ nodes: [Int32], base: UnsafePointer<Float>) {
        locks.lock(Int(node))
        defer { locks.unlock(Int(node)) }
        let list = links(node, layer)
        let present = Int(list[0])
        guard present > 0 else {
            list[0] = Int32(nodes.count)
            for (i, n) in nodes.enumerated() { list[1 + i] = n }
            return
        }
        // Another insertion reached this node on a layer above and linked to it here before its
        // own links were written: keep those links too (overwriting them loses edges).
        var merged = nodes
        for i in 0..<present where !nodes.contains(list[1 + i]) { merged.append(list[1 + i]) }
        let kept = merged.count <= degree(layer) ? merged : prune(node, merged, limit: degree(layer), base: base)
        list[0] = Int32(kept.count)
        for (i, k) in kept.enumerated() { list[1 + i] = k }
    }

    /// `candidates` of `owner`'s list cut to `limit` with the heuristic, scored against `owner`.
    private func prune(_ owner: Int32, _ candidates: [Int32], limit: Int, base: UnsafePointer<Float>) -> [Int32] {
        let origin = base + Int(owner) * dimension
        // The candidates are probably not in cache: fetch them all at once.
        var nodes = candidates
        var similarities = [Float](repeating: 0, count: nodes.count)
        nodes.withUnsafeMutableBufferPointer { nodes in
            similarities.withUnsafeMutableBufferPointer { out in
                dotProducts(origin, rowsOf: base, stride: dimension, at: nodes.baseAddress!, count: nodes.count, length: dimension,
                            into: out.baseAddress!, prefetch: true)
            }
        }
        var scored = (0..<nodes.count).map { Candidate(similarity: similarities[$0], node: nodes[$0]) }
        scored.sort { $0.similarity != $1.similarity ? $0.similarity > $1.similarity : $0.node < $1.node }
        return selectNeighbors(scored, limit: limit, base: base, keepPruned: false)
    }

    /// Adds the back link `neighbor → node`; a full list is re-pruned with the heuristic.
    private func link(_ neighbor: Int32, to node: Int32, layer: Int, base: UnsafePointer<Float>) {
        locks.lock(Int(neighbor))
        defer { locks.unlock(Int(neighbor)) }
        let list = links(neighbor, layer)
        let n = Int(list[0])
        // Already there when both were inserted at once and each chose the other.
        for i in 0..<n where list[1 + i] == node { return }
        if n < degree(layer) {
            list[1 + n] = node
            list[0] = Int32(n + 1)
            return
        }
        let candidates = Array(UnsafeBufferPointer(start: list + 1, count: n)) + [node]
        // Pruned to a fifth below full (FAISS's prune_headroom): the next few links append
        // without another quadratic re-prune. Popular nodes would otherwise re-prune on every
        // new link, which costs more than the rest of the build on high-dimensional data.
        // (Pruning to full measured no better: the heuristic keeps fewer than that anyway.)
        let kept = prune(neighbor, candidates, limit: degree(layer) - degree(layer) / 5, base: base)
        list[0] = Int32(kept.count)
        for (i, k) in kept.enumerated() { list[1 + i] = k }
    }

    struct Candidate {
        var similarity: Float
        var node: Int32
    }

    /// The paper's heuristic (algorithm 4): walking the candidates best first, keep one only if it
    /// is closer to the new node than to every neighbour already kept, which spreads links in
    /// different directions.
    private func selectNeighbors(_ candidates: [Candidate], limit: Int, base: UnsafePointer<Float>, keepPruned: Bool) -> [Int32] {
        guard candidates.count > limit else { return candidates.map(\.node) }
        var kept = [Int32](repeating: 0, count: limit)
        var pruned: [Int32] = []
        var keptCount = 0
        var similarities = [Float](repeating: 0, count: limit)
        kept.withUnsafeMutableBufferPointer { kept in
            similarities.withUnsafeMutableBufferPointer { out in
                let (nodes, sims) = (kept.baseAddress!, out.baseAddress!)
                for candidate in candidates {
                    let point = base + Int(candidate.node) * dimension
                    // Against the kept neighbours a few at a time, nearest first (the likeliest to
                    // reject it), stopping at the first that does. They are in cache by now.
                    var rejected = false
                    var start = 0
                    while start < keptCount && !rejected {
                        let count = min(4, keptCount - start)
                        dotProducts(point, rowsOf: base, stride: dimension, at: nodes + start, count: count, length: dimension,
                                    into: sims, prefetch: false)
                        for i in 0..<count where sims[i] >= candidate.similarity { rejected = true }
                        start += count
                    }
                    if !rejected {
                        nodes[keptCount] = candidate.node
                        keptCount += 1
                        if keptCount == limit { break }
                    } else if keepPruned {
                        pruned.append(candidate.node)
                    }
                }
            }
        }
        return Array(kept[..<keptCount]) + pruned.prefix(limit - keptCount)
    }

    // MARK: - Search

    /// Moves `entry` to the most similar node on `layer` reachable by greedy steps.
    @inline(__always)
    func greedy(_ query: UnsafePointer<Float>, from entry: inout Int32, similarity best: inout Float, layer: Int,
                rows: Rows, scratch: HNSWScratch, locked: Bool) {
        var changed = true
        while changed {
            changed = false
            let n = copyLinks(entry, layer, into: scratch.neighbors, locked: locked)
            scores(query, scratch.neighbors, count: n, in: rows, into: scratch.similarities)
            var next = entry
            for i in 0..<n where scratch.similarities[i] > best {
                best = scratch.similarities[i]
                next = scratch.neighbors[i]
                changed = true
            }
            entry = next
        }
    }

    @inline(__always)
    private func copyLinks(_ node: Int32, _ layer: Int, into buffer: UnsafeMutablePointer<Int32>, locked: Bool) -> Int {
        if locked { locks.lock(Int(node)) }
        let list = links(node, layer)
        let n = Int(list[0])
        buffer.update(from: list + 1, count: n)
        if locked { locks.unlock(Int(node)) }
        return n
    }

    /// The `ef` nodes most similar to `query` found on `layer` from `entries`, best first.
    func searchLayer(_ query: UnsafePointer<Float>, entries: [Int32], ef: Int, layer: Int, rows: Rows,
                     scratch: HNSWScratch, locked: Bool) -> [Candidate] {
        scratch.beginSearch()
        for entry in entries where scratch.visit(entry) {
            let s0 = similarity(query, entry, rows)
            if scratch.results.count < ef || s0 > scratch.results.topKey {
                scratch.results.push(s0, entry)
                scratch.frontier.push(-s0, entry)
                if scratch.results.count > ef { scratch.results.pop() }
            }
        }
        while !scratch.frontier.isEmpty {
            let nearest = -scratch.frontier.topKey
            if scratch.results.count >= ef && nearest < scratch.results.topKey { break }
            let current = scratch.frontier.topNode
            scratch.frontier.pop()
            // The next candidate is likely the frontier's new top: ask for its links now, and for
            // the visited marks of this one's neighbours before they are checked (both are cache
            // misses on a large graph, and the walk would wait on each in turn).
            if !scratch.frontier.isEmpty { seer_prefetch(links(scratch.frontier.topNode, layer)) }
            let n = copyLinks(current, layer, into: scratch.neighbors, locked: locked)
            for i in 0..<n { scratch.prefetchMark(scratch.neighbors[i]) }
            // Unvisited neighbours first, then their similarities in one batched call.
            var fresh = 0
            for i in 0..<n where scratch.visit(scratch.neighbors[i]) {
                scratch.neighbors[fresh] = scratch.neighbors[i]
                fresh += 1
            }
            scores(query, scratch.neighbors, count: fresh, in: rows, into: scratch.similarities)
            for i in 0..<fresh {
                let candidate = scratch.neighbors[i], s = scratch.similarities[i]
                if scratch.results.count < ef || s > scratch.results.topKey {
                    scratch.frontier.push(-s, candidate)
                    scratch.results.push(s, candidate)
                    if scratch.results.count > ef { scratch.results.pop() }
                }
            }
        }
        var found = [Candidate](repeating: Candidate(similarity: 0, node: 0), count: scratch.results.count)
        var i = found.count - 1
        while !scratch.results.isEmpty {
            found[i] = Candidate(similarity: scratch.results.topKey, node: scratch.results.topNode)
            scratch.results.pop()
            i -= 1
        }
        return found
    }

    /// The approximate k nearest rows of one query (used as given: pass a unit vector).
    public func search(_ query: [Float], k: Int, ef: Int = 64) -> [Neighbor] {
        search(query, queryCount: 1, k: k, ef: ef)[0]
    }

    /// `queries` holds `queryCount` rows; queries run in parallel across worker threads.
    public func search(_ queries: [Float], queryCount: Int, k: Int, ef: Int = 64) -> [[Neighbor]] {
        precondition(queries.count == queryCount * dimension, "queries must have \(dimension) dimensions")
        var results = [[Neighbor]](repeating: [], count: queryCount)
        guard count > 0, k > 0 else { return results }
        matrix.values.withUnsafeBufferPointer { values in
            queries.withUnsafeBufferPointer { queries in
                results.withUnsafeMutableBufferPointer { results in
                    nonisolated(unsafe) let (base, queries, results) = (values.baseAddress!, queries.baseAddress!, results)
                    parallelChunks(queryCount, grain: 8) { range in
                        let scratch = self.takeScratch(ef: max(ef, k))
                        for q in range {
                            results[q] = self.searchOne(queries + q * self.dimension, k: k, ef: max(ef, k), base: base, scratch: scratch)
                        }
                        self.returnScratch(scratch)
                    }
                }
            }
        }
        return results
    }

    /// Search scratch is kept between calls: its visited marks are as big as the graph.
    private var scratchPool: [HNSWScratch] = []
    private let poolLock = LockStripes(count: 1)

    private func takeScratch(ef: Int) -> HNSWScratch {
        poolLock.lock(0)
        defer { poolLock.unlock(0) }
        if let scratch = scratchPool.popLast(), scratch.fits(nodeCount: count, ef: max(ef, m0)) { return scratch }
        return makeScratch(ef: ef)
    }

    private func returnScratch(_ scratch: HNSWScratch) {
        poolLock.lock(0)
        scratchPool.append(scratch)
        poolLock.unlock(0)
    }

    private func searchOne(_ query: UnsafePointer<Float>, k: Int, ef: Int, base: UnsafePointer<Float>, scratch: HNSWScratch) -> [Neighbor] {
        let rows = Rows.half(halfRows)
        var entry = entryPoint
        var best = similarity(query, entry, rows)
        var layer = maxLevel
        while layer > 0 {
            greedy(query, from: &entry, similarity: &best, layer: layer, rows: rows, scratch: scratch, locked: false)
            layer -= 1
        }
        let found = searchLayer(query, entries: [entry], ef: ef, layer: 0, rows: rows, scratch: scratch, locked: false)
        // The best of the walk scored again in float32. Half precision moves similarities by
        // ~1e-5, so the true top k lie well within the best 2k + 16 of the walk's order.
        var nodes = found.prefix(2 * k + 16).map(\.node)
        var exact = [Float](repeating: 0, count: nodes.count)
        nodes.withUnsafeMutableBufferPointer { nodes in
            exact.withUnsafeMutableBufferPointer { exact in
                scores(query, nodes.baseAddress!, count: nodes.count, in: .full(base), into: exact.baseAddress!)
            }
        }
        return zip(nodes, exact).map { Neighbor(index: Int($0), score: $1) }
            .sorted { $0.score != $1.score ? $0.score > $1.score : $0.index < $1.index }
            .prefix(k).map { $0 }
    }

    /// Bytes the index takes beyond the float32 vectors themselves (links, levels, offsets, and
    /// the half-precision rows the search walks).
    public var graphBytes: Int {
        count * (1 + m0) * 4 + upperCount * 4 + count * (1 + 4) + count * dimension * 2
    }
}

extension HNSWIndex {
    /// Mean number of links per node on `layer` (over the nodes that reach it).
    public func meanDegree(layer: Int) -> Double {
        var total = 0, nodes = 0
        for node in 0..<count where Int(levels[node]) >= layer {
            total += Int(links(Int32(node), layer)[0])
            nodes += 1
        }
        return nodes == 0 ? 0 : Double(total) / Double(nodes)
    }

    /// Nodes no other node links to on layer 0 (besides the entry point): a search reaches them
    /// only by starting there, so they cap recall however large efSearch is.
    public var nodesWithoutInLinks: Int {
        var linked = [Bool](repeating: false, count: count)
        for node in 0..<count {
            let list = links(Int32(node), 0)
            for i in 0..<Int(list[0]) where Int(list[1 + i]) != node { linked[Int(list[1 + i])] = true }
        }
        return (0..<count).filter { !linked[$0] && Int32($0) != entryPoint }.count
    }
}

/// Deterministic 64-bit generator (SplitMix64) for level draws.
struct SplitMix64 {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
