import Foundation
import SeerImage

/// Ultralytics' YOLO layout, as Autodistill writes it:
///
///     data.yaml                 train, val (relative to the file), nc, names
///     train/images/NAME.jpg     train/labels/NAME.txt
///     valid/images/NAME.jpg     valid/labels/NAME.txt
///
/// A label line is `class cx cy w h`, the box normalised by the image's size, six decimals;
/// with a mask it is `class x1 y1 x2 y2 …`, the mask's outline normalised (Ultralytics'
/// segmentation format, from which trainers also take the box). An image without objects gets
/// an empty label file: a background image, as trainers expect.
public struct YOLOWriter {
    public static let decimals = 6

    /// One label line for `object` in an image of this size.
    public static func line(_ object: LabeledObject, width: Int, height: Int) throws -> String {
        let w = Double(width), h = Double(height)
        func number(_ value: Double) -> String { String(format: "%.\(decimals)f", min(max(value, 0), 1)) }
        if let rle = object.mask, let polygon = try outline(rle: rle, width: width, height: height) {
            let points = stride(from: 0, to: polygon.count, by: 2).map { "\(number(polygon[$0] / w)) \(number(polygon[$0 + 1] / h))" }
            return "\(object.classID) " + points.joined(separator: " ")
        }
        let b = object.box.map(Double.init)
        return [number((b[0] + b[2]) / 2 / w), number((b[1] + b[3]) / 2 / h), number((b[2] - b[0]) / w), number((b[3] - b[1]) / h)]
            .reduce("\(object.classID)") { $0 + " " + $1 }
    }

    /// The mask as one polygon (YOLO allows one per object): the COCO polygons of its parts
    /// (holes already bridged in), later parts joined to the first part's start by a bridge walked
    /// there and back, which an even-odd fill leaves empty. The bridge runs vertically, then
    /// horizontally: a diagonal one could pass through pixel centres, where the two walks'
    /// crossings, rounded differently, would fill a pixel. Nil for an empty mask: the box line stands.
    static func outline(rle: String, width: Int, height: Int) throws -> [Double]? {
        let parts = try MaskRLE(width: width, height: height, compressed: rle).decoded().polygons
        guard var ring = parts.first, ring.count >= 6 else { return nil }
        let (sx, sy) = (ring[0], ring[1])
        for part in parts.dropFirst() where part.count >= 6 {
            let corner = [sx, part[1]]
            ring += [sx, sy] + corner + part + part[0..<2] + corner
        }
        return ring
    }

    /// data.yaml: paths relative to the file (Ultralytics resolves them against its folder), so the
    /// dataset can be moved; names as JSON strings, which YAML reads as double-quoted scalars.
    public static func dataYAML(classes: [String]) -> String {
        func quoted(_ s: String) -> String {
            String(decoding: try! JSONEncoder().encode(s), as: UTF8.self)
        }
        return """
            train: train/images
            val: valid/images
            nc: \(classes.count)
            names: [\(classes.map(quoted).joined(separator: ", "))]

            """
    }

    /// Writes the whole dataset from the state (streaming), then removes what an earlier run
    /// left that no longer belongs (another seed or split put an image elsewhere).
    public static func write(state: LabelingState, classes: [String], rule: SplitRule, to folder: URL, images placement: ImagePlacement = .link) throws -> [DatasetSplit: Int] {
        var counts: [DatasetSplit: Int] = [:]
        for split in DatasetSplit.allCases {
            for sub in ["images", "labels"] { try DatasetFiles.makeFolder(folder.appendingPathComponent("\(split.rawValue)/\(sub)")) }
        }
        try state.forEachImage { image in
            let split = rule.split(of: image.relativePath)
            let base = folder.appendingPathComponent(split.rawValue)
            let name = image.datasetFileName
            try DatasetFiles.place(URL(fileURLWithPath: image.sourcePath), at: base.appendingPathComponent("images/\(name)"), as: placement)
            let lines = try image.objects.map { try line($0, width: image.width, height: image.height) + "\n" }.joined()
            try DatasetFiles.write(Data(lines.utf8), to: base.appendingPathComponent("labels/\(DatasetNaming.stem(name)).txt"))
            counts[split, default: 0] += 1
        }
        try DatasetFiles.write(Data(dataYAML(classes: classes).utf8), to: folder.appendingPathComponent("data.yaml"))
        for split in DatasetSplit.allCases {
            let base = folder.appendingPathComponent(split.rawValue)
            try DatasetFiles.prune(base.appendingPathComponent("images")) { name in
                try state.image(named: name).map { rule.split(of: $0.relativePath) == split } ?? false
            }
            try DatasetFiles.prune(base.appendingPathComponent("labels")) { name in
                guard name.hasSuffix(".txt") else { return false }
                return try state.image(stem: DatasetNaming.stem(name)).map { rule.split(of: $0.relativePath) == split } ?? false
            }
        }
        return counts
    }
}
