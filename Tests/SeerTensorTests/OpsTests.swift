import Foundation
import Testing
@testable import SeerTensor
import CSeerKernels

/// Deterministic pseudo-random values so failures reproduce.
struct SplitMix {
    var state: UInt64
    mutating func next() -> Float {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return Float(z >> 40) / Float(1 << 24) * 2 - 1
    }
    mutating func tensor(_ shape: [Int], scale: Float = 1) -> Tensor {
        Tensor(shape: shape, values: (0..<shape.reduce(1, *)).map { _ in next() * scale })
    }
}

func maxAbsDiff(_ a: [Float], _ b: [Float]) -> Float {
    precondition(a.count == b.count)
    return zip(a, b).map { abs($0 - $1) }.max() ?? 0
}

@Suite struct OpsTests {
    /// Row counts around the micro-tile heights (6, 12), column counts around the 16-wide panels,
    /// odd inner sizes, with and without bias, small and large enough to be split across threads.
    @Test(arguments: [
        (1, 1, 1), (6, 5, 4), (7, 16, 3), (11, 17, 9), (12, 31, 33), (13, 48, 64),
        (25, 15, 100), (50, 768, 64), (64, 100, 257), (197, 130, 77),
    ])
    func linearMatchesNaiveProduct(_ rows: Int, _ outFeatures: Int, _ inFeatures: Int) {
        var rng = SplitMix(state: UInt64(rows * 1000 + outFeatures))
        let x = rng.tensor([rows, inFeatures]), w = rng.tensor([outFeatures, inFeatures]), b = rng.tensor([outFeatures])
        for weight in [LinearWeight(w), LinearWeight(w, packing: false)] { for bias in [b, nil] {
            let y = Ops.linear(x, weight: weight, bias: bias)
            #expect(y.shape == [rows, outFeatures])
            var expected = [Float]()
            for r in 0..<rows { for o in 0..<outFeatures {
                var s = Double(bias?.pointer[o] ?? 0)
                for i in 0..<inFeatures { s += Double(x.pointer[r * inFeatures + i]) * Double(w.pointer[o * inFeatures + i]) }
                expected.append(Float(s))
            } }
            #expect(maxAbsDiff(y.scalars, expected) < 1e-4 * Float(inFeatures).squareRoot(),
                    "[\(rows)×\(inFeatures)]·[\(outFeatures)×\(inFeatures)]ᵀ bias \(bias != nil) packed \(weight.isPacked)")
        } }
    }

    @Test func layerNormMatchesDefinition() {
        var rng = SplitMix(state: 2)
        let x = rng.tensor([7, 37], scale: 3), g = rng.tensor([37]), b = rng.tensor([37])
        let out = Tensor(zeros: x.shape)
        Ops.layerNorm(x, weight: g, bias: b, eps: 1e-5, into: out)
        for r in 0..<7 {
            let row = x.row(r).map(Double.init)
            let mean = row.reduce(0, +) / 37
            let variance = row.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 37
            let expected = (0..<37).map { Float((row[$0] - mean) / (variance + 1e-5).squareRoot()) * g.pointer[$0] + b.pointer[$0] }
            #expect(maxAbsDiff(out.row(r), expected) < 1e-5)
        }
    }

    @Test(arguments: [Activation.quickGELU, .gelu, .geluTanh, .relu])
    func activationsMatchLibm(_ activation: Activation) {
        // Includes the extremes where a naive exp overflows, and a length that leaves a vector tail.
        var values = stride(from: -30.0 as Float, through: 30, by: 0.0137).map { $0 }
        values += [-100, -88, 88, 100, 0, -0.0, 1e-30]
        let x = Tensor(shape: [values.count], values: values)
        Ops.apply(activation, inPlace: x)
        let expected: [Float] = values.map { v in
            let d = Double(v)
            switch activation {
            case .quickGELU: return Float(d / (1 + Foundation.exp(-1.702 * d)))
            case .gelu: return Float(0.5 * d * (1 + erf(d / 2.0.squareRoot())))
            case .geluTanh: return Float(0.5 * d * (1 + tanh((2 / Double.pi).squareRoot() * (d + 0.044715 * d * d * d))))
            case .relu: return max(v, 0)
            }
        }
        for (i, (got, want)) in zip(x.scalars, expected).enumerated() {
            #expect(abs(got - want) <= 2e-6 * max(1, abs(want)), "\(activation) at \(values[i]): \(got) vs \(want)")
        }
    }

    @Test func expIsAccurateAcrossTheFloatRange() {
        let xs = (0..<2000).map { Float($0) * 0.0875 - 87 }  // up to 87.9: e^88.8 overflows a float
        var out = [Float](repeating: 0, count: xs.count)
        seer_exp(xs, &out, xs.count)
        let worst = zip(xs, out).map { x, got in abs(Double(got) - Foundation.exp(Double(x))) / Foundation.exp(Double(x)) }.max()!
        #expect(worst < 3e-7)
    }

    /// Attention against a direct double-precision evaluation of softmax(QKᵀ/√d)V per head.
    @Test(arguments: [false, true])
    func attentionMatchesDefinition(causal: Bool) {
        var rng = SplitMix(state: causal ? 3 : 4)
        let batch = 2, tokens = 9, heads = 3, headDim = 4, width = heads * headDim
        let q = rng.tensor([batch, tokens, width], scale: 2), k = rng.tensor([batch, tokens, width], scale: 2)
        let v = rng.tensor([batch, tokens, width])
        let out = Tensor(zeros: q.shape)
        Ops.attention(query: q, key: k, value: v, heads: heads, causal: causal, into: out)
        func at(_ t: Tensor, _ b: Int, _ i: Int, _ h: Int, _ d: Int) -> Double {
            Double(t.pointer[(b * tokens + i) * width + h * headDim + d])
        }
        var expected = [Float](repeating: 0, count: out.count)
        for b in 0..<batch { for h in 0..<heads { for i in 0..<tokens {
            let visible = causal ? i + 1 : tokens
            let logits = (0..<visible).map { j in (0..<headDim).map { at(q, b, i, h, $0) * at(k, b, j, h, $0) }.reduce(0, +) / Double(headDim).squareRoot() }
            let m = logits.max()!
            let weights = logits.map { Foundation.exp($0 - m) }
            let total = weights.reduce(0, +)
            for d in 0..<headDim {
                let value = (0..<visible).map { weights[$0] / total * at(v, b, $0, h, d) }.reduce(0, +)
                expected[(b * tokens + i) * width + h * headDim + d] = Float(value)
            }
        } } }
        #expect(maxAbsDiff(out.scalars, expected) < 1e-5)
    }

    @Test func parallelChunksCoversEveryIndexOnce() {
        for count in [0, 1, 5, 1000, 12345] {
            let hits = UnsafeMutablePointer<Int32>.allocate(capacity: max(count, 1))
            hits.initialize(repeating: 0, count: max(count, 1))
            defer { hits.deallocate() }
            nonisolated(unsafe) let h = hits
            parallelChunks(count, grain: 7) { range in for i in range { h[i] += 1 } }
            #expect((0..<count).allSatisfy { hits[$0] == 1 })
        }
    }
}
