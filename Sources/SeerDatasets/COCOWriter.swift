import Foundation
import SeerImage

/// COCO detection datasets in Roboflow's export layout, which supervision's `from_coco` and
/// pycocotools read:
///
///     train/_annotations.coco.json   train/NAME.jpg …
///     valid/_annotations.coco.json   valid/NAME.jpg …
///
/// Categories are the ontology's classes with ids from 1 (COCO keeps 0 for background; class
/// id k is category k + 1, as supervision maps them). A box is `bbox` [x, y, width, height] in
/// pixels, as the detector gave it; a mask is `segmentation` polygons (pixel corners, which
/// pycocotools fills back to exactly the mask) and `area` its pixel count, else `area` is the
/// box's. Each JSON file is written streaming, image by image, and renamed into place whole.
public struct COCOWriter {
    public static let annotationsFileName = "_annotations.coco.json"

    struct Category: Encodable {
        let id: Int
        let name: String
        let supercategory: String
    }

    struct Image: Encodable {
        let id: Int
        let file_name: String
        let width: Int
        let height: Int
    }

    struct Annotation: Encodable {
        let id: Int
        let image_id: Int
        let category_id: Int
        let bbox: [Float]
        let area: Float
        let segmentation: [[Double]]
        let iscrowd: Int
        let score: Float
    }

    static func annotation(_ object: LabeledObject, id: Int, imageID: Int, width: Int, height: Int) throws -> Annotation {
        let b = object.box
        let bbox = [b[0], b[1], b[2] - b[0], b[3] - b[1]]
        var area = bbox[2] * bbox[3]
        var segmentation: [[Double]] = []
        if let rle = object.mask {
            let mask = try MaskRLE(width: width, height: height, compressed: rle).decoded()
            if mask.area > 0 {
                segmentation = mask.polygons
                area = Float(mask.area)
            }
        }
        return Annotation(id: id, image_id: imageID, category_id: object.classID + 1, bbox: bbox, area: area,
                          segmentation: segmentation, iscrowd: 0, score: object.score)
    }

    public static func write(state: LabelingState, classes: [String], rule: SplitRule, to folder: URL, images placement: ImagePlacement = .link) throws -> [DatasetSplit: Int] {
        var counts: [DatasetSplit: Int] = [:]
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        func json<T: Encodable>(_ value: T) throws -> String { String(decoding: try encoder.encode(value), as: UTF8.self) }
        let categories = try json(classes.enumerated().map { Category(id: $0.offset + 1, name: $0.element, supercategory: "none") })

        for split in DatasetSplit.allCases {
            let base = folder.appendingPathComponent(split.rawValue)
            try DatasetFiles.makeFolder(base)
            let file = try DatasetFiles.AtomicTextFile(base.appendingPathComponent(annotationsFileName))
            do {
                try file.write("{\"info\":{\"description\":\"labelled by seer autolabel\"},\"licenses\":[],\"categories\":\(categories),\n\"images\":[")
                // Two passes over the state: COCO lists all images, then all annotations.
                var imageID = 0
                try state.forEachImage { image in
                    guard rule.split(of: image.relativePath) == split else { return }
                    imageID += 1
                    try DatasetFiles.place(URL(fileURLWithPath: image.sourcePath), at: base.appendingPathComponent(image.datasetFileName), as: placement)
                    try file.write((imageID > 1 ? ",\n" : "\n") + json(Image(id: imageID, file_name: image.datasetFileName, width: image.width, height: image.height)))
                }
                counts[split] = imageID
                try file.write("],\n\"annotations\":[")
                imageID = 0
                var annotationID = 0
                try state.forEachImage { image in
                    guard rule.split(of: image.relativePath) == split else { return }
                    imageID += 1
                    for object in image.objects {
                        annotationID += 1
                        let record = try annotation(object, id: annotationID, imageID: imageID, width: image.width, height: image.height)
                        try file.write((annotationID > 1 ? ",\n" : "\n") + json(record))
                    }
                }
                try file.write("]}\n")
                try file.commit()
            } catch {
                file.abandon()
                throw error
            }
            try DatasetFiles.prune(base) { name in
                if name == annotationsFileName { return true }
                return try state.image(named: name).map { rule.split(of: $0.relativePath) == split } ?? false
            }
        }
        return counts
    }
}
