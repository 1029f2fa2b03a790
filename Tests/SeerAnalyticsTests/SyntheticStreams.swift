import Foundation

/// A small seeded generator (SplitMix64) so the synthetic streams are the same on every run.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A standard normal sample (Box–Muller).
    mutating func normal() -> Double {
        let u = Double.random(in: Double.ulpOfOne..<1, using: &self)
        let v = Double.random(in: 0..<1, using: &self)
        return (-2 * log(u)).squareRoot() * cos(2 * .pi * v)
    }

    mutating func vector(_ dimension: Int, scale: Double = 1) -> [Double] {
        (0..<dimension).map { _ in scale * normal() }
    }
}

/// Embeddings of a stationary scene: one fixed direction plus independent noise per frame.
struct StationaryStream {
    let center: [Double]
    let noise: Double
    var generator: SeededGenerator

    init(dimension: Int, noise: Double, seed: UInt64) {
        generator = SeededGenerator(seed: seed)
        center = generator.vector(dimension)
        self.noise = noise
    }

    mutating func next() -> [Float] {
        zip(center, generator.vector(center.count, scale: noise)).map { Float($0 + $1) }
    }

    /// An unrelated embedding, like a frame from a different scene.
    mutating func anomaly() -> [Float] {
        generator.vector(center.count).map(Float.init)
    }
}
