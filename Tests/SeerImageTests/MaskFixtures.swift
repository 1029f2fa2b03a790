import Foundation
import Testing
@testable import SeerImage

/// Tests/Fixtures/masks/rle.json, written by scripts/fixtures/make_mask_fixtures.py with pycocotools.
enum MaskFixtures {
    struct Mask: Decodable, Sendable, CustomTestStringConvertible {
        let name: String
        let width: Int
        let height: Int
        let bits: String?
        let rects: [[Int]]?
        let counts: [Int]
        let string: String
        let bbox: [Double]
        let area: Int
        var testDescription: String { name }

        var mask: BinaryMask {
            if let bits { return unpack(bits, width: width, height: height) }
            var mask = BinaryMask(width: width, height: height)
            for r in rects ?? [] {
                for y in r[1]..<(r[1] + r[3]) { for x in r[0]..<(r[0] + r[2]) { mask[x, y] = true } }
            }
            return mask
        }
    }

    struct Polygons: Decodable, Sendable, CustomTestStringConvertible {
        let name: String
        let width: Int
        let height: Int
        let polygons: [[Double]]
        let bits: String
        var testDescription: String { name }
        var mask: BinaryMask { unpack(bits, width: width, height: height) }
    }

    struct File: Decodable, Sendable {
        let masks: [Mask]
        let polygons: [Polygons]
    }

    static let file: File = {
        let url = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Fixtures/masks/rle.json")
        do {
            return try JSONDecoder().decode(File.self, from: Data(contentsOf: url))
        } catch {
            fatalError("cannot read \(url.path): \(error); run scripts/fixtures/make_mask_fixtures.py")
        }
    }()

    /// numpy.packbits of the row-major mask, as hex: most significant bit first.
    static func unpack(_ hex: String, width: Int, height: Int) -> BinaryMask {
        let bytes = stride(from: 0, to: hex.count, by: 2).map { i -> UInt8 in
            let start = hex.index(hex.startIndex, offsetBy: i)
            return UInt8(hex[start..<hex.index(start, offsetBy: 2)], radix: 16)!
        }
        let bits = (0..<(width * height)).map { bytes[$0 / 8] & (0x80 >> UInt8($0 % 8)) != 0 }
        return BinaryMask(width: width, height: height, bits: bits)
    }
}

/// Seeded masks for property checks: blobs, noise and diagonal patterns.
struct MaskGenerator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func uniform() -> Double { Double(next() >> 11) / Double(1 << 53) }

    /// Discs, rings (discs with holes) and sprinkled single pixels.
    mutating func mask(width: Int, height: Int) -> BinaryMask {
        var mask = BinaryMask(width: width, height: height)
        for _ in 0..<(1 + Int(next() % 4)) {
            let cx = uniform() * Double(width), cy = uniform() * Double(height)
            let r = 1 + uniform() * Double(min(width, height)) / 2
            let hole = uniform() < 0.5 ? r * uniform() * 0.7 : 0
            for y in 0..<height {
                for x in 0..<width {
                    let d = ((Double(x) + 0.5 - cx) * (Double(x) + 0.5 - cx) + (Double(y) + 0.5 - cy) * (Double(y) + 0.5 - cy)).squareRoot()
                    if d < r && d >= hole { mask[x, y].toggle() }
                }
            }
        }
        for _ in 0..<Int(next() % 12) { mask[Int(next() % UInt64(width)), Int(next() % UInt64(height))].toggle() }
        return mask
    }
}
