import Foundation
import SeerTensor

/// torch.nn.functional.interpolate(mode="bicubic", align_corners=False, size=…) on CPU float32,
/// with or without `antialias`, for grids of vectors: how ViTs resize their learned position
/// embeddings to another patch grid (DINOv2's `interpolate_pos_encoding`).
///
/// Follows torch 2.13's CPU kernels (aten/src/ATen/native/cpu/UpSampleKernel.cpp), checked
/// against torch on up-, down- and mixed resampling (Tests/Fixtures/dinov2-interpolation):
/// - without antialias: source x = scale · (i + 0.5) − 0.5 with scale = in / out (float32, the
///   product fused as torch's compiled loop does), four taps of Keys' cubic with A = −0.75 at
///   floor(x) − 1 … floor(x) + 2, indices clamped to the border;
/// - with antialias (Pillow's scheme): center = scale · (i + 0.5), support 2 · max(scale, 1),
///   taps from int(center − support + 0.5) to int(center + support + 0.5) clipped to the input,
///   Keys' cubic with A = −0.5 at (j − center + 0.5) / max(scale, 1), normalized to sum 1.
/// Both are separable; the width is resampled first, then the height, as torch orders them.
enum BicubicResampling {
    /// The taps of one output sample: input indices (clamped, so possibly repeated) and weights.
    struct Taps: Equatable {
        var indices: [Int]
        var weights: [Float]
    }

    /// The taps of each of `output` samples resampled from `input` samples along one axis.
    static func taps(input: Int, output: Int, antialias: Bool) -> [Taps] {
        precondition(input > 0 && output > 0, "bicubic resampling between \(input) and \(output) samples")
        let scale = Float(input) / Float(output)
        return (0..<output).map { i in
            antialias ? antialiasTaps(i, input: input, scale: scale) : plainTaps(i, input: input, scale: scale)
        }
    }

    private static func plainTaps(_ i: Int, input: Int, scale: Float) -> Taps {
        let a: Float = -0.75
        let x = (-0.5 as Float).addingProduct(scale, Float(i) + 0.5)
        let floorX = x.rounded(.down)
        let t = x - floorX
        let weights = [cubicFar(t + 1, a), cubicNear(t, a), cubicNear(1 - t, a), cubicFar(2 - t, a)]
        let first = Int(floorX) - 1
        return Taps(indices: (0..<4).map { min(max(first + $0, 0), input - 1) }, weights: weights)
    }

    private static func antialiasTaps(_ i: Int, input: Int, scale: Float) -> Taps {
        let a: Float = -0.5
        let center = scale * (Float(i) + 0.5)
        let support: Float = scale >= 1 ? 2 * scale : 2
        let inverseScale: Float = scale >= 1 ? 1 / scale : 1
        let first = max(Int(center - support + 0.5), 0)
        let end = min(Int(center + support + 0.5), input)
        var weights = (first..<end).map { j -> Float in
            let x = abs((Float(j) - center + 0.5) * inverseScale)
            return x < 1 ? cubicNear(x, a) : x < 2 ? cubicFar(x, a) : 0
        }
        let total = weights.reduce(0, +)
        if total != 0 { weights = weights.map { $0 / total } }
        return Taps(indices: Array(first..<end), weights: weights)
    }

    /// Keys' cubic convolution for |x| ≤ 1 and for 1 < |x| < 2 (torch's cubic_convolution1/2).
    private static func cubicNear(_ x: Float, _ a: Float) -> Float { ((a + 2) * x - (a + 3)) * x * x + 1 }
    private static func cubicFar(_ x: Float, _ a: Float) -> Float { ((a * x - 5 * a) * x + 8 * a) * x - 4 * a }

    /// grid [height, width, channels] (channels last) → [toHeight, toWidth, channels].
    static func resize(_ grid: Tensor, toHeight: Int, toWidth: Int, antialias: Bool) -> Tensor {
        precondition(grid.rank == 3, "bicubic resampling takes a [height, width, channels] grid, got \(grid.shape)")
        let (height, width, channels) = (grid.shape[0], grid.shape[1], grid.shape[2])
        // Width first: [height, width, C] → [height, toWidth, C].
        let horizontal = Tensor(zeros: [height, toWidth, channels])
        let columns = taps(input: width, output: toWidth, antialias: antialias)
        for y in 0..<height {
            for (x, tap) in columns.enumerated() {
                let out = horizontal.pointer + (y * toWidth + x) * channels
                for (index, weight) in zip(tap.indices, tap.weights) {
                    let source = grid.pointer + (y * width + index) * channels
                    for c in 0..<channels { out[c] += source[c] * weight }
                }
            }
        }
        // Then height: [height, toWidth, C] → [toHeight, toWidth, C].
        let out = Tensor(zeros: [toHeight, toWidth, channels])
        let rowLength = toWidth * channels
        for (y, tap) in taps(input: height, output: toHeight, antialias: antialias).enumerated() {
            let row = out.pointer + y * rowLength
            for (index, weight) in zip(tap.indices, tap.weights) {
                let source = horizontal.pointer + index * rowLength
                for k in 0..<rowLength { row[k] += source[k] * weight }
            }
        }
        withExtendedLifetime((grid, horizontal)) {}
        return out
    }
}
