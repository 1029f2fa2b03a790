import SeerImage

/// SAM's "segment everything": prompt the model with a grid of single foreground points and
/// keep the confident, stable, distinct masks. Follows segment-anything's
/// `SamAutomaticMaskGenerator` (automatic_mask_generator.py, utils/amg.py) with its defaults and
/// one crop layer (the whole image, `crop_n_layers = 0`), where its crop-edge filter and
/// cross-crop NMS have nothing to do.
public struct AutomaticMaskGenerator: Sendable {
    public struct Options: Sendable, Equatable {
        /// Points along each side of the grid: `pointsPerSide²` prompts.
        public var pointsPerSide = 32
        /// Prompts per decoder call (memory: 3 upscaled masks of the image each).
        public var pointsPerBatch = 64
        /// Keep masks whose predicted IoU is above this (0 keeps all).
        public var predIoUThreshold: Float = 0.88
        /// Keep masks whose stability score is at least this (0 keeps all).
        public var stabilityScoreThreshold: Float = 0.95
        /// The logit shift of the stability score: IoU of the masks at ±offset.
        public var stabilityScoreOffset: Float = 1.0
        /// Drop a mask whose box overlaps a better one's by more than this IoU.
        public var boxNMSThreshold: Double = 0.7
        /// SAM's `mask_threshold`: a pixel is in a mask where its logit is above this.
        public var maskThreshold: Float = 0

        public init() {}

        /// A clear message for settings SAM would not accept, or nil.
        public var problem: String? {
            // 1024² prompts already take hours; far larger grids would overflow or exhaust memory.
            if pointsPerSide < 1 || pointsPerSide > 1024 { return "points per side must be between 1 and 1024" }
            if pointsPerBatch < 1 { return "points per batch must be at least 1" }
            if !predIoUThreshold.isFinite || !stabilityScoreThreshold.isFinite || !stabilityScoreOffset.isFinite
                || !boxNMSThreshold.isFinite || !maskThreshold.isFinite {
                return "thresholds must be finite numbers"
            }
            return nil
        }
    }

    /// One mask, with the fields of SAM's output records.
    public struct Mask: Sendable {
        public let mask: BinaryMask
        /// Set pixels (`area`).
        public let area: Int
        /// SAM's `bbox`: [x0, y0, x1 − x0, y1 − y0] where x1, y1 are the last set column and row,
        /// so a single pixel is 0×0 (`box_xyxy_to_xywh` of `batched_mask_to_box`). COCO's bbox
        /// is `mask.cocoBoundingBox`.
        public let bbox: [Int]
        public let predictedIoU: Float
        public let stabilityScore: Float
        /// The grid point that prompted the mask, in image pixels (`point_coords`).
        public let point: SAMPoint
        /// [x, y, width, height] of the crop the mask came from: the whole image here.
        public let cropBox: [Int]
    }

    public let model: any SegmentAnything
    public let options: Options

    public init(model: any SegmentAnything, options: Options = Options()) {
        self.model = model
        self.options = options
    }

    /// Encodes the image, then segments it.
    public func generate(_ image: RGBImage) throws -> [Mask] {
        try generate(try model.embed(image))
    }

    /// Masks sorted as SAM returns them: by predicted IoU, best first (the NMS order).
    /// `progress` hears (points done, points in all) after every batch.
    public func generate(_ embedding: SAMImageEmbedding, progress: ((Int, Int) -> Void)? = nil) throws -> [Mask] {
        if let problem = options.problem { throw AutomaticMaskError(problem) }
        let width = embedding.originalWidth, height = embedding.originalHeight
        let points = Self.pointGrid(pointsPerSide: options.pointsPerSide).map {
            SAMPoint(x: $0.x * Double(width), y: $0.y * Double(height))
        }
        var candidates: [Candidate] = []
        var start = 0
        while start < points.count {
            let batch = Array(points[start..<min(points.count, start + options.pointsPerBatch)])
            let predictions = try model.predict(embedding, prompts: batch.map { SAMPrompt(points: [$0]) }, multimask: true)
            guard predictions.count == batch.count else {
                throw AutomaticMaskError("the model answered \(predictions.count) prompts out of \(batch.count)")
            }
            for (point, prediction) in zip(batch, predictions) {
                candidates += keep(prediction, point: point)
            }
            start += batch.count
            progress?(start, points.count)
        }
        let kept = Self.nonMaximumSuppression(candidates.map(\.box), scores: candidates.map(\.predictedIoU), threshold: options.boxNMSThreshold)
        return kept.map { index in
            let c = candidates[index]
            return Mask(mask: c.mask, area: c.mask.area, bbox: [c.box.x0, c.box.y0, c.box.x1 - c.box.x0, c.box.y1 - c.box.y0],
                        predictedIoU: c.predictedIoU, stabilityScore: c.stabilityScore, point: c.point, cropBox: [0, 0, width, height])
        }
    }

