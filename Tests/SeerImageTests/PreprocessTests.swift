import Foundation
import Testing
@testable import SeerImage

struct PreprocessCase: Sendable, CustomTestStringConvertible {
    let image: Fixtures.Image
    let config: String
    let output: Fixtures.Output
    var testDescription: String { "\(image.file) / \(config)" }

    static let all: [PreprocessCase] = Fixtures.manifest.images.flatMap { image in
        image.outputs.sorted { $0.key < $1.key }.map { PreprocessCase(image: image, config: $0.key, output: $0.value) }
    }
}

@Suite("Preprocessing matches transformers' CLIPImageProcessorPil")
struct PreprocessTests {
    static let processors: [String: ImagePreprocessor] = Fixtures.manifest.configs.mapValues {
        try! ImagePreprocessor(contentsOf: Fixtures.url($0))
    }

    @Test("uint8 resize + center crop equals Pillow's, pixel_values within 2/255 (and exact)", arguments: PreprocessCase.all)
    func pipeline(c: PreprocessCase) throws {
        let processor = try #require(Self.processors[c.config])
        let input = try ImageLoader.load(contentsOf: Fixtures.url(c.image.file))
        let ours = processor.resizedAndCropped(input)
        let expected = try ImageLoader.load(contentsOf: Fixtures.url(c.output.uint8))
        #expect(ours.width == c.output.width && ours.height == c.output.height)
        try #require(ours.pixels.count == expected.pixels.count)
        let diff = maxAbsDiff(ours.pixels, expected.pixels)
        if diff != 0 { print("[preprocess] \(c.testDescription): uint8 max |Δ| = \(diff), \(countDiff(ours.pixels, expected.pixels)) samples differ") }
        #expect(diff == 0, "uint8 stage differs from Pillow by up to \(diff)")

        let values = processor.pixelValues(input)
        #expect(values.count == 3 * c.output.width * c.output.height)
        if let file = c.output.pixel_values {
            let reference = try Fixtures.floats(file)
            try #require(reference.count == values.count)
            // The issue's bar: within 2/255 once normalization is undone (x·std + mean).
            var worst: Float = 0
            var exact = true
            let plane = c.output.width * c.output.height
            for i in values.indices {
                let ch = i / plane
                let std = Float(processor.imageStd[ch])
                worst = max(worst, abs(values[i] - reference[i]) * std)
                if values[i].bitPattern != reference[i].bitPattern { exact = false }
            }
            print("[preprocess] \(c.testDescription): pixel_values max |Δ|·std = \(worst), bit-exact: \(exact)")
            #expect(worst <= 2.0 / 255.0)
            #expect(exact, "pixel_values are not bit-identical to transformers'")
        }
    }

