import Foundation

/// The folder layout image-classification trainers read (torchvision's ImageFolder, Ultralytics'
/// classify, Keras' image_dataset_from_directory):
///
///     train/CLASS/NAME.jpg …   valid/CLASS/NAME.jpg …   unsure.csv
///
/// An image is labelled by one object: its class and probability (the box, the whole image,
/// is not used). Images whose probability is under `minConfidence` stay out of the folders and
/// are listed in unsure.csv (path, best class, probability) for a person to decide.
public struct ClassificationWriter {
    public static let unsureFileName = "unsure.csv"

    public struct Summary: Sendable, Equatable {
        public var counts: [DatasetSplit: Int] = [:]
        public var unsure = 0
    }

    public static func write(state: LabelingState, classes: [String], rule: SplitRule, minConfidence: Float, to folder: URL, images placement: ImagePlacement = .link) throws -> Summary {
        for name in classes where name.contains("/") || name == "." || name == ".." || name.hasPrefix(".") {
            throw DatasetError("the class \"\(name)\" cannot be a folder name")
        }
        var summary = Summary()
        let unsure = try DatasetFiles.AtomicTextFile(folder.appendingPathComponent(unsureFileName))
        do {
            try unsure.write("path,best_class,probability\n")
            for split in DatasetSplit.allCases {
                for name in classes { try DatasetFiles.makeFolder(folder.appendingPathComponent("\(split.rawValue)/\(name)")) }
            }
            try state.forEachImage { image in
                guard let best = image.objects.first else { return }
                if best.score < minConfidence {
                    try unsure.write("\(csvField(image.relativePath)),\(csvField(classes[best.classID])),\(best.score)\n")
                    summary.unsure += 1
                    return
                }
                let split = rule.split(of: image.relativePath)
                try DatasetFiles.place(URL(fileURLWithPath: image.sourcePath),
                                       at: folder.appendingPathComponent("\(split.rawValue)/\(classes[best.classID])/\(image.datasetFileName)"), as: placement)
                summary.counts[split, default: 0] += 1
            }
            try unsure.commit()
        } catch {
            unsure.abandon()
            throw error
        }
        // What an earlier run (another seed, split or threshold) left where it no longer belongs.
        for split in DatasetSplit.allCases {
            let base = folder.appendingPathComponent(split.rawValue)
            try DatasetFiles.prune(base) { classes.contains($0) }
            for (id, name) in classes.enumerated() {
                try DatasetFiles.prune(base.appendingPathComponent(name)) { file in
                    guard let image = try state.image(named: file), let best = image.objects.first else { return false }
                    return best.classID == id && best.score >= minConfidence && rule.split(of: image.relativePath) == split
                }
            }
        }
        return summary
    }

    /// A CSV field, quoted when it holds a comma, quote or line break (RFC 4180).
    static func csvField(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0.isNewline }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
