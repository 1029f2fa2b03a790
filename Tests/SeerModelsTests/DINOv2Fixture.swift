import Foundation
import SeerTensor

/// One tiny DINOv2 checkpoint written by scripts/fixtures/make_dinov2_fixtures.py, with the
/// reference outputs transformers produced for the shared inputs in dinov2-inputs/.
struct DINOv2Fixture: Sendable, CustomStringConvertible {
    let name: String
    let registers: Int
    var directory: URL { fixtures.appendingPathComponent(name) }
    var description: String { name }

    /// A reference output: `pooler_output`, `last_hidden_state`, `cls_mean` or
    /// `position_embeddings`, for `input` "" (224×224) or "_126x84".
    func expected(_ name: String, input: String = "") throws -> Tensor {
        try NPY.decode(Data(contentsOf: directory.appendingPathComponent("expected/\(name)\(input).npy")))
    }

    static let all = [
        DINOv2Fixture(name: "dinov2-tiny", registers: 0),
        DINOv2Fixture(name: "dinov2-tiny-registers", registers: 4),
        DINOv2Fixture(name: "dinov2-tiny-swiglu", registers: 0),
    ]

    /// The two inputs every fixture was run on: suffix and pixel values file.
    static let inputs = ["", "_126x84"]

    static func pixelValues(input: String = "") throws -> Tensor {
        try NPY.decode(Data(contentsOf: inputsDirectory.appendingPathComponent("pixel_values\(input).npy")))
    }

    static var inputsDirectory: URL { fixtures.appendingPathComponent("dinov2-inputs") }

    struct Inputs: Decodable { let images: [String] }

    /// The photos the pixel values were made from.
    static func images() throws -> [URL] {
        try JSONDecoder().decode(Inputs.self, from: Data(contentsOf: inputsDirectory.appendingPathComponent("inputs.json")))
            .images.map { fixtures.appendingPathComponent($0) }
    }
}

/// The worst cosine and max abs difference over the rows of two same-shaped tensors (viewed as
/// [rows, lastDim]).
func worstAgreement(_ got: Tensor, _ expected: Tensor) -> (cosine: Double, maxAbsDiff: Float) {
    precondition(got.shape == expected.shape, "shapes \(got.shape) and \(expected.shape) differ")
    let rows = expected.count / (expected.shape.last ?? 1)
    var cosine = 1.0, diff: Float = 0
    for r in 0..<rows {
        let (c, d) = agreement(got.row(r), expected.row(r))
        cosine = min(cosine, c)
        diff = max(diff, d)
    }
    return (cosine, diff)
}
