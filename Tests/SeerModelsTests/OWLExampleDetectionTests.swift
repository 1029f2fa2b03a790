import Foundation
import Testing
import SeerImage
@testable import SeerModels

/// Few-shot detection from example boxes (Roboflow's /owlv2/infer rules) with the tiny OWLv2.
/// Random weights make the boxes arbitrary, so the tests use what holds for any weights: a
/// candidate's embedding matches itself with cosine 1.
@Suite struct OWLExampleDetectionTests {
    let owl: OWL
    let photo: RGBImage
    let side: Float

    init() throws {
        owl = try OWL(directory: fixtures.appendingPathComponent("owlv2-tiny"), version: .v2)
        photo = try ImageLoader.load(contentsOf: fixtures.appendingPathComponent("clip-inputs/chelsea.jpg"))
        side = Float(max(photo.width, photo.height))
    }

    func example(_ box: BoxCorners, _ name: String, negative: Bool = false) -> ExampleBox {
        ExampleBox(centreX: (box.x0 + box.x1) / 2, centreY: (box.y0 + box.y1) / 2, width: box.width, height: box.height,
                   className: name, negative: negative)
    }

    @Test func candidatesAreTheMostObjectLikeBoxesWithUnitEmbeddings() throws {
        let found = try owl.candidates(photo, limit: 5)
        #expect(found.boxes.count == 5 && found.embeddings.count == 5)
        let all = try owl.candidates(photo, limit: 10_000)
        #expect(all.boxes.count == owl.model.patchCount)
        #expect(Array(all.boxes.prefix(5)) == found.boxes, "the top 5 are the first 5 of the full ranking")
        for e in found.embeddings {
            let norm = e.reduce(0) { $0 + $1 * $1 }.squareRoot()
            #expect(abs(norm - 1) < 1e-5)
        }
    }

    @Test func anExampleFindsItselfAndANegativeSuppressesWhatItCovers() throws {
        let candidates = try owl.candidates(photo, limit: 300)
        let a = candidates.boxes[0].scaled(x: side, y: side)
        let options = ExampleDetectionOptions(confidence: 0.5)
        let positive = try owl.detect([photo], examples: [ExampleImage(image: photo, boxes: [example(a, "thing")])], options: options)
        #expect(positive.classNames == ["thing"])
        let found = positive.detections[0]
        try #require(found.count >= 2, "at cosine > 0 the tiny model's boxes resemble each other: \(found.count)")
        #expect(found[0].score > 0.9999 && found[0].box.iou(a) > 0.999)
        #expect(zip(found, found.dropFirst()).allSatisfy { $0.score >= $1.score }, "best first")
        // No two kept boxes overlap by more than the IoU threshold (NMS across the classes).
        for i in found.indices { for j in found.indices where j > i { #expect(found[i].box.iou(found[j].box) <= 0.3) } }

        // A negative example on the second box: it and everything it covers go.
        let b = found[1].box
        let withNegative = try owl.detect([photo], examples: [ExampleImage(image: photo, boxes: [example(a, "thing"), example(b, "thing", negative: true)])],
                                          options: options).detections[0]
        #expect(withNegative.first?.box.iou(a) ?? 0 > 0.999)
        #expect(!withNegative.contains { $0.box.iou(b) > 0.3 }, "\(withNegative.map(\.box))")
        #expect(withNegative.count < found.count)
    }

    @Test func classesAreSortedAndABoxMatchingNoCandidateTeachesNothing() throws {
        let candidates = try owl.candidates(photo, limit: 300)
        let a = candidates.boxes[0].scaled(x: side, y: side)
        let tiny = BoxCorners(x0: 0, y0: 0, x1: 0.5, y1: 0.5)
        let queries = try owl.exampleQueries([ExampleImage(image: photo, boxes: [example(a, "zebra"), example(a, "ant"), example(tiny, "moth")])],
                                             options: ExampleDetectionOptions())
        #expect(queries.classNames == ["ant", "zebra"])
        #expect(queries.positives.map(\.count) == [1, 1] && queries.negatives.map(\.count) == [0, 0])
        #expect(throws: ModelError.self) { try owl.exampleQueries([ExampleImage(image: photo, boxes: [])], options: ExampleDetectionOptions()) }
    }
}
