import ArgumentParser
import Foundation
import SeerAnalytics
import SeerImage
import SeerVideo

struct Scenes: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Find scene changes in a video: cut times and the frame-to-frame similarity trace.",
        discussion: """
        Frames are sampled (--fps, default 2, or --every), embedded, and the cosine similarity of each
        sampled frame with the next forms the trace. A gap is a cut when its similarity falls below the
        median of its --neighbors gaps on each side by at least max(--min-drop, --sensitivity × robust
        spread (1.4826 × MAD)) and is a local minimum; of two cuts closer than --min-scene-length
        seconds the deeper one is kept. A cut is reported at the first sampled frame of the new scene
        (`time`); it happened after `previous_time`.
        Output: JSON (cuts, scenes, trace) or CSV (one row per gap: time, similarity, cut).
        """
    )

    @Argument(help: "A video file or stream URL.")
    var video: String

    @OptionGroup var options: VideoOptions

    @Option(help: "json or csv.")
    var format: OutputFormat = .json

    @Option(help: "Gaps on each side that form the local baseline.")
    var neighbors: Int = 5

    @Option(help: "How many robust standard deviations below the baseline a cut must fall.")
    var sensitivity: Double = 4

    @Option(help: "The smallest similarity drop below the baseline that counts as a cut.")
    var minDrop: Double = 0.05

    @Option(help: "Shortest scene, in seconds.")
    var minSceneLength: Double = 1

    @Option(help: "Write a contact sheet (PNG): the first frame of every scene.")
    var contactSheet: String?

    @Option(help: "Write an SVG chart of the similarity trace with the cuts marked.")
    var plot: String?

    enum OutputFormat: String, ExpressibleByArgument { case json, csv }

    func validate() throws {
        if neighbors < 1 { throw ValidationError("--neighbors must be at least 1") }
        if !(minSceneLength >= 0) { throw ValidationError("--min-scene-length must be 0 or more") }
        if let contactSheet, !contactSheet.lowercased().hasSuffix(".png") { throw ValidationError("--contact-sheet must name a .png file") }
    }

    func run() throws {
        try reportingErrors {
            let timings = options.timings ? StageTimings() : nil
            let embedder = try options.makeEmbedder(timings: timings)
            let source = try options.openSource(video)
            var times: [Double] = []
            var embeddings: [[Float]] = []
            try forEachEmbeddedFrame(source, embedder: embedder, batchSize: options.batchSize, timings: timings) { frame, embedding in
                times.append(frame.time)
                embeddings.append(embedding)
            }
            timings?.report()
            guard !times.isEmpty else { throw CLIError("\(video): no frames were sampled") }
            let similarities = consecutiveSimilarities(embeddings)
            let detector = SceneDetector(neighbors: neighbors, sensitivity: sensitivity, minimumDrop: minDrop, minimumSceneLength: minSceneLength)
            let cuts = detector.cuts(similarities: similarities, times: times)
            let report = SceneReport(video: video, times: times, similarities: similarities, cuts: cuts)
            switch format {
            case .json: try printJSONLine(report)
            case .csv: print(report.csv, terminator: "")
            }
            if let plot {
                let svg = SimilarityPlot.svg(times: Array(times.dropFirst()), similarities: similarities, cuts: cuts.map(\.time), title: video)
                try writeAtomically(Data(svg.utf8), to: URL(fileURLWithPath: plot))
            }
            if let contactSheet {
                let keyframes = try sceneStartFrames([times[0]] + cuts.map(\.time))
                try writeAtomically(try PNGEncoder.encode(ContactSheet.make(keyframes)), to: URL(fileURLWithPath: contactSheet))
            }
        }
    }

    /// Decodes the frame at each time again (seeking), rather than keeping every sampled frame.
    func sceneStartFrames(_ times: [Double]) throws -> [RGBImage] {
        try times.map { time in
            let source = try FFmpegFrameSource(video, options: FrameSourceOptions(start: time, stallTimeout: options.stallTimeout, maxDimension: 640))
            guard let frame = try source.nextFrame() else { throw CLIError("\(video): no frame at \(time) s for the contact sheet") }
            return frame.image
        }
    }
}

/// What `seer scenes` prints.
struct SceneReport: Encodable {
    struct Cut: Encodable {
        let time: Double
        let previous_time: Double
        let similarity: Double
        let baseline: Double
    }
    struct Scene: Encodable {
        let start: Double
        let end: Double
    }
    struct Point: Encodable {
        let time: Double
        let similarity: Double?
    }

    let video: String
    let frames: Int
    let cuts: [Cut]
    let scenes: [Scene]
    /// Similarity of each sampled frame with the one before it, at the later frame's time.
    let trace: [Point]

    init(video: String, times: [Double], similarities: [Double], cuts: [SceneDetector.Cut]) {
        self.video = video
        frames = times.count
        self.cuts = cuts.map { Cut(time: $0.time, previous_time: $0.previousTime, similarity: $0.similarity, baseline: $0.baseline) }
        let starts = [times[0]] + cuts.map(\.time)
        let ends = cuts.map(\.previousTime) + [times[times.count - 1]]
        scenes = zip(starts, ends).map { Scene(start: $0, end: $1) }
        trace = zip(times.dropFirst(), similarities).map { Point(time: $0, similarity: $1.isFinite ? $1 : nil) }
    }

    var csv: String {
        let cutTimes = Set(cuts.map(\.time))
        var out = "time,similarity,cut\n"
        for point in trace {
            out += "\(point.time),\(point.similarity.map { String($0) } ?? ""),\(cutTimes.contains(point.time) ? 1 : 0)\n"
        }
        return out
    }
}
