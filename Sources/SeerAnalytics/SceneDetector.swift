/// Finds scene boundaries in a similarity trace: `similarities[i]` is the cosine between the
/// embeddings of sampled frames i and i+1, `times[i]` the timestamp of frame i (seconds).
///
/// The rule, per gap i:
/// - baseline = median of the similarities within `neighbors` gaps on each side (gap i left
///   out), spread = 1.4826 × their median absolute deviation (a robust standard deviation);
/// - drop = baseline − similarities[i];
/// - gap i is a candidate when drop ≥ max(`minimumDrop`, `sensitivity` × spread) and the
///   similarity there is no higher than at the gaps beside it (a local minimum);
/// - candidates are taken largest drop first, skipping any whose new scene would start within
///   `minimumSceneLength` seconds of a cut already taken.
///
/// Being relative to the local median, the rule adapts to footage whose frame-to-frame
/// similarity is lower overall (motion, noise); the absolute floor keeps a still shot, whose
/// spread is near zero, from cutting on tiny wobbles.
public struct SceneDetector: Sendable {
    public var neighbors: Int
    public var sensitivity: Double
    public var minimumDrop: Double
    public var minimumSceneLength: Double

    public init(neighbors: Int = 5, sensitivity: Double = 4, minimumDrop: Double = 0.05, minimumSceneLength: Double = 1) {
        self.neighbors = neighbors
        self.sensitivity = sensitivity
        self.minimumDrop = minimumDrop
        self.minimumSceneLength = minimumSceneLength
    }

    public struct Cut: Sendable, Equatable {
        /// The new scene starts at sampled frame `frame` (the gap between frame − 1 and frame).
        public var frame: Int
        /// Timestamp of that frame: the cut happened after `previousTime` and by `time`.
        public var time: Double
        public var previousTime: Double
        public var similarity: Double
        public var baseline: Double
    }

    public func cuts(similarities: [Double], times: [Double]) -> [Cut] {
        precondition(times.count == similarities.count + 1, "need one more time than similarities")
        var candidates: [Cut] = []
        for i in similarities.indices {
            let s = similarities[i]
            let lo = max(0, i - neighbors), hi = min(similarities.count - 1, i + neighbors)
            let around = (lo...hi).filter { $0 != i }.map { similarities[$0] }
            guard !around.isEmpty else { continue }
            let baseline = median(around)
            let spread = 1.4826 * median(around.map { abs($0 - baseline) })
            let isLocalMinimum = (i == 0 || s <= similarities[i - 1]) && (i == similarities.count - 1 || s <= similarities[i + 1])
            if baseline - s >= max(minimumDrop, sensitivity * spread) && isLocalMinimum {
                candidates.append(Cut(frame: i + 1, time: times[i + 1], previousTime: times[i], similarity: s, baseline: baseline))
            }
        }
        var taken: [Cut] = []
        for c in candidates.sorted(by: { $0.baseline - $0.similarity > $1.baseline - $1.similarity }) {
            if taken.allSatisfy({ abs($0.time - c.time) >= minimumSceneLength }) { taken.append(c) }
        }
        return taken.sorted { $0.frame < $1.frame }
    }
}
