import Foundation
import Testing
@testable import SeerImage

@Suite("Decoding matches Pillow")
struct DecodeTests {
    @Test("SHA-256 helper", arguments: [("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
                                         ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")])
    func sha(input: String, expected: String) {
        #expect(SHA256.hex(Array(input.utf8)) == expected)
    }

    /// Every input decodes to exactly the pixels Pillow gives after exif_transpose + convert("RGB").
    @Test("decoded pixels equal Pillow's", arguments: Fixtures.manifest.images)
    func decodedPixels(entry: Fixtures.Image) throws {
        let image = try ImageLoader.load(contentsOf: Fixtures.url(entry.file))
        #expect(image.width == entry.width)
        #expect(image.height == entry.height)
        try #require(image.pixels.count == entry.width * entry.height * 3)
        if let ref = entry.decoded {
            let expected = try ImageLoader.load(contentsOf: Fixtures.url(ref))
            let diff = maxAbsDiff(image.pixels, expected.pixels)
            let n = countDiff(image.pixels, expected.pixels)
            if diff != 0 { print("[decode] \(entry.file): max |Δ| = \(diff), \(n) of \(image.pixels.count) samples differ") }
            #expect(diff == 0, "\(entry.file): max |Δ| \(diff) vs Pillow over \(n) samples")
        }
        #expect(SHA256.hex(image.pixels) == entry.sha256, "\(entry.file): decoded RGB differs from Pillow's")
    }

    @Test("format is sniffed from the bytes, not the file name")
    func sniffing() throws {
        let png = try Fixtures.bytes("chelsea.png")
        #expect(ImageFormat.sniff(png) == .png)
        #expect(ImageFormat.sniff(try Fixtures.bytes("astronaut.jpg")) == .jpeg)
        #expect(ImageFormat.sniff(try Fixtures.bytes("coffee_lossy.webp")) == .webp)
        // A PNG renamed to .jpg still decodes as a PNG.
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("seer-renamed-\(getpid()).jpg")
        try Data(png).write(to: tmp)
        defer { try? FileManager.default.removeItem(at: tmp) }
        let a = try ImageLoader.load(contentsOf: tmp)
        let b = try ImageLoader.decode(png)
        #expect(a == b)
    }
}

@Suite("EXIF orientation")
struct OrientationTests {
    @Test("JPEG orientation 6 is rotated: dimensions swap, pixels equal Pillow's exif_transpose")
    func jpegOrientation6() throws {
        let image = try ImageLoader.load(contentsOf: Fixtures.url("chelsea_exif6.jpg"))
        #expect(image.width == 300 && image.height == 451)  // stored 451×300
        let expected = try ImageLoader.load(contentsOf: Fixtures.url("chelsea_exif6.decoded.png"))
        #expect(image == expected)
    }

    @Test("orientation read from each container", arguments: [
        ("chelsea_exif6.jpg", 6), ("rocket_exif8.jpg", 8), ("chelsea_exif3.png", 3), ("astronaut_exif5.png", 5),
        ("rocket_exif7.webp", 7), ("astronaut.jpg", 0), ("chelsea.png", 0), ("coffee_lossy.webp", 0),
    ])
    func containers(file: String, orientation: Int) throws {
        let bytes = try Fixtures.bytes(file)
        let block: ArraySlice<UInt8>?
        switch ImageFormat.sniff(bytes)! {
        case .jpeg: block = Exif.jpegBlock(bytes)
        case .png: block = Exif.pngBlock(bytes)
        case .webp: block = Exif.webpBlock(bytes)
        }
        #expect(block.flatMap { Exif.orientation(tiff: $0) }?.rawValue ?? 0 == orientation)
    }

    @Test("the eight orientations transform a 3×2 image like PIL's transposes")
    func allOrientations() {
        // Pixels numbered 0..5 row-major: 0 1 2 / 3 4 5.
        let img = RGBImage(width: 3, height: 2, pixels: (0..<6).flatMap { [UInt8($0), UInt8($0), UInt8($0)] })
        func ids(_ i: RGBImage) -> [Int] { stride(from: 0, to: i.pixels.count, by: 3).map { Int(i.pixels[$0]) } }
        let expected: [ExifOrientation: (Int, Int, [Int])] = [
            .up: (3, 2, [0, 1, 2, 3, 4, 5]),
            .upMirrored: (3, 2, [2, 1, 0, 5, 4, 3]),
            .down: (3, 2, [5, 4, 3, 2, 1, 0]),
            .downMirrored: (3, 2, [3, 4, 5, 0, 1, 2]),
            .leftMirrored: (2, 3, [0, 3, 1, 4, 2, 5]),     // transpose
            .right: (2, 3, [3, 0, 4, 1, 5, 2]),            // 90° clockwise
            .rightMirrored: (2, 3, [5, 2, 4, 1, 3, 0]),    // transverse
            .left: (2, 3, [2, 5, 1, 4, 0, 3]),             // 90° counter-clockwise
        ]
        for (o, (w, h, order)) in expected {
            let out = img.applying(o)
            #expect(out.width == w && out.height == h, "\(o)")
            #expect(ids(out) == order, "\(o)")
        }
    }

    @Test("malformed EXIF blocks are ignored, never fatal")
    func malformedExif() throws {
        // Hand-made minimal blocks.
        let good: [UInt8] = Array("MM".utf8) + [0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0, 0, 0, 0, 0]
        #expect(Exif.orientation(tiff: good[...]) == .right)
        let little: [UInt8] = Array("II".utf8) + [42, 0, 8, 0, 0, 0, 1, 0, 0x12, 0x01, 3, 0, 1, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0]
        #expect(Exif.orientation(tiff: little[...]) == .left)
        #expect(Exif.orientation(tiff: [][...]) == nil)
        #expect(Exif.orientation(tiff: Array("II*\0".utf8)[...]) == nil)
        var outOfRange = good; outOfRange[17] = 9
        #expect(Exif.orientation(tiff: outOfRange[...]) == nil)
        var badOffset = good; badOffset[4] = 0xFF
        #expect(Exif.orientation(tiff: badOffset[...]) == nil)
        var manyEntries = good; manyEntries[8] = 0xFF; manyEntries[9] = 0xFF; manyEntries[11] = 0x13  // 65535 entries, none 0x0112
        #expect(Exif.orientation(tiff: manyEntries[...]) == nil)
        // Every truncation and many random byte flips of a real block: no crash.
        let jpeg = try Fixtures.bytes("chelsea_exif6.jpg")
        let block = Array(try #require(Exif.jpegBlock(jpeg)))
        for n in 0..<block.count { _ = Exif.orientation(tiff: block[0..<n]) }
        var rng = SeededGenerator(defaultSeed: 0x5EE5_0002)
        for round in 0..<2000 {
            var b = block
            for _ in 0..<3 { b[Int.random(in: 6..<b.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng) }
            // An orientation can only come from an entry tagged 0x0112 in the block's byte order.
            if Exif.orientation(tiff: b[...]) != nil {
                let (first, second): (UInt8, UInt8) = b[6] == 0x4D ? (0x01, 0x12) : (0x12, 0x01)
                let tagged = (6..<(b.count - 1)).contains { (i: Int) -> Bool in b[i] == first && b[i + 1] == second }
                #expect(tagged, "seed \(rng.seed), round \(round): an orientation read from a block without its tag")
            }
        }
        // A JPEG whose APP1 claims more bytes than the file has decodes, unrotated or not, without crashing.
        var broken = jpeg
        if let i = (0..<(broken.count - 1)).first(where: { broken[$0] == 0xFF && broken[$0 + 1] == 0xE1 }) {
            broken[i + 10] ^= 0xFF  // corrupt the TIFF byte-order mark
        }
        let image = try ImageLoader.decode(broken)
        #expect(image.width == 451 && image.height == 300)  // orientation ignored
    }
}
