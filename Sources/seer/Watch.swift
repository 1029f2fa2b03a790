import ArgumentParser
import Foundation
import SeerAnalytics
import SeerVideo

struct Watch: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Watch a video or stream and report frames that change or stand out, as JSON lines.",
        discussion: """
        Default (calibrated): each frame gets a novelty score, 1 − cosine to a reference (changes: an
        exponential moving average of the previous frames; outliers: the mean of the previous
        --reference-window frames), and a conformal p-value against the scores of the previous
        --calibration-window frames. A frame is flagged when p ≤ --false-alarm-rate, so on a steady
        scene that share of frames is flagged, whatever the model or footage.
        --compat roboflow: Roboflow's Identify Changes / Identify Outliers blocks, step for step
        (defaults: changes t=0.2, warm-up 3, EMA α=0.1 / window 10; outliers t=0.05, warm-up 3,
        window 32). These flag ~20% / ~9% of a steady scene by construction.
        Each flagged frame prints {"time", "frame", "detector", "percentile", "score", "saved"?};
        --all prints every frame. --save DIR writes flagged frames as PNG, at most one per --cooldown seconds.
        """
    )

    @Argument(help: "A video file or stream URL (rtsp://, http(s)://, HLS…).")
    var source: String

    @OptionGroup var options: VideoOptions

    @Option(help: "changes or outliers.")
    var detector: CalibratedDetector.Mode = .changes

    @Option(help: "Detector semantics: seer (calibrated) or roboflow.")
    var compat: Compat = .seer

    @Option(help: "Calibrated: the share of frames of a steady scene to flag.")
    var falseAlarmRate: Double = 0.01

    @Option(help: "Calibrated: past scores the p-value is computed against.")
    var calibrationWindow: Int = 1000

    @Option(help: "Calibrated outliers: past frames whose mean is the reference.")
    var referenceWindow: Int = 100

    @Option(help: "Roboflow changes: ema, sma or sliding-window.")
    var strategy: RoboflowIdentifyChanges.Strategy = .ema

    @Option(help: "Roboflow: threshold percentile (default 0.2 for changes, 0.05 for outliers).")
    var threshold: Double?

    @Option(help: "Roboflow: frames before anything is flagged.")
    var warmup: Int = 3

    @Option(help: "EMA smoothing factor (Roboflow changes EMA; calibrated changes reference).")
    var smoothing: Double = 0.1

    @Option(help: "Roboflow: window size (default 10 for changes, 32 for outliers).")
    var window: Int?

    @Option(help: "Write flagged frames as PNG into this folder.")
    var save: String?

    @Option(help: "With --save: seconds (of video time) to wait after saving a frame before saving another.")
    var cooldown: Double = 0

    @Flag(help: "Print a line for every frame, not only flagged ones.")
    var all = false

    enum Compat: String, ExpressibleByArgument { case seer, roboflow }

    func validate() throws {
        if !(falseAlarmRate > 0 && falseAlarmRate < 1) { throw ValidationError("--false-alarm-rate must be between 0 and 1") }
        if calibrationWindow < 1 || referenceWindow < 1 { throw ValidationError("windows must hold at least 1 frame") }
        if let threshold, !(threshold > 0 && threshold < 1) { throw ValidationError("--threshold must be between 0 and 1") }
        if let window, window < 1 { throw ValidationError("--window must be at least 1") }
        if !(smoothing > 0 && smoothing <= 1) { throw ValidationError("--smoothing must be in (0, 1]") }
        if warmup < 0 { throw ValidationError("--warmup must be 0 or more") }
        if !(cooldown >= 0) { throw ValidationError("--cooldown must be 0 or more") }
    }

    func makeDetector() -> any EmbeddingDetector {
        switch (compat, detector) {
        case (.seer, let mode):
            return CalibratedDetector(mode: mode, falseAlarmRate: falseAlarmRate, calibrationWindow: calibrationWindow,
                                      smoothingFactor: smoothing, referenceWindow: referenceWindow)
        case (.roboflow, .changes):
            return RoboflowIdentifyChanges(strategy: strategy, thresholdPercentile: threshold ?? 0.2, warmup: warmup,
                                           smoothingFactor: smoothing, windowSize: window ?? 10)
        case (.roboflow, .outliers):
            return RoboflowIdentifyOutliers(thresholdPercentile: threshold ?? 0.05, warmup: warmup, windowSize: window ?? 32)
        }
    }

    struct Event: Encodable {
        let time: Double
        let frame: Int
        let detector: String
        let flagged: Bool
        let warming_up: Bool
        let percentile: Double?
        let score: Double?
        var saved: String?
    }

    func run() throws {
        try reportingErrors {
            let embedder = try options.makeEmbedder()
            if let save { try FileManager.default.createDirectory(atPath: save, withIntermediateDirectories: true) }
            let frames = try options.openSource(source)
            var detector = makeDetector()
            let name = "\(compat == .roboflow ? "roboflow-" : "")\(self.detector.rawValue)"
            var lastSaved: Double?
            try forEachEmbeddedFrame(frames, embedder: embedder, batchSize: options.batchSize) { frame, embedding in
                let reading = detector.update(embedding)
                guard reading.isOutlier || all else { return }
                var event = Event(time: frame.time, frame: frame.index, detector: name, flagged: reading.isOutlier,
                                  warming_up: reading.warmingUp, percentile: reading.percentile.isFinite ? reading.percentile : nil,
                                  score: reading.score.flatMap { $0.isFinite ? $0 : nil })
                if let save, reading.isOutlier, lastSaved.map({ frame.time - $0 >= cooldown }) ?? true {
                    let path = URL(fileURLWithPath: save).appendingPathComponent(String(format: "frame-%08.3f.png", frame.time))
                    try writeAtomically(try PNGEncoder.encode(frame.image), to: path)
                    lastSaved = frame.time
                    event.saved = path.path
                }
                try printJSONLine(event)
            }
        }
    }
}

extension CalibratedDetector.Mode: ExpressibleByArgument {}
extension RoboflowIdentifyChanges.Strategy: ExpressibleByArgument {}