    @Test("configs decode like transformers reads them")
    func configParsing() throws {
        let clip = try #require(Self.processors["clip"])
        #expect(clip == ImagePreprocessor())  // the old-style Hub file spells CLIP's defaults
        #expect(clip.size == .shortestEdge(224) && clip.cropWidth == 224 && clip.cropHeight == 224 && clip.resample == .bicubic)
        #expect(clip.outputWidth == 224 && clip.outputHeight == 224)
        let b = try #require(Self.processors["se256_bilinear"])
        #expect(b.size == .shortestEdge(256) && b.resample == .bilinear && b.imageMean == [0.5, 0.5, 0.5])
        let pad = try #require(Self.processors["pad_lanczos"])
        #expect(pad.cropWidth == 203 && pad.cropHeight == 161 && pad.imageStd == [0.27, 0.27, 0.27] && pad.resample == .lanczos)
        let fixed = try #require(Self.processors["fixed_h160_w200"])
        #expect(fixed.size == .fixed(height: 160, width: 200) && !fixed.doCenterCrop)
        #expect(fixed.outputWidth == 200 && fixed.outputHeight == 160)

        let empty = try JSONDecoder().decode(ImagePreprocessor.self, from: Data("{}".utf8))
        #expect(empty == ImagePreprocessor())
        let list = try JSONDecoder().decode(ImagePreprocessor.self, from: Data(#"{"size": [300, 200], "crop_size": [100, 120], "do_rescale": false}"#.utf8))
        #expect(list.size == .fixed(height: 300, width: 200) && list.cropHeight == 100 && list.cropWidth == 120 && !list.doRescale)
        let se = try JSONDecoder().decode(ImagePreprocessor.self, from: Data(#"{"size": {"shortest_edge": 224, "longest_edge": 300}}"#.utf8))
        #expect(se.size == .shortestLongestEdge(shortest: 224, longest: 300))
    }

    @Test("bad configs give clear errors")
    func badConfigs() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("seer-cfg-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        for (text, phrase) in [("{not json", "invalid preprocessor config"), (#"{"resample": 9}"#, "unknown resample filter 9"),
                               (#"{"image_mean": [0.5, 0.5]}"#, "image_mean"), (#"{"size": {"foo": 3}}"#, "size must contain"),
                               (#"{"crop_size": 0}"#, "positive")] {
            let url = dir.appendingPathComponent("preprocessor_config.json")
            try Data(text.utf8).write(to: url)
            do {
                _ = try ImagePreprocessor(contentsOf: url)
                Issue.record("accepted \(text)")
            } catch let e as ImageError {
                #expect(e.kind == .invalidConfig)
                #expect(e.description.contains(phrase), "\(e)")
                #expect(e.description.hasPrefix(url.path))
            }
        }
    }

    @Test("resize target sizes follow transformers' rounding")
    func targetSizes() {
        let p = ImagePreprocessor()
        #expect(p.resizedSize(width: 4000, height: 3000) == (224, 298))   // int(224 * 4000 / 3000) = 298
        #expect(p.resizedSize(width: 3000, height: 4000) == (298, 224))
        #expect(p.resizedSize(width: 451, height: 300) == (224, 336))     // 336.74… truncated
        #expect(p.resizedSize(width: 100, height: 100) == (224, 224))
        #expect(p.resizedSize(width: 10, height: 1000) == (22400, 224))
        var q = ImagePreprocessor()
        q.size = .shortestLongestEdge(shortest: 224, longest: 300)
        #expect(q.resizedSize(width: 1000, height: 500) == (150, 300))
        q.size = .maxHeightWidth(height: 100, width: 100)
        #expect(q.resizedSize(width: 400, height: 300) == (75, 100))
    }

    @Test("center crop: floor for the offset, zero padding when the crop is larger")
    func centerCrop() {
        let img = RGBImage(width: 5, height: 4, pixels: (0..<20).flatMap { [UInt8($0 + 1), 0, 0] })
        let c = img.centerCropped(width: 2, height: 3)  // top = 0 (⌊1/2⌋), left = 1 (⌊3/2⌋)
        #expect(stride(from: 0, to: c.pixels.count, by: 3).map { c.pixels[$0] } == [2, 3, 7, 8, 12, 13])
        let p = img.centerCropped(width: 8, height: 5)  // top = ⌊-1/2⌋ = -1, left = ⌊-3/2⌋ = -2
        #expect(p.width == 8 && p.height == 5)
        let firstRow = stride(from: 0, to: 8 * 3, by: 3).map { p.pixels[$0] }
        #expect(firstRow == [0, 0, 0, 0, 0, 0, 0, 0])
        let secondRow = stride(from: 8 * 3, to: 16 * 3, by: 3).map { p.pixels[$0] }
        #expect(secondRow == [0, 0, 1, 2, 3, 4, 5, 0])
    }
}

@Suite("Resize equals Pillow's Image.resize")
struct ResizeTests {
    @Test("every filter, up and down", arguments: Fixtures.manifest.resizes)
    func resize(r: Fixtures.Resize) throws {
        let input = try ImageLoader.load(contentsOf: Fixtures.url(r.file))
        let expected = try ImageLoader.load(contentsOf: Fixtures.url(r.expected))
        let ours = input.resized(width: r.width, height: r.height, filter: try #require(ResampleFilter(rawValue: r.filter)))
        try #require(ours.width == expected.width && ours.height == expected.height)
        let diff = maxAbsDiff(ours.pixels, expected.pixels)
        if diff != 0 { print("[resize] \(r.testDescription): max |Δ| = \(diff), \(countDiff(ours.pixels, expected.pixels)) samples differ") }
        #expect(diff == 0)
    }
}
