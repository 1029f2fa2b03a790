import Testing
@testable import SeerModels

/// Seer's additions after post_process_object_detection: NMS (class-aware or agnostic) and the cap.
@Suite struct DetectionPostProcessingTests {
    let detections = [
        Detection(box: BoxCorners(x0: 0, y0: 0, x1: 10, y1: 10), score: 0.9, label: 0),
        Detection(box: BoxCorners(x0: 1, y0: 1, x1: 11, y1: 11), score: 0.8, label: 0),   // IoU 0.68 with the first
        Detection(box: BoxCorners(x0: 1, y0: 0, x1: 11, y1: 10), score: 0.85, label: 1),  // IoU 0.82 with the first
        Detection(box: BoxCorners(x0: 50, y0: 50, x1: 60, y1: 60), score: 0.3, label: 0),
    ]

    @Test func classAwareNMSKeepsOverlapsOfOtherLabels() {
        let kept = DetectionPostProcessing.nonMaximumSuppression(detections, iou: 0.5, agnostic: false)
        #expect(kept.map(\.score) == [0.9, 0.85, 0.3])
    }

    @Test func agnosticNMSSuppressesAcrossLabels() {
        let kept = DetectionPostProcessing.nonMaximumSuppression(detections, iou: 0.5, agnostic: true)
        #expect(kept.map(\.score) == [0.9, 0.3])
        // Above every overlap nothing is dropped.
        #expect(DetectionPostProcessing.nonMaximumSuppression(detections, iou: 0.9, agnostic: true).count == 4)
    }

    @Test func maxDetectionsKeepsTheBestInBoxOrder() {
        let kept = DetectionPostProcessing.finish(detections, options: DetectionOptions(maxDetections: 2))
        #expect(kept.map(\.score) == [0.9, 0.85])
    }

    @Test func boxGeometry() {
        let a = BoxCorners(centreX: 0.5, centreY: 0.5, width: 0.2, height: 0.4)
        #expect(zip([a.x0, a.y0, a.x1, a.y1], [0.4, 0.3, 0.6, 0.7] as [Float]).allSatisfy { abs($0 - $1) < 1e-6 })
        #expect(abs(a.iou(a) - 1) < 1e-6)
        let far = BoxCorners(x0: 2, y0: 2, x1: 3, y1: 3)
        #expect(a.iou(far) == 0 && a.generalizedIoU(far) < 0)
    }
}
