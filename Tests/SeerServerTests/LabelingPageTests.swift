import Foundation
import Testing
import SeerImage
import SeerModels
@testable import SeerServer

/// The mask the server answers for `points` (Roboflow's single-mask rule: one foreground click
/// takes the best of three candidates, more points the single-mask output), from the library.
func libraryMask(_ model: any SegmentAnything, _ embedding: SAMImageEmbedding, _ points: [SAMPoint]) throws -> BinaryMask {
    let prompt = SAMPrompt(points: points)
    let ambiguous = points.count <= 1
    let prediction = try model.predict(embedding, prompts: [prompt], multimask: ambiguous)[0]
    let best = prediction.iouScores.indices.max { prediction.iouScores[$0] < prediction.iouScores[$1] }!
    return prediction.mask(ambiguous ? best : 0)
}

@Suite("Labeling page")
struct LabelingPageTests {
    @Test("GET /label serves the self-contained page")
    func servesPage() async throws {
        try await withServer { _, client async throws in
            let page = try await client.get("/label")
            #expect(page.status == 200)
            for needle in ["<canvas id=\"canvas\"", "id=\"file\"", "id=\"category\"", "id=\"accept\"", "id=\"export-button\"",
                           "/sam/embed_image", "/sam/segment_image", "contextmenu"] {
                #expect(page.text.contains(needle), "page lacks \(needle)")
            }
            // No external assets: the page must work with no network.
            #expect(!page.text.contains("http://") && !page.text.contains("https://") && !page.text.contains("src=\"//"))
        }
    }

    /// Clicks on chelsea.jpg that give non-empty masks with `model`: a foreground click, then two
    /// background clicks (a right-click and a shift-click), each leaving a non-empty mask that
    /// differs from the one before.
    static func clicks(_ model: any SegmentAnything, _ image: RGBImage, _ embedding: SAMImageEmbedding) throws -> [SAMPoint] {
        let candidates = stride(from: 40, to: image.width - 40, by: 37).flatMap { x in
            stride(from: 40, to: image.height - 40, by: 29).map { SAMPoint(x: Double(x), y: Double($0)) }
        }
        let total = image.width * image.height
        for p in candidates {
            let first = try libraryMask(model, embedding, [p])
            guard first.area > 50 && first.area < total * 9 / 10 else { continue }
            var points = [p], previous = first
            for q in candidates where q != p {
                let next = points + [SAMPoint(x: q.x, y: q.y, isForeground: false)]
                let mask = try libraryMask(model, embedding, next)
                guard mask.area > 50 && mask != previous else { continue }
                (points, previous) = (next, mask)
                if points.count == 3 { return points }
            }
        }
        throw APIError.badRequest("no click on the image gives a usable mask")
    }

