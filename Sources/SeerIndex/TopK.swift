/// The k highest-scoring items seen so far: a binary min-heap on score, so the weakest of the
/// kept items is at the root and a new item costs one comparison unless it gets in.
struct TopK {
    let k: Int
    private(set) var scores: [Float] = []
    private(set) var indices: [Int] = []

    init(k: Int) {
        self.k = k
        scores.reserveCapacity(k)
        indices.reserveCapacity(k)
    }

    /// The score an item must beat to get in.
    @inline(__always) var threshold: Float { scores.count < k ? -.infinity : scores[0] }

    @inline(__always) mutating func offer(_ score: Float, _ index: Int) {
        guard k > 0, score > threshold else { return }
        if scores.count < k {
            scores.append(score)
            indices.append(index)
            siftUp(scores.count - 1)
        } else {
            scores[0] = score
            indices[0] = index
            siftDown(0)
        }
    }

    mutating func merge(_ other: TopK) {
        for (score, index) in zip(other.scores, other.indices) { offer(score, index) }
    }

    /// Best first; ties broken by the smaller index so results are deterministic.
    func sorted() -> [Neighbor] {
        zip(indices, scores).map { Neighbor(index: $0, score: $1) }
            .sorted { $0.score != $1.score ? $0.score > $1.score : $0.index < $1.index }
    }

    private mutating func siftUp(_ start: Int) {
        var child = start
        while child > 0 {
            let parent = (child - 1) / 2
            guard scores[child] < scores[parent] else { return }
            scores.swapAt(child, parent)
            indices.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1, right = left + 1
            var smallest = parent
            if left < scores.count && scores[left] < scores[smallest] { smallest = left }
            if right < scores.count && scores[right] < scores[smallest] { smallest = right }
            guard smallest != parent else { return }
            scores.swapAt(parent, smallest)
            indices.swapAt(parent, smallest)
            parent = smallest
        }
    }
}
