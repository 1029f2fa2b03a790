import Foundation
import Testing
@testable import SeerImage

/// Polygons: mask → polygons → pixels must give the mask back exactly (IoU 1), both through
/// Seer's own fill and through pycocotools' frPyObjects + decode, the way COCO tools read them.
@Suite struct MaskPolygonTests {
    /// Twice the signed area (shoelace) of a flat [x1, y1, x2, y2, …] ring.
    func twiceArea(_ p: [Double]) -> Double {
        let n = p.count / 2
        return (0..<n).reduce(0.0) { sum, i in
            let j = (i + 1) % n
            return sum + p[2 * i] * p[2 * j + 1] - p[2 * j] * p[2 * i + 1]
        }
    }

    @Test(arguments: MaskFixtures.file.masks.filter { $0.width * $0.height < 50_000 })
    func polygonsFillBackToTheMask(_ fixture: MaskFixtures.Mask) {
        let mask = fixture.mask
        let polygons = mask.polygons
        #expect(BinaryMask(width: mask.width, height: mask.height, polygons: polygons) == mask)
        // Corner-convention polygons enclose exactly the mask's pixels: outline minus holes.
        #expect(polygons.map(twiceArea).reduce(0, +) == Double(2 * mask.area))
        #expect(polygons.allSatisfy { $0.count >= 8 && $0.count % 2 == 0 })
    }

    @Test func onePolygonPerFourConnectedPartHolesIncluded() {
        // A ring (one part with a hole), a lone pixel, and two pixels touching at a corner.
        var mask = BinaryMask(width: 9, height: 6)
        for y in 0..<4 { for x in 0..<4 where !(x == 1 && y == 1) && !(x == 2 && y == 2) && !(x == 1 && y == 2) && !(x == 2 && y == 1) { mask[x, y] = true } }
        mask[6, 0] = true
        mask[6, 4] = true
        mask[7, 5] = true
        let polygons = mask.polygons
        #expect(polygons.count == 4)
        // The ring's polygon is its 4×4 outline, a bridge, and the 2×2 hole: area 16 − 4.
        #expect(polygons[0].prefix(8) == [0, 0, 4, 0, 4, 4, 0, 4])
        #expect(twiceArea(polygons[0]) == 24)
        #expect(polygons[1] == [6, 0, 7, 0, 7, 1, 6, 1])
        #expect(BinaryMask(width: 9, height: 6, polygons: polygons) == mask)
        #expect(BinaryMask(width: 9, height: 6).polygons.isEmpty)
    }

    @Test func seededMasksRoundTrip() {
        var generator = MaskGenerator(state: 11)
        for size in [(5, 4), (40, 30), (73, 51), (120, 90)] {
            for _ in 0..<6 {
                let mask = generator.mask(width: size.0, height: size.1)
                #expect(BinaryMask(width: size.0, height: size.1, polygons: mask.polygons) == mask)
            }
        }
    }

    /// pycocotools rasterizes Seer's polygons (holes and all) back to exactly the mask.
    @Test func pycocotoolsReadsThePolygonsAsTheMask() throws {
        var cases: [(String, BinaryMask)] = MaskFixtures.file.masks.filter { $0.width * $0.height < 50_000 && $0.area > 0 }
            .map { ($0.name, $0.mask) }
        var generator = MaskGenerator(state: 5)
        for i in 0..<8 { cases.append(("seeded \(i)", generator.mask(width: 48 + i, height: 40))) }
        let request = cases.map { ["height": $0.1.height, "width": $0.1.width, "polygons": $0.1.polygons] as [String: Any] }
        let input = FileManager.default.temporaryDirectory.appendingPathComponent("seer-polygons-\(UUID().uuidString).json")
        try JSONSerialization.data(withJSONObject: request).write(to: input)
        defer { try? FileManager.default.removeItem(at: input) }
        let output = try runPython("""
            import json, sys
            from pycocotools import mask as m
            out = []
            for c in json.load(open(sys.argv[1])):
                rle = m.merge(m.frPyObjects(c["polygons"], c["height"], c["width"]))
                out.append(rle["counts"].decode())
            print(json.dumps(out))
            """, [input.path])
        let strings = try JSONSerialization.jsonObject(with: Data(output.utf8)) as! [String]
        #expect(strings.count == cases.count)
        for ((name, mask), string) in zip(cases, strings) {
            let back = try MaskRLE(width: mask.width, height: mask.height, compressed: string).decoded()
            #expect(back == mask, "\(name): IoU \(back.iou(mask))")
        }
    }

    /// Seer's fill against pycocotools' on COCO polygons with fractional vertices. pycocotools
    /// snaps vertices to a fifth of a pixel before filling, so pixels whose centre lies that
    /// close to an edge may differ: two at most on these shapes (IoU ≥ 0.98), none for integer
    /// vertices.
    @Test(arguments: MaskFixtures.file.polygons)
    func fillAgreesWithPycocotools(_ fixture: MaskFixtures.Polygons) {
        let ours = BinaryMask(width: fixture.width, height: fixture.height, polygons: fixture.polygons)
        let theirs = fixture.mask
        let differing = zip(ours.bits, theirs.bits).filter { $0 != $1 }.count
        let integral = fixture.polygons.allSatisfy { $0.allSatisfy { $0 == $0.rounded() } }
        #expect(differing <= (integral ? 0 : 2), "\(differing) pixels differ")
        #expect(ours.iou(theirs) >= (integral ? 1 : 0.98))
    }
}

/// Runs a Python script and returns its stdout; a failure raises with its stderr.
func runPython(_ script: String, _ arguments: [String]) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", script] + arguments
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    nonisolated(unsafe) var errData = Data()
    // The reader signals when stderr reached its end: waited on below, not polled.
    let errRead = DispatchSemaphore(value: 0)
    let errReader = Thread {
        errData = err.fileHandleForReading.readDataToEndOfFile()
        errRead.signal()
    }
    errReader.start()
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    errRead.wait()
    guard process.terminationStatus == 0 else {
        throw CocoaError(.executableLoad, userInfo: [NSLocalizedDescriptionKey: "python failed: \(String(decoding: errData, as: UTF8.self))"])
    }
    return String(decoding: outData, as: UTF8.self)
}
