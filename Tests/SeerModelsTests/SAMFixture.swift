import Foundation
import SeerImage
import SeerTensor
@testable import SeerModels

/// Tests/Fixtures/sam-tiny, written by scripts/fixtures/make_sam_fixtures.py: a tiny random
/// SamModel and what transformers computed with it for two photos and a set of prompts.
enum SAMFixture {
    static let directory = fixtures.appendingPathComponent("sam-tiny")

    struct Prompt: Decodable {
        let points: [[Double]]?
        let labels: [Int]?
        let box: [Double]?
        let mask_input: String?
    }

    struct Image: Decodable {
        let path: String
        let original_size: [Int]  // [height, width]
        let resized_size: [Int]
        let prompts: [Prompt]
        let post_processed: [[Int]]  // (prompt, multimask) pairs with full-size logits stored
    }

    struct Manifest: Decodable {
        let images: [Image]
        let pixel_stride: Int
        let low_res_stride: Int
    }

    static func manifest() throws -> Manifest {
        try JSONDecoder().decode(Manifest.self, from: Data(contentsOf: directory.appendingPathComponent("expected/inputs.json")))
    }

    static func expected(_ name: String) throws -> Tensor {
        try NPY.decode(Data(contentsOf: directory.appendingPathComponent("expected/\(name).npy")))
    }

    static func image(_ entry: Image) throws -> RGBImage {
        try ImageLoader.load(contentsOf: fixtures.appendingPathComponent(entry.path))
    }

    /// The reference's embedding of image `index`, as `SAM.embed` would return it.
    static func referenceEmbedding(_ index: Int, _ entry: Image) throws -> SAMImageEmbedding {
        let values = try expected("image_embeddings")
        let plane = values.count / values.shape[0]
        return SAMImageEmbedding(values: Array(values.scalars[(index * plane)..<((index + 1) * plane)]),
                                 channels: values.shape[1], gridSize: values.shape[2],
                                 originalWidth: entry.original_size[1], originalHeight: entry.original_size[0],
                                 resizedWidth: entry.resized_size[1], resizedHeight: entry.resized_size[0])
    }

    /// The fixture's prompt as Seer's API takes it (mask inputs read from their .npy file).
    static func prompt(_ p: Prompt) throws -> SAMPrompt {
        let points = zip(p.points ?? [], p.labels ?? []).map { SAMPoint(x: $0[0], y: $0[1], isForeground: $1 == 1) }
        let box = p.box.map { SAMBox(x0: $0[0], y0: $0[1], x1: $0[2], y1: $0[3]) }
        return SAMPrompt(points: points, box: box, previousLowResLogits: try p.mask_input.map { try expected($0).scalars })
    }
}

/// Values of `full` [rows, rows] (one plane, row-major) at every `stride`-th row and column.
func subsampled(_ full: ArraySlice<Float>, side: Int, stride: Int) -> [Float] {
    let base = full.startIndex
    var out: [Float] = []
    for y in Swift.stride(from: 0, to: side, by: stride) {
        for x in Swift.stride(from: 0, to: side, by: stride) { out.append(full[base + y * side + x]) }
    }
    return out
}

func maxAbsDiff(_ a: [Float], _ b: [Float]) -> Float {
    precondition(a.count == b.count, "\(a.count) vs \(b.count) values")
    return zip(a, b).map { abs($0 - $1) }.max() ?? 0
}
