import Foundation
import Testing
import SeerImage
@testable import SeerModels

/// A SAM stand-in that answers every prompt from a script: prompt k (in the order prompts
/// arrive) gets three masks, each a rectangle of logits, and records what it was asked.
final class ScriptedSAM: SegmentAnything, @unchecked Sendable {
    struct Answer {
        /// The mask's pixels: x, y, width, height.
        var rect: (Int, Int, Int, Int)
        var iou: Float
        /// The first `soft` pixels of the rectangle (row by row) get logit 0.5: inside the mask
        /// (> 0) but not above the stability score's +1 cut.
        var soft = 0
    }

    let width: Int, height: Int
    /// Prompts per image: the script's prompt index starts again after this many (a new run).
    let cycle: Int
    let script: @Sendable (_ prompt: Int, _ mask: Int) -> Answer?
    private let lock = NSLock()
    private(set) var prompts: [SAMPrompt] = []
    private(set) var calls: [(count: Int, multimask: Bool)] = []

    init(width: Int, height: Int, cycle: Int = 4, script: @escaping @Sendable (_ prompt: Int, _ mask: Int) -> Answer?) {
        self.width = width
        self.height = height
        self.cycle = cycle
        self.script = script
    }

    var embedding: SAMImageEmbedding {
        SAMImageEmbedding(values: [0], channels: 1, gridSize: 1, originalWidth: width, originalHeight: height,
                          resizedWidth: width, resizedHeight: height)
    }

    func embed(_ image: RGBImage) throws -> SAMImageEmbedding { embedding }

    func predict(_ embedding: SAMImageEmbedding, prompts: [SAMPrompt], multimask: Bool) throws -> [SAMPrediction] {
        lock.withLock {
            calls.append((prompts.count, multimask))
            return prompts.map { prompt in
                let index = self.prompts.count % self.cycle
                self.prompts.append(prompt)
                var logits: [[Float]] = [], ious: [Float] = []
                for m in 0..<3 {
                    var values = [Float](repeating: -4, count: width * height)
                    let answer = script(index, m)
                    if let answer {
                        let (x0, y0, w, h) = answer.rect
                        var soft = answer.soft
                        for y in y0..<(y0 + h) {
                            for x in x0..<(x0 + w) {
                                values[y * width + x] = soft > 0 ? 0.5 : 4
                                soft -= 1
                            }
                        }
                    }
                    logits.append(values)
                    ious.append(answer?.iou ?? 0)
                }
                return SAMPrediction(width: width, height: height, logits: logits, iouScores: ious,
                                     lowResLogits: [[Float]](repeating: [], count: 3))
            }
        }
    }
}

@Suite struct AutomaticMaskGeneratorTests {
    func options(_ side: Int, _ change: (inout AutomaticMaskGenerator.Options) -> Void = { _ in }) -> AutomaticMaskGenerator.Options {
        var options = AutomaticMaskGenerator.Options()
        options.pointsPerSide = side
        change(&options)
        return options
    }

    /// Mask m of prompt k in a slot of its own: 4×5 rectangles on an 8-pixel grid, never overlapping.
    static func slot(_ k: Int, _ m: Int) -> (Int, Int, Int, Int) {
        let s = k * 3 + m
        return ((s % 6) * 8, (s / 6) * 8, 4, 5)
    }

    @Test func defaultsAreSAMs() {
        let o = AutomaticMaskGenerator.Options()
        #expect(o.pointsPerSide == 32 && o.pointsPerBatch == 64)
        #expect(o.predIoUThreshold == 0.88 && o.stabilityScoreThreshold == 0.95 && o.stabilityScoreOffset == 1)
        #expect(o.boxNMSThreshold == 0.7 && o.maskThreshold == 0)
    }

