import ArgumentParser
import Foundation
import SeerDatasets
import SeerModels
import SeerVideo

struct Classify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Zero-shot classification: label probabilities for each image, or each sampled video frame, from text labels.",
        discussion: """
        Probabilities follow the model family's rule, which the output names: for CLIP the softmax over
        labels of logit_scale × cosine(image, label), as CLIPModel's logits_per_image; for SigLIP
        sigmoid(logit_scale × cosine + logit_bias) per label, independent of the others (use --threshold
        for multi-label answers). Each label is put
        into a prompt template ("a photo of a {}." unless --template or --ensemble says otherwise); with
        several templates a label's text embedding is the mean of its normalized prompt embeddings.
        A video file or stream URL is classified frame by frame (--fps, --every): one result per sampled
        frame, or with --runs one per run of frames that share their top label; --plot draws the timeline.
        """
    )

    @OptionGroup var options: ModelOptions

    @Option(help: "Comma-separated labels, e.g. \"cat,dog,forklift\".")
    var labels: String?

    @Option(help: "A file with one label per line (for labels that contain commas).")
    var labelsFile: String?

    @Option(help: "A linear probe from `seer train` (.safetensors) instead of labels: its classes, softmax of W·x + b (\"cosine\" then holds the logit).")
    var head: String?

    @Option(help: "Prompt template with {} for the label (repeatable). Use \"{}\" for the bare label.")
    var template: [String] = []

    @Flag(help: "Use Seer's built-in ensemble of \(defaultPromptTemplates.count) prompt templates.")
    var ensemble = false

    @Option(name: [.customShort("k"), .long], help: "Show the k most probable labels per image (default: all).")
    var topK: Int?

    @Option(help: "Show only labels with at least this probability (multi-label with SigLIP, whose labels are scored independently).")
    var threshold: Float?

    @Option(help: "Output format: table, json (one JSON object per image or frame per line) or csv.")
    var format: OutputFormat = .table

    @OptionGroup(title: "Video") var frames: FrameOptions

    @Flag(help: "For videos: one result per run of consecutive frames with the same top label.")
    var runs = false

    @Option(help: "For one video: write an SVG timeline of the top label per frame.")
    var plot: String?

    @Argument(help: "Image files (JPEG, PNG, WebP), video files or stream URLs.")
    var images: [String]

    enum OutputFormat: String, ExpressibleByArgument { case table, json, csv }

    func validate() throws {
        if head != nil && (labels != nil || labelsFile != nil || ensemble || !template.isEmpty) {
            throw ValidationError("--head brings its own classes: leave out --labels, --labels-file, --template and --ensemble")
        }
        if head == nil && labels == nil && labelsFile == nil { throw ValidationError("give --labels, --labels-file or --head") }
        if ensemble && !template.isEmpty { throw ValidationError("--ensemble and --template are exclusive") }
        if let topK, topK < 1 { throw ValidationError("--top-k must be at least 1") }
        if let threshold, !(threshold >= 0 && threshold <= 1) { throw ValidationError("--threshold must be a probability, 0…1") }
        if images.isEmpty { throw ValidationError("give at least one image") }
        if plot != nil && images.filter(isVideo).count != 1 { throw ValidationError("--plot draws one video's timeline: give exactly one video") }
    }

    func labelList() throws -> [String] {
        var list: [String] = []
        if let labels { list += labels.split(separator: ",") .map { $0.trimmingCharacters(in: .whitespaces) } }
        if let labelsFile {
            guard let text = try? String(contentsOfFile: labelsFile, encoding: .utf8) else {
                throw CLIError("cannot read labels file \(labelsFile)")
            }
            list += text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
        }
        list = list.filter { !$0.isEmpty }
        guard !list.isEmpty else { throw CLIError("no labels given") }
        guard Set(list).count == list.count else { throw CLIError("labels repeat: \(list.joined(separator: ", "))") }
        return list
    }

    struct Score: Encodable {
        let label: String, probability: Float, cosine: Float
        init(_ p: ZeroShotClassifier.Prediction) { (label, probability, cosine) = (p.label, p.probability, p.cosine) }
    }

    struct Line: Encodable {
        let path: String
        var frame: Int?
        var time: Double?
        let scoring: String
        let predictions: [Score]
    }

    struct RunLine: Encodable {
        let path: String
        let scoring: String
        let run: LabelRun
    }

    func run() throws {
        try reportingErrors {
            let session = try options.load()
            _ = try session.imageEmbedder()
            let classifier: ImageScorer
            if let head {
                classifier = ImageScorer(try LinearProbe(contentsOf: URL(fileURLWithPath: head)), file: head)
            } else {
                let templates = ensemble ? defaultPromptTemplates : (template.isEmpty ? ["a photo of a {}."] : template)
                classifier = ImageScorer(try session.textEmbedder().classifier(labels: try labelList(), templates: templates))
            }
            let shown = min(topK ?? classifier.labels.count, classifier.labels.count)
            let labelWidth = min(40, classifier.labels.map(\.count).max() ?? 0)
            let rule = classifier.rule
            if format == .csv { print(runs ? "path,label,start,end,frames,mean_probability" : "path,frame,time,rank,label,probability,cosine") }
            func emit(_ path: String, frame: ClassifiedFrame?, _ ranked: ArraySlice<ZeroShotClassifier.Prediction>) throws {
                let predictions = ranked.filter { $0.probability >= (threshold ?? 0) }
                switch format {
                case .json:
                    try printJSONLine(Line(path: path, frame: frame?.index, time: frame?.time, scoring: rule, predictions: predictions.map(Score.init)))
                case .csv:
                    for (rank, p) in predictions.enumerated() {
                        let position = frame.map { "\($0.index),\(String(format: "%.3f", $0.time))" } ?? ","
                        print("\(csvField(path)),\(position),\(rank + 1),\(csvField(p.label)),\(p.probability),\(p.cosine)")
                    }
                case .table:
                    print(frame.map { String(format: "%@ @ %.2f s", path, $0.time) } ?? path, "(\(classifier.summary))")
                    for p in predictions {
                        let label = p.label.padding(toLength: max(labelWidth, p.label.count), withPad: " ", startingAt: 0)
                        print(String(format: "  %@  %6.2f%%", label, Double(p.probability) * 100))
                    }
                }
            }
            let stills = images.filter { !isVideo($0) }
            let failed = try session.embedImages(stills, batchSize: options.batchSize) { path, embedding in
                try emit(path, frame: nil, try classifier.predict(embedding).prefix(shown))
            }
            for video in images.filter(isVideo) {
                let pipeline = try session.imageEmbedder().pipeline
                var classified: [ClassifiedFrame] = []
                try forEachEmbeddedFrame(try frames.openSource(video), embedder: ModelFrameEmbedder(pipeline: pipeline, timings: nil),
                                         batchSize: options.batchSize) { frame, embedding in
                    let result = ClassifiedFrame(time: frame.time, index: classified.count, predictions: try classifier.predict(embedding))
                    classified.append(result)
                    if !runs { try emit(video, frame: result, result.predictions.prefix(shown)) }
                }
                guard !classified.isEmpty else { throw CLIError("\(video): no frames were sampled") }
                if runs {
                    for run in LabelRun.runs(classified) {
                        switch format {
                        case .json: try printJSONLine(RunLine(path: video, scoring: rule, run: run))
                        case .csv: print("\(csvField(video)),\(csvField(run.label)),\(run.start),\(run.end),\(run.frames),\(run.meanProbability)")
                        case .table: print(String(format: "%@  %8.2f–%8.2f s  %4d frames  %6.2f%%  %@", video, run.start, run.end, run.frames,
                                                  Double(run.meanProbability) * 100, run.label))
                        }
                    }
                }
                if let plot {
                    let svg = LabelTimelinePlot.svg(frames: classified, labels: classifier.labels, title: "\(video) (\(rule))")
                    try writeAtomically(Data(svg.utf8), to: URL(fileURLWithPath: plot))
                }
            }
            if failed > 0 { throw CLIError("\(failed) of \(stills.count) images could not be read") }
        }
    }
}
