/// One object a labeler found: class, confidence, box and optionally a mask.
public struct LabeledObject: Codable, Sendable, Equatable {
    public var classID: Int
    public var score: Float
    /// Corners [x0, y0, x1, y1] in pixels, inside the image (trainers reject boxes outside it).
    public var box: [Float]
    /// COCO's compressed RLE of the mask (the image's size), when a segmenter ran.
    public var mask: String?

    public init(classID: Int, score: Float, box: [Float], mask: String? = nil) {
        (self.classID, self.score, self.box, self.mask) = (classID, score, box, mask)
    }
}

/// An input image and what was found in it: one row of the labeling state.
public struct LabeledImage: Codable, Sendable, Equatable {
    /// Path below the input folder, with "/" separators: the image's identity (and its split's input).
    public var relativePath: String
    /// Where it was read from: the file the dataset copies or links.
    public var sourcePath: String
    public var width: Int
    public var height: Int
    public var objects: [LabeledObject]

    public init(relativePath: String, sourcePath: String, width: Int, height: Int, objects: [LabeledObject]) {
        (self.relativePath, self.sourcePath, self.width, self.height, self.objects) = (relativePath, sourcePath, width, height, objects)
    }

    /// Its file name in the dataset: folders flattened ("a/b.jpg" → "a__b.jpg"), because trainers
    /// pair images/NAME.jpg with labels/NAME.txt in one folder.
    public var datasetFileName: String { DatasetNaming.fileName(relativePath) }
}

public enum DatasetNaming {
    public static func fileName(_ relativePath: String) -> String {
        relativePath.split(separator: "/").joined(separator: "__")
    }

    /// The name without its extension: YOLO's label file is this plus ".txt".
    public static func stem(_ fileName: String) -> String {
        guard let dot = fileName.lastIndex(of: "."), dot != fileName.startIndex else { return fileName }
        return String(fileName[..<dot])
    }

    /// Splits sorted relative paths into those that can be labelled and those whose dataset
    /// stem repeats an earlier one ("a.jpg" and "a.png" would share labels/a.txt).
    public static func withUniqueStems(_ relativePaths: [String]) -> (kept: [String], clashes: [(path: String, with: String)]) {
        var seen: [String: String] = [:]
        var kept: [String] = [], clashes: [(String, String)] = []
        for path in relativePaths {
            let stem = stem(fileName(path))
            if let first = seen[stem] { clashes.append((path, first)); continue }
            seen[stem] = path
            kept.append(path)
        }
        return (kept, clashes)
    }
}
