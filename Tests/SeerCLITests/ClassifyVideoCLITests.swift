import Foundation
import SeerVideo
import Testing

/// `seer classify VIDEO`: sampled frames are classified exactly as the same frames saved as
/// PNG files and classified as images (frames are images: one path into the model).
@Suite(.serialized) struct ClassifyVideoCLITests {
    let labels = ["a bicycle", "a car", "a tree"]

    @Test func eachSampledFrameIsClassifiedLikeTheSameFrameAsAPNG() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("seer-classify-video-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }

        let arguments = ["classify", "--model", tinyModel.path, "--labels", labels.joined(separator: ","), "--template", "a photo of {}",
                         "--format", "json"]
        let video = try seer(arguments + ["--fps", "1", bikes])
        #expect(video.status == 0, "\(video.stderr)")
        let frameLines = try jsonLines(video.stdout)

        // The same frames, decoded by Seer's frame source, written losslessly as PNG files.
        let source = try FFmpegFrameSource(bikes, options: FrameSourceOptions(sampling: .fps(1)))
        var paths: [String] = [], times: [Double] = []
        while let frame = try source.nextFrame() {
            let url = dir.appendingPathComponent(String(format: "frame-%03d.png", paths.count))
            try PNGEncoder.encode(frame.image).write(to: url)
            paths.append(url.path)
            times.append(frame.time)
        }
        #expect(paths.count >= 10, "bikes.mp4 is about 10 s long: \(paths.count) frames at 1 fps")
        #expect(frameLines.count == paths.count, "one line per sampled frame")

        let stills = try seer(arguments + paths)
        #expect(stills.status == 0, "\(stills.stderr)")
        let stillLines = try jsonLines(stills.stdout)
        #expect(stillLines.count == paths.count)
        for (i, (frame, still)) in zip(frameLines, stillLines).enumerated() {
            #expect(frame["path"] as? String == bikes)
            #expect((frame["frame"] as? Int) == i)
            #expect(abs(((frame["time"] as? Double) ?? -1) - times[i]) < 1e-3)
            #expect(frame["scoring"] as? String == "softmax")
            let a = frame["predictions"] as! [[String: Any]], b = still["predictions"] as! [[String: Any]]
            #expect(a.map { $0["label"] as! String } == b.map { $0["label"] as! String }, "frame \(i)")
            for (p, q) in zip(a, b) {
                let x = (p["probability"] as! NSNumber).doubleValue, y = (q["probability"] as! NSNumber).doubleValue
                #expect(abs(x - y) < 1e-6, "frame \(i) \(p["label"]!): \(x) vs \(y)")
            }
        }
    }

    @Test func runsCoverEveryFrameAndTheTimelineIsDrawn() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("seer-classify-runs-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let plot = dir.appendingPathComponent("timeline.svg")
        let base = ["classify", "--model", tinyModel.path, "--labels", labels.joined(separator: ","), "--fps", "2", bikes]
        let frames = try jsonLines(try seer(base + ["--format", "json", "-k", "1"]).stdout)
        let result = try seer(base + ["--format", "json", "--runs", "--plot", plot.path])
        #expect(result.status == 0, "\(result.stderr)")
        let runs = try jsonLines(result.stdout).map { $0["run"] as! [String: Any] }
        // Runs partition the frames in order, each a maximal stretch of one top label.
        var expanded: [String] = []
        for run in runs { expanded += Array(repeating: run["label"] as! String, count: run["frames"] as! Int) }
        #expect(expanded == frames.map { (($0["predictions"] as! [[String: Any]])[0]["label"] as! String) })
        #expect(zip(runs, runs.dropFirst()).allSatisfy { ($0["label"] as! String) != ($1["label"] as! String) })
        let svg = try String(contentsOf: plot, encoding: .utf8)
        #expect(svg.contains("<svg") && labels.allSatisfy { svg.contains(">\($0)</text>") })

        let csv = try seer(base + ["--format", "csv", "-k", "1"])
        let rows = csv.stdout.split(separator: "\n")
        #expect(rows.first == "path,frame,time,rank,label,probability,cosine" && rows.count == frames.count + 1)
    }

    @Test func plotNeedsExactlyOneVideo() throws {
        let result = try seer(["classify", "--model", tinyModel.path, "--labels", "a,b", "--plot", "/tmp/x.svg", chelsea])
        #expect(result.status == 64)
        #expect(result.stderr.contains("exactly one video"))
    }
}
