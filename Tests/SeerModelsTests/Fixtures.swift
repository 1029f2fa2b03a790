import Foundation
import SeerTensor

/// Tests/Fixtures, found from this file's location (symlinks resolved).
let fixtures = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
    .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures")

/// One tiny CLIP checkpoint written by scripts/fixtures/make_clip_fixtures.py, with the
/// reference inputs and outputs transformers produced for it.
struct CLIPFixture: Sendable, CustomStringConvertible {
    let name: String
    var directory: URL { fixtures.appendingPathComponent(name) }
    var description: String { name }

    struct Inputs: Decodable {
        let images: [String]
        let texts: [String]
        let input_ids: [[Int32]]
        let logit_scale: Float
    }

    func inputs() throws -> Inputs {
        try JSONDecoder().decode(Inputs.self, from: Data(contentsOf: directory.appendingPathComponent("expected/inputs.json")))
    }

    func expected(_ name: String) throws -> Tensor {
        try NPY.decode(Data(contentsOf: directory.appendingPathComponent("expected/\(name).npy")))
    }

    static let all = [CLIPFixture(name: "clip-tiny-quickgelu-p32"), CLIPFixture(name: "clip-tiny-gelu-p16")]
}

/// Cosine similarity and max abs difference of two rows.
func agreement(_ a: [Float], _ b: [Float]) -> (cosine: Double, maxAbsDiff: Float) {
    var dot = 0.0, na = 0.0, nb = 0.0
    for (x, y) in zip(a, b) { dot += Double(x) * Double(y); na += Double(x) * Double(x); nb += Double(y) * Double(y) }
    return (dot / (na.squareRoot() * nb.squareRoot()), zip(a, b).map { abs($0 - $1) }.max() ?? 0)
}