    @Test func promptsEveryGridCellCentreInBatches() throws {
        let fake = ScriptedSAM(width: 90, height: 45, cycle: 9) { _, _ in nil }
        let generator = AutomaticMaskGenerator(model: fake, options: options(3) { $0.pointsPerBatch = 4 })
        #expect(try generator.generate(fake.embedding).isEmpty)
        #expect(fake.calls.map(\.count) == [4, 4, 1])
        #expect(fake.calls.allSatisfy { $0.multimask })
        #expect(fake.prompts.allSatisfy { $0.points.count == 1 && $0.points[0].isForeground && $0.box == nil && $0.previousLowResLogits == nil })
        // Cell centres, row by row: x = (i + ½)/3 · 90, y = (j + ½)/3 · 45.
        for (k, prompt) in fake.prompts.enumerated() {
            let x: Double = 15 + 30 * Double(k % 3), y: Double = 7.5 + 15 * Double(k / 3)
            #expect(abs(prompt.points[0].x - x) < 1e-12 && abs(prompt.points[0].y - y) < 1e-12)
        }
        // SAM's 32×32 grid (numpy linspace): first, second and last points.
        let grid = AutomaticMaskGenerator.pointGrid(pointsPerSide: 32)
        #expect(grid.count == 1024)
        #expect(grid[0] == (1.0 / 64, 1.0 / 64) && abs(grid[1].x - 3.0 / 64) < 1e-15 && grid[1].y == 1.0 / 64)
        #expect(grid[1023] == (63.0 / 64, 63.0 / 64))
        #expect(AutomaticMaskGenerator.pointGrid(pointsPerSide: 1).map(\.x) == [0.5])
    }

    @Test func predictedIoUMustBeAboveTheThreshold() throws {
        let ious: [Float] = [0.88, Float(0.88).nextUp, 0.95]
        let fake = ScriptedSAM(width: 48, height: 32) { k, m in .init(rect: Self.slot(k, m), iou: ious[m]) }
        let masks = try AutomaticMaskGenerator(model: fake, options: options(2)).generate(fake.embedding)
        // Per prompt: 0.88 is not above 0.88; the two others stay. Best first.
        #expect(masks.count == 8)
        #expect(masks.map(\.predictedIoU) == [Float](repeating: 0.95, count: 4) + [Float](repeating: Float(0.88).nextUp, count: 4))
        // With the filter off (0) every mask passes.
        let all = try AutomaticMaskGenerator(model: fake, options: options(2) { $0.predIoUThreshold = 0 }).generate(fake.embedding)
        #expect(all.count == 12)
    }

    @Test func stabilityScoreIsIoUOfLogitsCutAtPlusMinusOffset() throws {
        // 20-pixel masks with 1, 2 or 0 "soft" pixels (logit 0.5): stability 19/20, 18/20, 1.
        let soft = [1, 2, 0]
        let fake = ScriptedSAM(width: 48, height: 32) { k, m in .init(rect: Self.slot(k, m), iou: 0.9, soft: soft[m]) }
        let masks = try AutomaticMaskGenerator(model: fake, options: options(2)).generate(fake.embedding)
        #expect(masks.count == 8)   // 19/20 = 0.95 passes (≥), 0.9 does not
        #expect(Set(masks.map(\.stabilityScore)) == [Float(19) / 20, 1])
        // Soft pixels stay in the mask itself (logit > 0).
        #expect(masks.allSatisfy { $0.area == 20 })
        // With an offset of 0.25 the 0.5 logits clear the upper cut: every mask is fully stable.
        let wide = try AutomaticMaskGenerator(model: fake, options: options(2) { $0.stabilityScoreOffset = 0.25 }).generate(fake.embedding)
        #expect(wide.count == 12 && wide.allSatisfy { $0.stabilityScore == 1 })
        // Stability 0.9 passes a 0.9 threshold.
        let lower = try AutomaticMaskGenerator(model: fake, options: options(2) { $0.stabilityScoreThreshold = 0.9 }).generate(fake.embedding)
        #expect(lower.count == 12)
    }

