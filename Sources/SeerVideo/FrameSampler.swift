/// Decides which decoded frames to hand out, from their timestamps alone.
struct FrameSampler {
    let sampling: FrameSampling
    let start: Double
    private var nextTime: Double
    private var seen = 0

    init(sampling: FrameSampling, start: Double) {
        self.sampling = sampling
        self.start = start
        nextTime = start
    }

    /// Whether the frame at `time` (seconds) is handed out. Frames before `start` never are.
    mutating func accept(time: Double) -> Bool {
        let tolerance = 1e-6
        guard time >= start - tolerance else { return false }
        defer { seen += 1 }
        switch sampling {
        case .all:
            return true
        case .every(let n):
            return seen % n == 0
        case .fps(let fps):
            guard time >= nextTime - tolerance else { return false }
            let slot = ((time - start) * fps + tolerance).rounded(.down)
            nextTime = start + (slot + 1) / fps
            return true
        }
    }
}
