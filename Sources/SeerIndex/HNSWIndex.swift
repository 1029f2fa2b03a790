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
public final class HNSWIndex: @unchecked Sendable {
    public let parameters: HNSWParameters
    public internal(set) var matrix: VectorMatrix
    let m: Int, m0: Int
    var levels: [UInt8] = []
    var upperStart: [Int32] = []
    var layer0: UnsafeMutablePointer<Int32>
    var upper: UnsafeMutablePointer<Int32>
    var layer0Capacity = 0, upperCapacity = 0, upperCount = 0
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
    }

    /// Builds the graph over every row of `matrix` (rows should be unit length).
    public convenience init(matrix: VectorMatrix, parameters: HNSWParameters = HNSWParameters()) {
        self.init(dimension: matrix.dimension, parameters: parameters)
        add(matrix)
    }

    deinit {
        layer0.deallocate()
        upper.deallocate()
    }

    /// Appends the rows of `rows` as new nodes and links them in, on all worker threads.
    public func add(_ rows: VectorMatrix) {
        precondition(rows.dimension == dimension, "rows have \(rows.dimension) dimensions, the index \(dimension)")
        let first = count
        matrix.append(rows)
        reserve(nodes: matrix.count)
        for _ in first..<matrix.count { appendNode(level: drawLevel()) }
        // Highest levels first, as FAISS builds (hnsw_add_vertices): the upper layers are complete
        // before the many level-0 nodes route through them, which gives a better graph on large
        // collections than inserting in row order. Each level's nodes go in together, in parallel.
        var order = Array(Int32(first)..<Int32(count))
        order.sort { levels[Int($0)] > levels[Int($1)] || (levels[Int($0)] == levels[Int($1)] && $0 < $1) }
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
        nonisolated(unsafe) let index = self
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

    func makeScratch(ef: Int) -> HNSWScratch {
        HNSWScratch(nodeCount: count, ef: max(ef, m0), maxDegree: m0)
    }

    // MARK: - Storage

    private func reserve(nodes: Int) {
        let stride0 = 1 + m0
        if nodes * stride0 > layer0Capacity {
            let capacity = max(nodes * stride0, layer0Capacity * 3 / 2)
            let grown = UnsafeMutablePointer<Int32>.allocate(capacity: capacity)
            grown.update(from: layer0, count: count * stride0)
            layer0.deallocate()
            layer0 = grown
            layer0Capacity = capacity
        }
    }

    private func reserveUpper(_ extra: Int) {
        if upperCount + extra > upperCapacity {
            let capacity = max(upperCount + extra, upperCapacity * 2, 1024)
            let grown = UnsafeMutablePointer<Int32>.allocate(capacity: capacity)
            grown.update(from: upper, count: upperCount)
            upper.deallocate()
            upper = grown
            upperCapacity = capacity
        }
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

    @inline(__always) func similarity(_ query: UnsafePointer<Float>, _ node: Int32, _ base: UnsafePointer<Float>) -> Float {
        dotProduct(query, base + Int(node) * dimension, dimension)
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
            var bestSimilarity = similarity(query, entry, base)
            var layer = top
            while layer > level {
                greedy(query, from: &entry, similarity: &bestSimilarity, layer: layer, base: base, scratch: scratch, locked: true)
                layer -= 1
            }
            for layer in stride(from: min(level, top), through: 0, by: -1) {
                let found = searchLayer(query, entry: entry, ef: parameters.efConstruction, layer: layer, base: base, scratch: scratch, locked: true)
                let chosen = selectNeighbors(found, limit: degree(layer), base: base)
                setLinks(node, layer, chosen)
                for neighbor in chosen { link(neighbor, to: node, layer: layer, base: base) }
                entry = found[0].node
            }
        }
        if raisesTop {
            entryPoint = node
            maxLevel = level
            entryLock.unlock(0)
        }
    }

    private func setLinks(_ node: Int32, _ layer: Int, _ nodes: [Int32]) {
        locks.lock(Int(node))
        let list = links(node, layer)
        list[0] = Int32(nodes.count)
        for (i, n) in nodes.enumerated() { list[1 + i] = n }
        locks.unlock(Int(node))
    }

    /// Adds the back link `neighbor → node`; a full list is re-pruned with the heuristic.
    private func link(_ neighbor: Int32, to node: Int32, layer: Int, base: UnsafePointer<Float>) {
        locks.lock(Int(neighbor))
        defer { locks.unlock(Int(neighbor)) }
        let list = links(neighbor, layer)
        let n = Int(list[0])
        if n < degree(layer) {
            list[1 + n] = node
            list[0] = Int32(n + 1)
            return
        }
        let origin = base + Int(neighbor) * dimension
        var candidates = (0..<n).map { Candidate(similarity: similarity(origin, list[1 + $0], base), node: list[1 + $0]) }
        candidates.append(Candidate(similarity: similarity(origin, node, base), node: node))
        candidates.sort { $0.similarity > $1.similarity }
        let kept = selectNeighbors(candidates, limit: degree(layer), base: base)
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
    private func selectNeighbors(_ candidates: [Candidate], limit: Int, base: UnsafePointer<Float>) -> [Int32] {
        guard candidates.count > limit else { return candidates.map(\.node) }
        var kept: [Int32] = []
        kept.reserveCapacity(limit)
        var similarities = [Float](repeating: 0, count: limit)
        for candidate in candidates {
            let point = base + Int(candidate.node) * dimension
            // Its similarity to every kept neighbour in one batched call (overlapping cache misses).
            kept.withUnsafeBufferPointer { nodes in
                similarities.withUnsafeMutableBufferPointer { out in
                    if let first = nodes.baseAddress {
                        dotProducts(point, rowsOf: base, stride: dimension, at: first, count: nodes.count, length: dimension, into: out.baseAddress!)
                    }
                }
            }
            if similarities[..<kept.count].allSatisfy({ $0 < candidate.similarity }) {
                kept.append(candidate.node)
                if kept.count == limit { break }
            }
        }
        return kept
    }

    // MARK: - Search

    /// Moves `entry` to the most similar node on `layer` reachable by greedy steps.
    @inline(__always)
    func greedy(_ query: UnsafePointer<Float>, from entry: inout Int32, similarity best: inout Float, layer: Int,
                base: UnsafePointer<Float>, scratch: HNSWScratch, locked: Bool) {
        var changed = true
        while changed {
            changed = false
            let n = copyLinks(entry, layer, into: scratch.neighbors, locked: locked)
            for i in 0..<n {
                let candidate = scratch.neighbors[i]
                let s = similarity(query, candidate, base)
                if s > best {
                    best = s
                    entry = candidate
                    changed = true
                }
            }
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

    /// The `ef` nodes most similar to `query` found on `layer` from `entry`, best first.
    func searchLayer(_ query: UnsafePointer<Float>, entry: Int32, ef: Int, layer: Int, base: UnsafePointer<Float>,
                     scratch: HNSWScratch, locked: Bool) -> [Candidate] {
        scratch.beginSearch()
        _ = scratch.visit(entry)
        let s0 = similarity(query, entry, base)
        scratch.results.push(s0, entry)
        scratch.frontier.push(-s0, entry)
        while !scratch.frontier.isEmpty {
            let nearest = -scratch.frontier.topKey
            if scratch.results.count >= ef && nearest < scratch.results.topKey { break }
            let current = scratch.frontier.topNode
            scratch.frontier.pop()
            let n = copyLinks(current, layer, into: scratch.neighbors, locked: locked)
            // Unvisited neighbours first, then their similarities in one batched call.
            var fresh = 0
            for i in 0..<n where scratch.visit(scratch.neighbors[i]) {
                scratch.neighbors[fresh] = scratch.neighbors[i]
                fresh += 1
            }
            dotProducts(query, rowsOf: base, stride: dimension, at: scratch.neighbors, count: fresh, length: dimension,
                        into: scratch.similarities)
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
        var entry = entryPoint
        var best = similarity(query, entry, base)
        var layer = maxLevel
        while layer > 0 {
            greedy(query, from: &entry, similarity: &best, layer: layer, base: base, scratch: scratch, locked: false)
            layer -= 1
        }
        let found = searchLayer(query, entry: entry, ef: ef, layer: 0, base: base, scratch: scratch, locked: false)
        return found.prefix(k).map { Neighbor(index: Int($0.node), score: $0.similarity) }
    }

    /// Bytes the graph takes beyond the vectors themselves (links, levels, offsets).
    public var graphBytes: Int {
        count * (1 + m0) * 4 + upperCount * 4 + count * (1 + 4)
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
