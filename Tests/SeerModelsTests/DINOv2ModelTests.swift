import Foundation
import Testing
import SeerTensor
@testable import SeerModels

/// The Swift DINOv2 against transformers' Dinov2Model / Dinov2WithRegistersModel on the same
/// weights and pixel values: 224×224 inputs (position grids resized 37→16 and 7→16) and
/// 126×84 inputs (a 9×6 grid).
@Suite struct DINOv2ModelTests {
    /// Per token and per image: cosine ≥ 0.9999 and max abs diff ≤ 5e-5. Measured on AVX-512:
    /// last_hidden_state ≤ 4.7e-6 (values of order 1), pooled outputs ≤ 7.2e-7, cosine > 0.999999999.
    static let minCosine = 0.9999
    static let maxDiff: Float = 5e-5

    @Test(arguments: DINOv2Fixture.all)
    func lastHiddenStateMatchesTransformers(_ fixture: DINOv2Fixture) throws {
        let model = try DINOv2Model(directory: fixture.directory)
        for input in DINOv2Fixture.inputs {
            let expected = try fixture.expected("last_hidden_state", input: input)
            let got = try model.lastHiddenState(pixelValues: try DINOv2Fixture.pixelValues(input: input))
            #expect(got.shape == expected.shape)
            let (cosine, diff) = worstAgreement(got, expected)
            print("\(fixture)\(input) last_hidden_state: min cosine \(cosine), max abs diff \(diff)")
            #expect(cosine >= Self.minCosine, "\(fixture)\(input): cosine \(cosine)")
            #expect(diff <= Self.maxDiff, "\(fixture)\(input): max abs diff \(diff)")
        }
    }

    @Test(arguments: DINOv2Fixture.all)
    func poolerOutputMatchesTransformers(_ fixture: DINOv2Fixture) throws {
        let model = try DINOv2Model(directory: fixture.directory)
        for input in DINOv2Fixture.inputs {
            let expected = try fixture.expected("pooler_output", input: input)
            let got = try model.pooled(pixelValues: try DINOv2Fixture.pixelValues(input: input), pooling: .cls)
            let (cosine, diff) = worstAgreement(got, expected)
            print("\(fixture)\(input) pooler_output: min cosine \(cosine), max abs diff \(diff)")
            #expect(cosine >= Self.minCosine, "\(fixture)\(input): cosine \(cosine)")
            #expect(diff <= Self.maxDiff, "\(fixture)\(input): max abs diff \(diff)")
        }
    }

    /// `.cls` runs the last layer for the CLS token alone; it must give the CLS row of the full
    /// `last_hidden_state`.
    @Test(arguments: DINOv2Fixture.all)
    func classTokenShortcutEqualsTheFullLastLayer(_ fixture: DINOv2Fixture) throws {
        let model = try DINOv2Model(directory: fixture.directory)
        let pixels = try DINOv2Fixture.pixelValues()
        let full = try model.lastHiddenState(pixelValues: pixels)
        let pooled = try model.pooled(pixelValues: pixels, pooling: .cls)
        let (batch, tokens, width) = (full.shape[0], full.shape[1], full.shape[2])
        for b in 0..<batch {
            let row = Array(full.scalars[(b * tokens * width)..<(b * tokens * width + width)])
            let diff = zip(row, pooled.row(b)).map { abs($0 - $1) }.max() ?? .infinity
            #expect(diff <= 1e-6, "\(fixture) image \(b): \(diff)")
        }
    }

