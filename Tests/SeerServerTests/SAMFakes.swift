import Foundation
import SeerImage
import SeerModels

/// A scripted SAM for the route tests: its embedding is a function of the image's pixels, its
/// masks are discs around the foreground clicks (minus discs around background ones), and it
/// records every call, so the tests can count encoder passes and see exactly what the server
/// asked of the model.
final class ScriptedSAM: SegmentAnything, @unchecked Sendable {
    struct PredictCall {
        let prompt: SAMPrompt
        let multimask: Bool
    }

    static let channels = 3, grid = 4
    /// Radii of the three candidate masks and their predicted IoUs: the best is the second.
    static let radii = [12.0, 24.0, 36.0]
    static let scores: [Float] = [0.5, 0.9, 0.7]

    private let lock = NSLock()
    private var embedCount = 0
    private var predictCalls: [PredictCall] = []
    /// When set, the encoder holds every call until `openGate()`: a test can then have requests
    /// overlap an encoding for certain, not by timing.
    private let gate: DispatchSemaphore?

    init(gated: Bool = false) {
        gate = gated ? DispatchSemaphore(value: 0) : nil
    }

    var embedCalls: Int { lock.withLock { embedCount } }
    var predictions: [PredictCall] { lock.withLock { predictCalls } }

    /// Lets every held encoding (and all later ones) through.
    func openGate() {
        for _ in 0..<1000 { gate?.signal() }
    }

    func embed(_ image: RGBImage) throws -> SAMImageEmbedding {
        lock.withLock { embedCount += 1 }
        gate?.wait()  // the server runs the encoder on a Dispatch queue of its own, never the concurrency pool
        return Self.embedding(of: image)
    }

    /// The embedding this fake gives `image`: per channel, the mean of one colour plane plus a
    /// position term, so different images and positions differ.
    static func embedding(of image: RGBImage) -> SAMImageEmbedding {
        var values: [Float] = []
        for c in 0..<channels {
            var sum = 0
            for i in stride(from: c, to: image.pixels.count, by: 3) { sum += Int(image.pixels[i]) }
            let mean = Float(sum) / Float(max(1, image.width * image.height))
            for p in 0..<(grid * grid) { values.append(mean + Float(p) / 16) }
        }
        return SAMImageEmbedding(values: values, channels: channels, gridSize: grid, originalWidth: image.width, originalHeight: image.height, resizedWidth: image.width, resizedHeight: image.height)
    }

    func predict(_ embedding: SAMImageEmbedding, prompts: [SAMPrompt], multimask: Bool) throws -> [SAMPrediction] {
        lock.withLock { predictCalls += prompts.map { PredictCall(prompt: $0, multimask: multimask) } }
        return prompts.map { Self.prediction(embedding, $0, multimask: multimask) }
    }

    static func prediction(_ embedding: SAMImageEmbedding, _ prompt: SAMPrompt, multimask: Bool) -> SAMPrediction {
        let indices = multimask ? [0, 1, 2] : [0]
        let width = embedding.originalWidth, height = embedding.originalHeight
        // A refined prompt (has_mask_input) grows the mask, so the tests can see it was used.
        let grow = prompt.previousLowResLogits == nil ? 0.0 : 6.0
        let logits = indices.map { k in disc(width, height, prompt, radius: radii[k] + grow) }
        let size = SAMPrediction.lowResSize
        let lowRes = indices.map { k in
            disc(size, size, prompt, radius: radii[k] * Double(size) / Double(max(width, height)), scale: Double(size) / Double(max(width, height)))
        }
        return SAMPrediction(width: width, height: height, logits: logits, iouScores: indices.map { scores[$0] }, lowResLogits: lowRes)
    }

    /// Logits: +1 within `radius` of a foreground point and not within radius/2 of a background
    /// point, −1 elsewhere.
    private static func disc(_ width: Int, _ height: Int, _ prompt: SAMPrompt, radius: Double, scale: Double = 1) -> [Float] {
        var out = [Float](repeating: -1, count: width * height)
        for y in 0..<height {
            for x in 0..<width {
                let px = Double(x) + 0.5, py = Double(y) + 0.5
                let near = { (p: SAMPoint, r: Double) in hypot(p.x * scale - px, p.y * scale - py) < r }
                let inside = prompt.points.contains { $0.isForeground && near($0, radius) }
                let excluded = prompt.points.contains { !$0.isForeground && near($0, radius / 2) }
                if inside && !excluded { out[y * width + x] = 1 }
            }
        }
        return out
    }
}
