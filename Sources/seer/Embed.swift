import ArgumentParser
import Foundation
import SeerModels
import SeerTensor

struct Embed: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print image and text embeddings as JSON lines, or save them as a .npy matrix.",
        discussion: """
        Each line is {"path": …, "embedding": […]} for an image or {"text": …, "embedding": […]} for a text,
        texts first, in the order given. Embeddings are what the reference returns: CLIP's projected features
        (transformers' get_image_features / get_text_features), DINOv2's pooler_output (see --pooling); --normalize scales them to unit length.
        With --out, the rows go to a float32 .npy file in the same order and nothing is printed.
        Unreadable images are reported on stderr and skipped; the exit status is then 1.
        """
    )

    @OptionGroup var options: ModelOptions

    @Option(name: .long, help: "A text to embed (repeatable).")
    var text: [String] = []

    @Argument(help: "Image files (JPEG, PNG, WebP).")
    var images: [String] = []

    @Flag(help: "Scale every embedding to unit length.")
    var normalize = false

    @Option(help: "Write the embeddings to this .npy file instead of printing them.")
    var out: String?

    func validate() throws {
        if text.isEmpty && images.isEmpty { throw ValidationError("give image files and/or --text") }
    }

    struct Line: Encodable {
        var path: String?
        var text: String?
        var embedding: [Float]
    }

    func run() throws {
        try reportingErrors {
            let session = try options.load()
            let dimension = try text.isEmpty ? session.imageEmbedder().embeddingDimension : session.textEmbedder().embeddingDimension
            var rows: [[Float]] = []
            func emit(_ line: Line) throws {
                let vector = normalize ? normalized(line.embedding) : line.embedding
                if out != nil { rows.append(vector) } else { try printJSONLine(Line(path: line.path, text: line.text, embedding: vector)) }
            }
            for (text, embedding) in zip(text, try text.isEmpty ? [] : session.textEmbedder().embed(texts: text)) {
                try emit(Line(text: text, embedding: embedding))
            }
            let failed = try session.embedImages(images, batchSize: options.batchSize) { path, embedding in
                try emit(Line(path: path, embedding: embedding))
            }
            if let out {
                let matrix = Tensor(shape: [rows.count, dimension], values: rows.flatMap { $0 })
                try writeAtomically(NPY.encode(matrix), to: URL(fileURLWithPath: out))
                printError("seer: wrote \(rows.count)×\(dimension) embeddings to \(out)")
            }
            if failed > 0 { throw CLIError("\(failed) of \(images.count) images could not be read") }
        }
    }
}
