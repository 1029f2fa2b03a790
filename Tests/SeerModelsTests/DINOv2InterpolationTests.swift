import Foundation
import Testing
import SeerTensor
@testable import SeerModels

/// `BicubicResampling` against torch's `interpolate(mode="bicubic", align_corners=False)`, with
/// and without antialias, on random grids (Tests/Fixtures/dinov2-interpolation).
@Suite struct DINOv2InterpolationTests {
    struct Case: Decodable, CustomStringConvertible {
        let input: String
        let output: String
        let antialias: Bool
        let input_size: [Int]
        let output_size: [Int]
        var description: String { "\(input_size) → \(output_size)\(antialias ? " antialias" : "")" }
    }

    static let folder = fixtures.appendingPathComponent("dinov2-interpolation")

    static func cases() throws -> [Case] {
        try JSONDecoder().decode([Case].self, from: Data(contentsOf: folder.appendingPathComponent("cases.json")))
    }

    /// Channels-first [C, h, w] from the fixture as the channels-last grid Seer resizes.
    static func channelsLast(_ t: Tensor) -> Tensor {
        let (c, h, w) = (t.shape[0], t.shape[1], t.shape[2])
        let values = t.scalars
        return Tensor(shape: [h, w, c], values: (0..<(h * w * c)).map { i in values[(i % c) * h * w + i / c] })
    }

    @Test func resizingMatchesTorch() throws {
        let cases = try Self.cases()
        #expect(cases.count >= 9)
        for c in cases {
            let input = Self.channelsLast(try NPY.decode(Data(contentsOf: Self.folder.appendingPathComponent(c.input))))
            let expected = Self.channelsLast(try NPY.decode(Data(contentsOf: Self.folder.appendingPathComponent(c.output))))
            let got = BicubicResampling.resize(input, toHeight: c.output_size[0], toWidth: c.output_size[1], antialias: c.antialias)
            #expect(got.shape == expected.shape, "\(c)")
            let diff = zip(got.scalars, expected.scalars).map { abs($0 - $1) }.max() ?? .infinity
            print("bicubic \(c): max abs diff \(diff)")
            #expect(diff <= 2e-6, "\(c): max abs diff \(diff)")
        }
    }

    /// Resampling to the same size is the identity in both modes (transformers skips it then).
    @Test func sameSizeIsIdentity() {
        for antialias in [false, true] {
            for t in BicubicResampling.taps(input: 5, output: 5, antialias: antialias) {
                #expect(t.weights.filter { $0 != 0 } == [1])
            }
        }
    }

    /// Antialiased downsampling spreads each output over more inputs than the plain kernel's 4.
    @Test func antialiasWidensTheKernelWhenShrinking() {
        let plain = BicubicResampling.taps(input: 37, output: 16, antialias: false)
        let smooth = BicubicResampling.taps(input: 37, output: 16, antialias: true)
        #expect(plain.allSatisfy { $0.weights.count == 4 })
        #expect(smooth[8].weights.count > 4)
        for t in smooth { #expect(abs(t.weights.reduce(0, +) - 1) < 1e-6) }
    }
}
