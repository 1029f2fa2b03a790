import ArgumentParser
import Foundation
import SeerRuntime
import SeerImage
import SeerModels
import SeerVideo

/// Turns sampled frames into embeddings.
protocol FrameEmbedder {
    func embed(_ images: [RGBImage]) throws -> [[Float]]
}

/// Frames through the model's embedding pipeline, like any other image.
struct ModelFrameEmbedder: FrameEmbedder {
    let pipeline: ImageEmbeddingPipeline
    let timings: StageTimings?

    func embed(_ images: [RGBImage]) throws -> [[Float]] {
        guard let timings else { return try pipeline.embed(images: images) }
        let pixels = timings.measure(\.preprocess) { pipeline.pixelValues(images) }
        let embeddings = try timings.measure(\.embed) { try pipeline.model.imageEmbeddings(pixelValues: pixels) }
        return (0..<images.count).map { embeddings.row($0) }
    }
}

/// Seconds spent per stage, for --timings (bench/video.py reads the line it prints).
final class StageTimings {
    var decode = 0.0, preprocess = 0.0, embed = 0.0, frames = 0
    let started = Date()

    func measure<T>(_ stage: ReferenceWritableKeyPath<StageTimings, Double>, _ body: () throws -> T) rethrows -> T {
        let t = Date()
        defer { self[keyPath: stage] += Date().timeIntervalSince(t) }
        return try body()
    }

    func report() {
        let total = Date().timeIntervalSince(started)
        printError(String(format: "{\"frames\":%d,\"decode_s\":%.3f,\"preprocess_s\":%.3f,\"embed_s\":%.3f,\"total_s\":%.3f,\"frames_per_s\":%.2f}",
                          frames, decode, preprocess, embed, total, Double(frames) / total))
    }
}

/// Colour histograms: no model, meaningful on any footage (see `ColorHistogram`).
struct HistogramFrameEmbedder: FrameEmbedder {
    func embed(_ images: [RGBImage]) throws -> [[Float]] { images.map { ColorHistogram().embed($0) } }
}

enum EmbedderKind: String, ExpressibleByArgument, CaseIterable {
    case model, histogram

    init?(argument: String) {
        // `clip` was this option's name for the model before other families joined.
        self.init(rawValue: argument == "clip" ? "model" : argument)
    }
}

/// Options shared by the video commands: which frames, and how they become embeddings.
struct VideoOptions: ParsableArguments {
    @Option(name: .shortAndLong, help: "An image-embedding checkpoint (CLIP, DINOv2, …): a folder or Hub id ORG/NAME[@REVISION] (needed unless --embedder histogram).")
    var model: String?

    @Option(help: "How an embedding pools the image's tokens, for families that offer a choice (DINOv2): cls, mean, cls+mean.")
    var pooling: EmbeddingPooling?

    @Option(help: "What embeds a frame: model (the --model) or histogram (colour statistics, no model).")
    var embedder: EmbedderKind = .model

    @OptionGroup var frames: FrameOptions

    @Option(help: "Worker threads (default: all cores).")
    var threads: Int?

    @Option(help: "Frames per forward pass.")
    var batchSize: Int = 8

    @Flag(help: .hidden)
    var timings = false

    func validate() throws {
        if embedder == .model && model == nil { throw ValidationError("give --model, or --embedder histogram") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
        if batchSize < 1 { throw ValidationError("--batch-size must be at least 1") }
    }

    var stallTimeout: Double { frames.stallTimeout }

    func openSource(_ path: String) throws -> FFmpegFrameSource { try frames.openSource(path) }

    func makeEmbedder(timings: StageTimings? = nil) throws -> FrameEmbedder {
        switch embedder {
        case .histogram:
            return HistogramFrameEmbedder()
        case .model:
            SeerThreads.set(threads)
            let loaded = try ModelRegistry.shared.load(directory: resolveModelFolder(model ?? ""), options: LoadOptions(pooling: pooling))
            return ModelFrameEmbedder(pipeline: try loaded.requireImageEmbedder().pipeline, timings: timings)
        }
    }
}

/// Which frames of a video or stream to read.
struct FrameOptions: ParsableArguments {
    @Option(help: "Sample this many frames per second (default 2).")
    var fps: Double?

    @Option(help: "Sample every N-th decoded frame instead of --fps.")
    var every: Int?

    @Option(help: "Start at this time, in seconds.")
    var start: Double = 0

    @Option(help: "Give up on a stream that sends nothing for this many seconds.")
    var stallTimeout: Double = 10

    func validate() throws {
        if let fps, !(fps > 0) { throw ValidationError("--fps must be positive") }
        if let every, every < 1 { throw ValidationError("--every must be at least 1") }
        if fps != nil && every != nil { throw ValidationError("give --fps or --every, not both") }
        if !(start >= 0) { throw ValidationError("--start must be 0 or more") }
        if !(stallTimeout >= 0) { throw ValidationError("--stall-timeout must be 0 or more") }
    }

    var sampling: FrameSampling {
        if let every { return .every(every) }
        return .fps(fps ?? 2)
    }

    func openSource(_ path: String) throws -> FFmpegFrameSource {
        try FFmpegFrameSource(path, options: FrameSourceOptions(sampling: sampling, start: start, stallTimeout: stallTimeout))
    }
}

/// Reads a source in batches, embeds each batch and hands every frame with its embedding to
/// `body`, in order. Prints the source's warnings on stderr as they appear.
func forEachEmbeddedFrame(_ source: FFmpegFrameSource, embedder: FrameEmbedder, batchSize: Int, timings: StageTimings? = nil,
                          _ body: (VideoFrame, [Float]) throws -> Void) throws {
    var reported = 0
    func reportWarnings() {
        for line in source.warnings.dropFirst(reported) { printError("seer: warning: \(line)") }
        reported = source.warnings.count
    }
    var batch: [VideoFrame] = []
    func flush() throws {
        guard !batch.isEmpty else { return }
        for (frame, embedding) in zip(batch, try embedder.embed(batch.map(\.image))) { try body(frame, embedding) }
        batch.removeAll(keepingCapacity: true)
    }
    defer { reportWarnings() }
    func next() throws -> VideoFrame? {
        guard let timings else { return try source.nextFrame() }
        return try timings.measure(\.decode) { try source.nextFrame() }
    }
    while let frame = try next() {
        timings?.frames += 1
        batch.append(frame)
        if batch.count == batchSize { try flush() }
        reportWarnings()
    }
    try flush()
}
