import Foundation
import Testing
import SeerImage
@testable import SeerModels

/// Automatic mask generation end to end, with the real SAM on a real photo, against
/// Tests/Fixtures/masks/amg-chelsea.json: transformers' SamModel (the tiny random checkpoint)
/// filtered as segment-anything's SamAutomaticMaskGenerator does
/// (scripts/fixtures/make_mask_fixtures.py).
@Suite(.serialized) struct AutomaticMaskReferenceTests {
    struct Reference: Decodable {
        struct Record: Decodable {
            let area: Int
            let bbox: [Int]
            let predicted_iou: Float
            let point_coords: [[Double]]
            let stability_score: Float
            let crop_box: [Int]
            let segmentation: String?
        }

        struct Run: Decodable {
            let box_nms_thresh: Double
            let masks: [Record]
        }

        let image: String
        let width: Int
        let height: Int
        let points_per_side: Int
        let points_per_batch: Int
        let pred_iou_thresh: Float
        let stability_score_thresh: Float
        let stability_score_offset: Float
        let after_filters: Int
        let runs: [Run]
    }

    @Test func matchesSegmentAnythingOnTheTinyModel() throws {
        let reference = try JSONDecoder().decode(Reference.self, from: Data(contentsOf: fixtures.appendingPathComponent("masks/amg-chelsea.json")))
        let sam = try SAM(directory: fixtures.appendingPathComponent("sam-tiny"))
        let image = try ImageLoader.load(contentsOf: fixtures.appendingPathComponent(reference.image))
        let embedding = try sam.embed(image)
        #expect(reference.runs.contains { $0.masks.count > 1 }, "the fixture should keep several masks")

        var worst = (iou: 0.0 as Float, stability: 0.0 as Float, area: 0.0, pixels: 1.0)
        for run in reference.runs {
            var options = AutomaticMaskGenerator.Options()
            options.pointsPerSide = reference.points_per_side
            options.pointsPerBatch = reference.points_per_batch
            options.predIoUThreshold = reference.pred_iou_thresh
            options.stabilityScoreThreshold = reference.stability_score_thresh
            options.stabilityScoreOffset = reference.stability_score_offset
            options.boxNMSThreshold = run.box_nms_thresh
            let masks = try AutomaticMaskGenerator(model: sam, options: options).generate(embedding)

            #expect(masks.count == run.masks.count, "NMS \(run.box_nms_thresh)")
            #expect(zip(masks, masks.dropFirst()).allSatisfy { $0.predictedIoU >= $1.predictedIoU }, "best first")
            // Scores of neighbours can be closer than the two implementations agree, so masks
            // are paired by their prompt point and predicted IoU rather than by position.
            var unmatched = masks
            for expected in run.masks {
                let point = expected.point_coords[0]
                guard let index = unmatched.firstIndex(where: {
                    abs($0.point.x - point[0]) < 1e-9 && abs($0.point.y - point[1]) < 1e-9 && abs($0.predictedIoU - expected.predicted_iou) < 1e-5
                }) else {
                    Issue.record("no mask for point \(point) with predicted IoU \(expected.predicted_iou)")
                    continue
                }
                let mask = unmatched.remove(at: index)
                worst.iou = max(worst.iou, abs(mask.predictedIoU - expected.predicted_iou))
                worst.stability = max(worst.stability, abs(mask.stabilityScore - expected.stability_score))
                worst.area = max(worst.area, abs(Double(mask.area - expected.area)) / Double(expected.area))
                #expect(abs(mask.stabilityScore - expected.stability_score) < 1e-4)
                #expect(abs(Double(mask.area - expected.area)) <= 0.001 * Double(expected.area))
                #expect(zip(mask.bbox, expected.bbox).allSatisfy { abs($0 - $1) <= 1 }, "\(mask.bbox) vs \(expected.bbox)")
                #expect(mask.cropBox == expected.crop_box)
                if let segmentation = expected.segmentation {
                    let pixels = try MaskRLE(width: reference.width, height: reference.height, compressed: segmentation).decoded()
                    #expect(mask.mask.iou(pixels) >= 0.999, "mask IoU \(mask.mask.iou(pixels))")
                    worst.pixels = min(worst.pixels, mask.mask.iou(pixels))
                }
            }
        }
        print("automatic masks vs segment-anything: predicted IoU ±\(worst.iou), stability ±\(worst.stability), area ±\(worst.area * 100)%, pixel IoU ≥ \(worst.pixels)")
    }
}
