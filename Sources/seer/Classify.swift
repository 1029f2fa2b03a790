import ArgumentParser
import Foundation
import SeerModels

struct Classify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Zero-shot classification: label probabilities for each image from text labels.",
        discussion: """
        Probabilities are the softmax over labels of logit_scale × cosine(image, label), as CLIPModel's
        logits_per_image. Each label is put into a prompt template ("a photo of a {}." unless --template
        or --ensemble says otherwise); with several templates a label's text embedding is the mean of
        its normalized prompt embeddings.
        """
    )

    @OptionGroup var options: ModelOptions

    @Option(help: "Comma-separated labels, e.g. \"cat,dog,forklift\".")
    var labels: String?

    @Option(help: "A file with one label per line (for labels that contain commas).")
    var labelsFile: String?

    @Option(help: "Prompt template with {} for the label (repeatable). Use \"{}\" for the bare label.")
    var template: [String] = []

    @Flag(help: "Use Seer's built-in ensemble of \(defaultPromptTemplates.count) prompt templates.")
    var ensemble = false

    @Option(name: [.customShort("k"), .long], help: "Show the k most probable labels per image (default: all).")
    var topK: Int?

    @Option(help: "Output format: table or json (one JSON object per image per line).")
    var format: OutputFormat = .table

    @Argument(help: "Image files (JPEG, PNG, WebP).")
    var images: [String]

    enum OutputFormat: String, ExpressibleByArgument { case table, json }

    func validate() throws {
        if labels == nil && labelsFile == nil { throw ValidationError("give --labels or --labels-file") }
        if ensemble && !template.isEmpty { throw ValidationError("--ensemble and --template are exclusive") }
        if let topK, topK < 1 { throw ValidationError("--top-k must be at least 1") }
        if images.isEmpty { throw ValidationError("give at least one image") }
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

    struct Line: Encodable {
        struct Score: Encodable { let label: String; let probability: Float; let cosine: Float }
        let path: String
        let predictions: [Score]
    }

    func run() throws {
        try reportingErrors {
            let session = try options.loadCLIP()
            let templates = ensemble ? defaultPromptTemplates : (template.isEmpty ? ["a photo of a {}."] : template)
            let classifier = try session.clip.classifier(labels: try labelList(), templates: templates)
            let shown = min(topK ?? classifier.labels.count, classifier.labels.count)
            let labelWidth = min(40, classifier.labels.map(\.count).max() ?? 0)
            let failed = try session.embedImages(images, batchSize: options.batchSize) { path, embedding in
                let predictions = classifier.predict(embedding).prefix(shown)
                switch format {
                case .json:
                    try printJSONLine(Line(path: path, predictions: predictions.map {
                        .init(label: $0.label, probability: $0.probability, cosine: $0.cosine)
                    }))
                case .table:
                    print(path)
                    for p in predictions {
                        let label = p.label.padding(toLength: max(labelWidth, p.label.count), withPad: " ", startingAt: 0)
                        print(String(format: "  %@  %6.2f%%", label, Double(p.probability) * 100))
                    }
                }
            }
            if failed > 0 { throw CLIError("\(failed) of \(images.count) images could not be read") }
        }
    }
}