    @Test func boxNMSDropsOverlapsAboveThresholdKeepingTheBetterMask() throws {
        // Prompt 0: box [0,0,10,10] (area 100 in torchvision's formula), IoU 0.9.
        // Prompt 1: box [0,0,10,7]: box IoU 70/100 = 0.7 with prompt 0, not above 0.7: kept.
        // Prompt 2: box [0,0,10,8]: IoU 0.875 with prompt 1 (and 0.8 with prompt 0): dropped.
        // Prompt 3: box [20,0,25,5], disjoint: kept, scored highest, so listed first.
        let answers: [Answer] = [
            .init(rect: (0, 0, 11, 11), iou: 0.90), .init(rect: (0, 0, 11, 8), iou: 0.91),
            .init(rect: (0, 0, 11, 9), iou: 0.89), .init(rect: (20, 0, 6, 6), iou: 0.99),
        ]
        let fake = ScriptedSAM(width: 30, height: 20) { k, m in m == 0 ? answers[k] : nil }
        let masks = try AutomaticMaskGenerator(model: fake, options: options(2)).generate(fake.embedding)
        #expect(masks.map(\.predictedIoU) == [0.99, 0.91, 0.90])
        // A stricter threshold also drops prompt 1's mask (0.7 > 0.65) — after keeping the better one.
        let strict = try AutomaticMaskGenerator(model: fake, options: options(2) { $0.boxNMSThreshold = 0.65 }).generate(fake.embedding)
        #expect(strict.map(\.predictedIoU) == [0.99, 0.91])
    }

    typealias Answer = ScriptedSAM.Answer

    @Test func recordsCarrySAMsFields() throws {
        let fake = ScriptedSAM(width: 40, height: 30) { k, m in k == 3 && m == 1 ? .init(rect: (7, 9, 5, 3), iou: 0.97) : nil }
        let masks = try AutomaticMaskGenerator(model: fake, options: options(2)).generate(fake.embedding)
        let mask = try #require(masks.first)
        #expect(masks.count == 1)
        #expect(mask.bbox == [7, 9, 4, 2])               // SAM: last column − first column
        #expect(mask.mask.cocoBoundingBox == [7, 9, 5, 3]) // COCO: pixel extent
        #expect(mask.area == 15 && mask.mask.area == 15)
        #expect(mask.mask[7, 9] && mask.mask[11, 11] && !mask.mask[12, 11] && !mask.mask[7, 12])
        #expect(mask.point.x == 30 && mask.point.y == 22.5)  // prompt 3: the grid's bottom-right cell
        #expect(mask.cropBox == [0, 0, 40, 30])
        #expect(mask.predictedIoU == 0.97 && mask.stabilityScore == 1)
    }

    @Test func stabilityOfAnEmptyMaskFailsEveryThreshold() throws {
        #expect(AutomaticMaskGenerator.stabilityScore([-3, -2], threshold: 0, offset: 1).isNaN)
        #expect(AutomaticMaskGenerator.stabilityScore([2, 0.5, -0.5, -2], threshold: 0, offset: 1) == Float(1) / 3)
        // An empty mask scored as certain by the model is still dropped by the stability filter.
        let fake = ScriptedSAM(width: 20, height: 20) { _, _ in .init(rect: (0, 0, 0, 0), iou: 0.99) }
        #expect(try AutomaticMaskGenerator(model: fake, options: options(2)).generate(fake.embedding).isEmpty)
    }

    @Test func rejectsUnusableOptions() {
        let fake = ScriptedSAM(width: 8, height: 8) { _, _ in nil }
        let changes: [(inout AutomaticMaskGenerator.Options) -> Void] = [
            { $0.pointsPerSide = 0 }, { $0.pointsPerSide = 1025 }, { $0.pointsPerBatch = 0 }, { $0.predIoUThreshold = .nan }, { $0.boxNMSThreshold = .infinity },
        ]
        for change in changes {
            #expect(throws: AutomaticMaskError.self) { try AutomaticMaskGenerator(model: fake, options: options(2, change)).generate(fake.embedding) }
        }
        #expect(fake.calls.isEmpty)
    }
}
