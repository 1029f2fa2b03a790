import ArgumentParser
import Foundation
import SeerImage
import SeerModels

struct Compare: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Cosine similarity between a subject and one or more others, each an image or a text.",
        discussion: """
        An operand is an image file, or a text written as text:…, e.g.
          seer compare --model clip photo.jpg "text:a photo of a cat" other.jpg
        prints the cosine similarity of photo.jpg with each of the others, one per line.
        """
    )

    @OptionGroup var options: ModelOptions

    @Argument(help: "The subject: an image file or text:…")
    var subject: String

    @Argument(help: "What to compare the subject with: image files or text:…")
    var others: [String]

    @Flag(help: "Print JSON lines instead of text.")
    var json = false

    func validate() throws {
        if others.isEmpty { throw ValidationError("give the subject and at least one operand to compare it with") }
    }

    struct Line: Encodable { let subject: String; let other: String; let cosine: Float }

    func run() throws {
        try reportingErrors {
            let session = try options.load()
            let operands = [subject] + others
            let embeddings = try embed(operands, with: session)
            for (operand, embedding) in zip(others, embeddings.dropFirst()) {
                let cosine = cosineSimilarity(embeddings[0], embedding)
                if json {
                    try printJSONLine(Line(subject: subject, other: operand, cosine: cosine))
                } else {
                    print(String(format: "%.4f  %@", Double(cosine), operand))
                }
            }
        }
    }

    /// Texts in one batch, images in another; results in operand order. Any unreadable image is fatal here.
    func embed(_ operands: [String], with session: ModelSession) throws -> [[Float]] {
        let textPrefix = "text:"
        let texts = operands.filter { $0.hasPrefix(textPrefix) }.map { String($0.dropFirst(textPrefix.count)) }
        let imagePaths = operands.filter { !$0.hasPrefix(textPrefix) }
        var textEmbeddings = try (texts.isEmpty ? [] : session.textEmbedder().embed(texts: texts)).makeIterator()
        var imageEmbeddings = try (imagePaths.isEmpty ? [] : session.imageEmbedder().embed(imagesAt: imagePaths.map { URL(fileURLWithPath: $0) }))
            .map { try $0.get() }.makeIterator()
        return operands.map { $0.hasPrefix(textPrefix) ? textEmbeddings.next()! : imageEmbeddings.next()! }
    }
}
