/// Dot products summed in the order numpy sums them on x86-64, bit for bit.
///
/// Roboflow's "Identify Outliers" compares `np.dot(mu, x)` with `np.einsum("ij,j->i", window, mu)`,
/// whose entry for the current row is the same product summed in another order: whether the
/// current row counts as below itself depends on the last bit of each. Reproducing the block
/// means reproducing both orders:
/// - `np.dot` and `np.linalg.norm` call OpenBLAS's `ddot`; its Haswell/Zen kernel (what numpy's
///   wheels run on AVX2 CPUs) keeps 16 fused multiply-add lanes over the first n & ~15 elements,
///   reduces them pairwise, then adds the rest one product at a time (not fused).
/// - `np.einsum` without `optimize` runs numpy's baseline (SSE2, two lanes, no FMA) sum-of-products
///   loop: blocks of 8 elements taken pair by pair from the last pair to the first, then pairs,
///   then the two lanes added.
/// Checked against numpy 2.2 (OpenBLAS 0.3.29) on random vectors of lengths 3 to 768, and through
/// the block itself by Tests/Fixtures/video/roboflow_outliers_block.json.
enum NumPySums {
    /// OpenBLAS `ddot` (Haswell kernel) of two vectors of equal length.
    static func blasDot(_ x: [Double], _ y: [Double]) -> Double {
        precondition(x.count == y.count, "vectors of different lengths: \(x.count) and \(y.count)")
        let n = x.count
        let blocked = n & ~15
        var dot = 0.0
        if blocked > 0 {
            var lanes = [Double](repeating: 0, count: 16)   // 4 registers × 4 doubles
            var i = 0
            while i < blocked {
                for lane in 0..<16 { lanes[lane].addProduct(x[i + lane], y[i + lane]) }
                i += 16
            }
            // Each register's high half onto its low half, registers 0+1 and 2+3, then those two, then the two lanes.
            var halves = [Double](repeating: 0, count: 8)
            for r in 0..<4 {
                halves[2 * r] = lanes[4 * r] + lanes[4 * r + 2]
                halves[2 * r + 1] = lanes[4 * r + 1] + lanes[4 * r + 3]
            }
            let a0 = halves[0] + halves[2], a1 = halves[1] + halves[3]
            let b0 = halves[4] + halves[6], b1 = halves[5] + halves[7]
            dot = (a0 + b0) + (a1 + b1)
        }
        for i in blocked..<n { dot += y[i] * x[i] }
        return dot
    }

    /// numpy's `einsum` sum of products over one contiguous axis (baseline SSE2 loop).
    static func einsumDot(_ x: [Double], _ y: [Double]) -> Double {
        precondition(x.count == y.count, "vectors of different lengths: \(x.count) and \(y.count)")
        let n = x.count
        var lane0 = 0.0, lane1 = 0.0
        var i = 0
        while n - i >= 8 {
            for pair in stride(from: 3, through: 0, by: -1) {
                let j = i + 2 * pair
                lane0 = x[j] * y[j] + lane0
                lane1 = x[j + 1] * y[j + 1] + lane1
            }
            i += 8
        }
        while i < n {   // the tail, two at a time, a missing second element read as zero
            lane0 = x[i] * y[i] + lane0
            if i + 1 < n { lane1 = x[i + 1] * y[i + 1] + lane1 }
            i += 2
        }
        return lane0 + lane1
    }

    /// `np.linalg.norm` of a vector: the square root of its OpenBLAS `ddot` with itself.
    static func norm(_ x: [Double]) -> Double { blasDot(x, x).squareRoot() }
}

/// Arithmetic of Roboflow's workflow blocks, rounded as numpy rounds it.
public enum RoboflowMath {
    /// `np.dot(a, b) / np.sqrt(np.vdot(a, a) * np.vdot(b, b))` (Roboflow's `cosine_similarity`): NaN for a zero vector.
    public static func cosineSimilarity(_ a: [Double], _ b: [Double]) -> Double {
        NumPySums.blasDot(a, b) / (NumPySums.blasDot(a, a) * NumPySums.blasDot(b, b)).squareRoot()
    }
}