    @Test("headless Chromium: open, click, right-click, undo, accept and export COCO that matches the library")
    func browser() async throws {
        let sam = labelingPageModel()
        let image = try decodedImage("chelsea.jpg")
        let embedding = try sam.embed(image)
        let clicks = try Self.clicks(sam, image, embedding)
        try await withSAMServer(sam) { _, client async throws in
            let result = try await driveLabelingPage(client.base, [
                "--clicks", "[[\(Int(clicks[0].x)), \(Int(clicks[0].y)), \"click\"], [\(Int(clicks[1].x)), \(Int(clicks[1].y)), \"right\"], [\(Int(clicks[2].x)), \(Int(clicks[2].y)), \"shift\"]]",
                "--extra", "[\(image.width / 2), \(image.height / 3)]",
                "--category", "tabby cat",
            ])

            // The page turned the clicks into the right image pixels and labels.
            let points = try #require(result["points"] as? [[String: Any]])
            let sent = points.compactMap { p -> SAMPoint? in
                guard let x = p["x"] as? Double, let y = p["y"] as? Double, let label = p["label"] as? Int else { return nil }
                return SAMPoint(x: x, y: y, isForeground: label == 1)
            }
            #expect(sent == clicks)
            #expect(result["undo_restored"] as? Bool == true)

            // The COCO file: one image, one category, one annotation, all equal to the library's mask.
            let mask = try libraryMask(sam, embedding, sent)
            let coco = try #require(result["coco"] as? [String: Any])
            let images = try #require(coco["images"] as? [[String: Any]])
            #expect(images.count == 1)
            #expect(images.first?["width"] as? Int == image.width && images.first?["height"] as? Int == image.height)
            #expect(images.first?["file_name"] as? String == "chelsea.jpg")
            let categories = try #require(coco["categories"] as? [[String: Any]])
            #expect(categories.count == 1)
            #expect(categories.first?["name"] as? String == "tabby cat")
            let annotations = try #require(coco["annotations"] as? [[String: Any]])
            #expect(annotations.count == 1)
            let annotation = try #require(annotations.first)
            #expect(annotation["category_id"] as? Int == categories.first?["id"] as? Int)
            #expect(annotation["image_id"] as? Int == images.first?["id"] as? Int)
            let bbox = try #require(annotation["bbox"] as? [Int])
            #expect(bbox == mask.cocoBoundingBox)
            #expect(bbox.count == 4 && bbox[0] >= 0 && bbox[1] >= 0 && bbox[2] > 0 && bbox[3] > 0
                    && bbox[0] + bbox[2] <= image.width && bbox[1] + bbox[3] <= image.height)
            #expect(annotation["area"] as? Int == mask.area)
            let segmentation = try #require(annotation["segmentation"] as? [[Double]])
            #expect(segmentation == mask.polygons)
            // The polygons enclose exactly the mask's pixels.
            #expect(BinaryMask(width: image.width, height: image.height, polygons: segmentation) == mask)

            // The overlay covered the mask: every mask pixel changed, plus at most the three click dots.
            let changed = try #require(result["changed_pixels"] as? Int)
            #expect(changed >= mask.area && changed <= mask.area + 3 * 100, "\(changed) changed pixels for a \(mask.area)-pixel mask")
        }
    }
}

extension LabelingPageTests {
    @Test("headless Chromium: when the server cannot keep the embedding, the page sends the image again")
    func embeddingEvicted() async throws {
        let sam = labelingPageModel()
        let image = try decodedImage("chelsea.jpg")
        let click = try Self.clicks(sam, image, try sam.embed(image))[0]
        try await withSAMServer(sam, { $0.sam.cacheMaxEntries = 0 }) { _, client async throws in
            let result = try await driveLabelingPage(client.base, [
                "--clicks", "[[\(Int(click.x)), \(Int(click.y)), \"click\"]]",
                "--category", "cat",
            ])
            let mask = try libraryMask(sam, try sam.embed(image), [click])
            let annotation = try #require(((result["coco"] as? [String: Any])?["annotations"] as? [[String: Any]])?.first)
            #expect(annotation["area"] as? Int == mask.area)
            #expect(annotation["segmentation"] as? [[Double]] == mask.polygons)
        }
    }
}

/// Opens the labeling page served at `base` in headless Chromium on chelsea.jpg and plays
/// `arguments` (clicks, category…) through scripts/labeling_page_test.py; returns its report
/// (the points the page sent, the COCO export, the overlay's changed pixels).
func driveLabelingPage(_ base: String, _ arguments: [String]) async throws -> [String: Any] {
    let script = packageRoot.appendingPathComponent("scripts/labeling_page_test.py").path
    let output = try await runPython("python3", "import runpy; runpy.run_path(\(String(reflecting: script)), run_name='__main__')",
                                     ["--url", base, "--image", fixtures.appendingPathComponent("clip-inputs/chelsea.jpg").path] + arguments)
    return try #require(try JSONSerialization.jsonObject(with: output) as? [String: Any])
}

/// The model the browser test labels with.
func labelingPageModel() -> any SegmentAnything { sharedSAM }