    struct Candidate {
        var mask: BinaryMask
        var box: Box
        var predictedIoU: Float
        var stabilityScore: Float
        var point: SAMPoint
    }

    /// SAM's inclusive pixel box (`batched_mask_to_box`): all zero for an empty mask.
    struct Box: Equatable {
        var x0: Int, y0: Int, x1: Int, y1: Int
    }

    /// The masks of one prompt that pass the predicted-IoU and stability filters (`_process_batch`).
    func keep(_ prediction: SAMPrediction, point: SAMPoint) -> [Candidate] {
        var kept: [Candidate] = []
        for (index, iou) in prediction.iouScores.enumerated() {
            if options.predIoUThreshold > 0 && !(iou > options.predIoUThreshold) { continue }
            let logits = prediction.logits[index]
            let stability = Self.stabilityScore(logits, threshold: options.maskThreshold, offset: options.stabilityScoreOffset)
            // A mask with no pixel above −offset has stability 0/0: NaN in SAM, which fails `>=`.
            if options.stabilityScoreThreshold > 0 && !(stability >= options.stabilityScoreThreshold) { continue }
            let mask = prediction.mask(index, threshold: options.maskThreshold)
            let box = mask.extent.map { Box(x0: $0.minX, y0: $0.minY, x1: $0.maxX, y1: $0.maxY) } ?? Box(x0: 0, y0: 0, x1: 0, y1: 0)
            kept.append(Candidate(mask: mask, box: box, predictedIoU: iou, stabilityScore: stability, point: point))
        }
        return kept
    }

    /// The IoU of the mask thresholded at `threshold + offset` and at `threshold − offset`
    /// (`calculate_stability_score`): the first lies inside the second, so it is a ratio of counts.
    static func stabilityScore(_ logits: [Float], threshold: Float, offset: Float) -> Float {
        let high = threshold + offset, low = threshold - offset
        var intersection = 0, union = 0
        for logit in logits {
            if logit > high { intersection += 1 }
            if logit > low { union += 1 }
        }
        return Float(intersection) / Float(union)
    }

    /// The normalized grid SAM prompts with (`build_point_grid`): cell centres of an n×n grid,
    /// row by row, x varying fastest. numpy's `linspace` arithmetic, so the points are the same
    /// doubles SAM computes.
    public static func pointGrid(pointsPerSide n: Int) -> [(x: Double, y: Double)] {
        let offset = 1 / (2 * Double(n))
        let side: [Double] = n == 1 ? [offset] : (0..<n).map { i in
            i == n - 1 ? 1 - offset : Double(i) * ((1 - offset - offset) / Double(n - 1)) + offset
        }
        return side.flatMap { y in side.map { x in (x, y) } }
    }

    /// Greedy NMS as torchvision's `batched_nms` with one category: visit boxes by descending
    /// score (ties in input order), drop every later box whose IoU with a kept one exceeds
    /// `threshold`. Box areas are (x1 − x0)·(y1 − y0) as torchvision computes them from SAM's
    /// inclusive boxes; a 0/0 IoU is NaN there and suppresses nothing. Returns kept indices,
    /// best first.
    static func nonMaximumSuppression(_ boxes: [Box], scores: [Float], threshold: Double) -> [Int] {
        let order = boxes.indices.sorted { scores[$0] > scores[$1] || (scores[$0] == scores[$1] && $0 < $1) }
        func area(_ b: Box) -> Double { Double(b.x1 - b.x0) * Double(b.y1 - b.y0) }
        var kept: [Int] = []
        var suppressed = [Bool](repeating: false, count: boxes.count)
        for (position, i) in order.enumerated() where !suppressed[i] {
            kept.append(i)
            let a = boxes[i]
            for j in order[(position + 1)...] where !suppressed[j] {
                let b = boxes[j]
                let w = Double(max(0, min(a.x1, b.x1) - max(a.x0, b.x0)))
                let h = Double(max(0, min(a.y1, b.y1) - max(a.y0, b.y0)))
                let intersection = w * h
                if intersection / (area(a) + area(b) - intersection) > threshold { suppressed[j] = true }
            }
        }
        return kept
    }
}

/// Settings or model answers the generator cannot work with.
public struct AutomaticMaskError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
