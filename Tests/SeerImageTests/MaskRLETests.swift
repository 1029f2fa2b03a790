import Foundation
import Testing
@testable import SeerImage

/// COCO RLE, bbox and area against pycocotools 2.0.11 (Tests/Fixtures/masks/rle.json).
@Suite struct MaskRLETests {
    @Test(arguments: MaskFixtures.file.masks)
    func encodesAsPycocotools(_ fixture: MaskFixtures.Mask) throws {
        let mask = fixture.mask
        let rle = MaskRLE(mask)
        #expect(rle.counts == fixture.counts)
        #expect(rle.compressed == fixture.string)
        #expect(rle.area == fixture.area)
        #expect(mask.area == fixture.area)
        #expect(mask.cocoBoundingBox.map(Double.init) == fixture.bbox)
    }

    @Test(arguments: MaskFixtures.file.masks)
    func decodesPycocotoolsBothForms(_ fixture: MaskFixtures.Mask) throws {
        let fromString = try MaskRLE(width: fixture.width, height: fixture.height, compressed: fixture.string)
        #expect(fromString.counts == fixture.counts)
        #expect(fromString.decoded() == fixture.mask)
        let fromCounts = try MaskRLE(width: fixture.width, height: fixture.height, counts: fixture.counts)
        #expect(fromCounts.decoded() == fixture.mask)
    }

    @Test func fixturesCoverTheEdgeCases() {
        let masks = MaskFixtures.file.masks
        #expect(masks.contains { $0.area == 0 })
        #expect(masks.contains { $0.area == $0.width * $0.height })
        #expect(masks.contains { $0.counts.max()! > 1 << 16 })
        #expect(masks.contains { $0.width % 2 == 1 && $0.height % 2 == 1 && $0.area > 0 })
    }

    @Test func roundTripsSeededMasks() throws {
        var generator = MaskGenerator(state: 7)
        for (width, height) in [(1, 1), (2, 3), (17, 5), (64, 48), (33, 70)] {
            let mask = generator.mask(width: width, height: height)
            let rle = MaskRLE(mask)
            #expect(rle.counts.reduce(0, +) == width * height)
            #expect(rle.decoded() == mask)
            #expect(try MaskRLE(width: width, height: height, compressed: rle.compressed) == rle)
        }
    }

    @Test func rejectsMalformedRLE() {
        // Counts that do not add up to the mask's size.
        #expect(throws: MaskError.self) { try MaskRLE(width: 3, height: 2, counts: [2, 3]) }
        #expect(throws: MaskError.self) { try MaskRLE(width: 3, height: 2, counts: [7, -1]) }
        #expect(throws: MaskError.self) { try MaskRLE(width: 2, height: 2, counts: [Int.max, Int.max, 1]) }
        // Characters outside pycocotools' alphabet, a string cut inside a count, a wrong size.
        #expect(throws: MaskError.self) { try MaskRLE(width: 4, height: 5, compressed: "d0 ") }
        #expect(throws: MaskError.self) { try MaskRLE(width: 4, height: 5, compressed: "d") }
        #expect(throws: MaskError.self) { try MaskRLE(width: 5, height: 5, compressed: "d0") }
        #expect(throws: MaskError.self) { try MaskRLE(width: 5, height: 5, compressed: String(repeating: "o", count: 40)) }
        #expect((try? MaskRLE(width: 4, height: 5, compressed: "d0"))?.counts == [20])
    }

    @Test func writesGrayPNGThatDecodesToTheMask() throws {
        let mask = MaskFixtures.file.masks.first { $0.name == "blobs 61x47" }!.mask
        let data = try mask.pngData()
        #expect(data.prefix(8) == Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
        // IHDR: bit depth 8, colour type 0 (grayscale).
        #expect(data[24] == 8 && data[25] == 0)
        let image = try ImageLoader.decode([UInt8](data))
        #expect(image.width == 61 && image.height == 47)
        for y in 0..<47 {
            for x in 0..<61 {
                let (r, g, b) = image[x, y]
                #expect(r == g && g == b && r == (mask[x, y] ? 255 : 0))
            }
        }
        #expect(throws: MaskError.self) { try BinaryMask(width: 0, height: 3).pngData() }
    }
}