    /// `.clsMean` is the input Dinov2(WithRegisters)ForImageClassification hands its classifier
    /// (captured from the reference); `.mean` its second half (patch tokens only: no CLS, no
    /// registers).
    @Test(arguments: DINOv2Fixture.all)
    func poolingVariantsMatchTheClassifierInput(_ fixture: DINOv2Fixture) throws {
        let model = try DINOv2Model(directory: fixture.directory)
        let width = model.config.hiddenSize
        for input in DINOv2Fixture.inputs {
            let pixels = try DINOv2Fixture.pixelValues(input: input)
            let expected = try fixture.expected("cls_mean", input: input)
            let clsMean = try model.pooled(pixelValues: pixels, pooling: .clsMean)
            let mean = try model.pooled(pixelValues: pixels, pooling: .mean)
            #expect(clsMean.shape == [pixels.shape[0], 2 * width] && mean.shape == [pixels.shape[0], width])
            let expectedMean = Tensor(shape: mean.shape, values: (0..<pixels.shape[0]).flatMap { Array(expected.row($0)[width...]) })
            for (got, reference, what) in [(clsMean, expected, "cls+mean"), (mean, expectedMean, "mean")] {
                let (cosine, diff) = worstAgreement(got, reference)
                print("\(fixture)\(input) \(what): min cosine \(cosine), max abs diff \(diff)")
                #expect(cosine >= Self.minCosine, "\(fixture)\(input) \(what): cosine \(cosine)")
                #expect(diff <= Self.maxDiff, "\(fixture)\(input) \(what): max abs diff \(diff)")
            }
        }
    }

    /// The resized position grids themselves, against `interpolate_pos_encoding`.
    @Test(arguments: DINOv2Fixture.all)
    func positionEmbeddingsAreResizedAsTransformersDoes(_ fixture: DINOv2Fixture) throws {
        let model = try DINOv2Model(directory: fixture.directory)
        for (input, grid) in zip(DINOv2Fixture.inputs, [(16, 16), (9, 6)]) {
            let expected = try fixture.expected("position_embeddings", input: input)
            let got = model.positionEmbeddings(rows: grid.0, columns: grid.1)
            let (cosine, diff) = worstAgreement(got, expected)
            print("\(fixture)\(input) position embeddings: min cosine \(cosine), max abs diff \(diff)")
            #expect(diff <= 2e-6, "\(fixture)\(input): max abs diff \(diff)")
        }
    }

    @Test func tokensAreClassRegistersThenPatches() throws {
        let plain = try DINOv2Model(directory: DINOv2Fixture.all[0].directory)
        let registers = try DINOv2Model(directory: DINOv2Fixture.all[1].directory)
        #expect(plain.config.numRegisterTokens == 0 && registers.config.numRegisterTokens == 4)
        #expect(plain.tokenCount(height: 224, width: 224) == 257)
        #expect(registers.tokenCount(height: 224, width: 224) == 261)
        // As the strided conv: pixels past the last whole patch are ignored.
        #expect(plain.tokenCount(height: 230, width: 97) == 1 + 16 * 6)
        #expect(!plain.config.antialiasedPositions && registers.config.antialiasedPositions)
    }

    /// A batch gives each image what it gets alone.
    @Test func batchItemsAreIndependent() throws {
        let model = try DINOv2Model(directory: DINOv2Fixture.all[1].directory)
        let pixels = try DINOv2Fixture.pixelValues()
        let batched = try model.pooled(pixelValues: pixels, pooling: .clsMean)
        let plane = pixels.count / pixels.shape[0]
        for i in 0..<pixels.shape[0] {
            let one = Tensor(shape: [1] + Array(pixels.shape.dropFirst()), values: Array(pixels.scalars[(i * plane)..<((i + 1) * plane)]))
            let alone = try model.pooled(pixelValues: one, pooling: .clsMean)
            #expect(zip(alone.row(0), batched.row(i)).allSatisfy { abs($0 - $1) <= 1e-5 }, "image \(i)")
        }
    }

    @Test func wrongInputsAreErrorsNotCrashes() throws {
        let model = try DINOv2Model(directory: DINOv2Fixture.all[0].directory)
        #expect(throws: ModelError.self) { try model.lastHiddenState(pixelValues: Tensor(zeros: [1, 3, 10, 224])) }
        #expect(throws: ModelError.self) { try model.lastHiddenState(pixelValues: Tensor(zeros: [1, 1, 224, 224])) }
        #expect(throws: ModelError.self) { try model.lastHiddenState(pixelValues: Tensor(zeros: [3, 224, 224])) }
    }
}
