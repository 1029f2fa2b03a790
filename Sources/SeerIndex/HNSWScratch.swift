import CSeerKernels

/// A binary min-heap of (key, node) pairs on preallocated storage. The graph search keeps its
/// result set in one (key = similarity: the worst result on top) and its frontier in another
/// (key = −similarity: the most promising candidate on top).
struct NodeHeap {
    private(set) var keys: UnsafeMutablePointer<Float>
    private(set) var nodes: UnsafeMutablePointer<Int32>
    private(set) var count = 0
    private var capacity: Int

    init(capacity: Int) {
        self.capacity = max(capacity, 16)
        keys = .allocate(capacity: self.capacity)
        nodes = .allocate(capacity: self.capacity)
    }

    func deallocate() {
        keys.deallocate()
        nodes.deallocate()
    }

    @inline(__always) var isEmpty: Bool { count == 0 }
    @inline(__always) var topKey: Float { keys[0] }
    @inline(__always) var topNode: Int32 { nodes[0] }

    @inline(__always) mutating func removeAll() { count = 0 }

    mutating func push(_ key: Float, _ node: Int32) {
        if count == capacity { grow() }
        var child = count
        count += 1
        while child > 0 {
            let parent = (child - 1) >> 1
            guard key < keys[parent] else { break }
            keys[child] = keys[parent]
            nodes[child] = nodes[parent]
            child = parent
        }
        keys[child] = key
        nodes[child] = node
    }

    mutating func pop() {
        count -= 1
        guard count > 0 else { return }
        let key = keys[count], node = nodes[count]
        var parent = 0
        while true {
            var child = 2 * parent + 1
            guard child < count else { break }
            if child + 1 < count && keys[child + 1] < keys[child] { child += 1 }
            guard keys[child] < key else { break }
            keys[parent] = keys[child]
            nodes[parent] = nodes[child]
            parent = child
        }
        keys[parent] = key
        nodes[parent] = node
    }

    private mutating func grow() {
        let newCapacity = capacity * 2
        let newKeys = UnsafeMutablePointer<Float>.allocate(capacity: newCapacity)
        let newNodes = UnsafeMutablePointer<Int32>.allocate(capacity: newCapacity)
        newKeys.update(from: keys, count: count)
        newNodes.update(from: nodes, count: count)
        deallocate()
        keys = newKeys
        nodes = newNodes
        capacity = newCapacity
    }
}

/// Per-thread working memory of a graph search: a visited mark per node (a generation stamp, so
/// clearing is O(1)), the two heaps, and a buffer for a copied neighbour list.
final class HNSWScratch {
    private var marks: UnsafeMutablePointer<UInt16>
    private var markCount: Int
    private var generation: UInt16 = 0
    var results: NodeHeap
    var frontier: NodeHeap
    let neighbors: UnsafeMutablePointer<Int32>
    /// The query's similarity to each of `neighbors`.
    let similarities: UnsafeMutablePointer<Float>

    init(nodeCount: Int, ef: Int, maxDegree: Int) {
        markCount = max(nodeCount, 1)
        marks = .allocate(capacity: markCount)
        marks.initialize(repeating: 0, count: markCount)
        results = NodeHeap(capacity: ef + 1)
        frontier = NodeHeap(capacity: 4 * ef)
        neighbors = .allocate(capacity: maxDegree + 1)
        similarities = .allocate(capacity: maxDegree + 1)
    }

    /// Whether this scratch can serve a search of a graph of `nodeCount` nodes.
    func fits(nodeCount: Int, ef: Int) -> Bool { nodeCount <= markCount }

    deinit {
        marks.deallocate()
        results.deallocate()
        frontier.deallocate()
        neighbors.deallocate()
        similarities.deallocate()
    }

    /// Starts a new search: every node becomes unvisited.
    func beginSearch() {
        generation &+= 1
        if generation == 0 {
            marks.update(repeating: 0, count: markCount)
            generation = 1
        }
        results.removeAll()
        frontier.removeAll()
    }

    /// Asks for `node`'s mark ahead of `visit`.
    @inline(__always) func prefetchMark(_ node: Int32) { seer_prefetch(marks + Int(node)) }

    /// Marks `node` visited; returns false when it already was.
    @inline(__always) func visit(_ node: Int32) -> Bool {
        let slot = marks + Int(node)
        if slot.pointee == generation { return false }
        slot.pointee = generation
        return true
    }
}
