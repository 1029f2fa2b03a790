import Foundation
import SeerImage
import SeerModels

/// One mask of a `/sam/segment_image` answer, in every form the response can carry.
struct SAMMaskAnswer: Sendable {
    /// Roboflow answers each mask with one polygon, its largest outer contour, as [[x, y], …].
    /// Seer's vertices sit on pixel corners (`BinaryMask.polygons`), so a polygon's area is its
    /// part's pixel count; the largest part by area is kept.
    let largestPart: [Double]
    /// The same for the low-resolution (256 × 256) mask.
    let lowResLargestPart: [Double]
    /// COCO: every part (holes joined as keyholes), the pixel area, and the box.
    let polygons: [[Double]]
    let area: Int
    let bbox: [Int]
    let score: Float

    init(_ prediction: SAMPrediction, index: Int) {
        let mask = prediction.mask(index)
        polygons = mask.polygons
        largestPart = Self.largest(polygons)
        lowResLargestPart = Self.largest(Self.lowResMask(prediction.lowResLogits[index]).polygons)
        area = mask.area
        bbox = mask.cocoBoundingBox
        score = prediction.iouScores[index]
    }

    private static func largest(_ polygons: [[Double]]) -> [Double] {
        polygons.max { shoelaceArea($0) < shoelaceArea($1) } ?? []
    }

    /// The square low-resolution mask (256 × 256 for the released checkpoints: 4 × the grid).
    private static func lowResMask(_ logits: [Float]) -> BinaryMask {
        let side = Int(Double(logits.count).squareRoot().rounded())
        guard side * side == logits.count else { return BinaryMask(width: 0, height: 0) }
        return BinaryMask(width: side, height: side, logits: logits)
    }

    /// `SamSegmentationResponse` (masks, low_res_masks) plus Seer's `scores` and, with `coco`,
    /// each mask as a COCO annotation. Ends with a comma: `handle` appends `"time"`.
    static func json(_ answers: [SAMMaskAnswer], coco: Bool) -> Data {
        var writer = JSONWriter()
        writer.raw("{\"masks\":")
        writePoints(answers.map(\.largestPart), to: &writer)
        writer.raw(",\"low_res_masks\":")
        writePoints(answers.map(\.lowResLargestPart), to: &writer)
        writer.raw(",\"scores\":")
        writer.floats(answers.map(\.score))
        if coco {
            writer.raw(",\"coco\":[")
            for (i, answer) in answers.enumerated() {
                if i > 0 { writer.raw(",") }
                let segmentation = answer.polygons.map { "[" + $0.map { String(Int($0)) }.joined(separator: ",") + "]" }
                writer.raw("{\"segmentation\":[\(segmentation.joined(separator: ","))],\"area\":\(answer.area),")
                writer.raw("\"bbox\":[\(answer.bbox.map(String.init).joined(separator: ","))]}")
            }
            writer.raw("]")
        }
        writer.raw(",")
        return Data(writer.text.utf8)
    }

    /// Flat [x1, y1, x2, y2, …] polygons as Roboflow's [[x, y], …] point lists.
    private static func writePoints(_ polygons: [[Double]], to writer: inout JSONWriter) {
        let lists = polygons.map { polygon in
            "[" + stride(from: 0, to: polygon.count - 1, by: 2).map { "[\(Int(polygon[$0])),\(Int(polygon[$0 + 1]))]" }.joined(separator: ",") + "]"
        }
        writer.raw("[\(lists.joined(separator: ","))]")
    }
}

/// The area enclosed by a flat [x1, y1, x2, y2, …] polygon.
func shoelaceArea(_ polygon: [Double]) -> Double {
    let n = polygon.count / 2
    guard n >= 3 else { return 0 }
    var twice = 0.0
    for i in 0..<n {
        let j = (i + 1) % n
        twice += polygon[2 * i] * polygon[2 * j + 1] - polygon[2 * j] * polygon[2 * i + 1]
    }
    return abs(twice) / 2
}
