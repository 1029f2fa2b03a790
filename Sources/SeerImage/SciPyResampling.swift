import Foundation

/// `scipy.ndimage.gaussian_filter` and `scipy.ndimage.zoom(order=1, grid_mode=True)` with
/// `mode="mirror"` on float32 planes: the resize of transformers' `Owlv2ImageProcessor`
/// (an anti-aliasing Gaussian, then bilinear zoom, as skimage's `resize`).
///
/// Follows scipy's C kernels (ndimage/src/ni_filters.c, ni_interpolation.c, ni_splines.c) so the
/// float32 results are the same bits:
/// - the kernel is `exp(-0.5 / σ² · x²)` for x in −r…r, r = int(4σ + 0.5), divided by its sum
///   (numpy's pairwise sum); lines are filtered in float64, pairing taps symmetrically from the
///   outermost in, and stored as float32 after each axis (rows first, then columns);
/// - zoom maps output k to input (k + 0.5) · in/out − 0.5, mirrors coordinates outside
///   [0, in − 1] ("mirror": d c b | a b c d | c b a), and weighs floor(x), floor(x) + 1 by
///   1 − t and 1 − (1 − t); the four products v · w_y · w_x are summed in float64 in row-major
///   order and stored as float32.
public enum SciPyResampling {
    /// Index `i` reflected into 0..<n as scipy's "mirror" mode does.
    static func mirror(_ i: Int, _ n: Int) -> Int {
        if n <= 1 { return 0 }
        let period = 2 * n - 2
        var i = i
        if i < 0 {
            i = period * (-i / period) + i
            i = i <= 1 - n ? i + period : -i
        } else if i >= n {
            i -= period * (i / period)
            if i >= n { i = period - i }
        }
        return i
    }

    /// numpy's pairwise summation of float64 (8 accumulators for 8 ≤ n ≤ 128, halves above),
    /// which `phi_x.sum()` uses for the kernel's normalisation.
    static func numpySum(_ values: [Double]) -> Double {
        let n = values.count
        if n < 8 { return values.reduce(0, +) }
        if n > 128 {
            var half = n / 2
            half -= half % 8
            return numpySum(Array(values[..<half])) + numpySum(Array(values[half...]))
        }
        var r = Array(values[0..<8])
        var i = 8
        while i < n - n % 8 {
            for j in 0..<8 { r[j] += values[i + j] }
            i += 8
        }
        var result = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
        while i < n {
            result += values[i]
            i += 1
        }
        return result
    }

    /// scipy's `_gaussian_kernel1d(sigma, 0, radius)` with radius int(4σ + 0.5).
    static func gaussianKernel(sigma: Double) -> [Double] {
        let radius = Int(4.0 * sigma + 0.5)
        let factor = -0.5 / (sigma * sigma)
        let phi = (-radius...radius).map { x in exp(factor * Double(x * x)) }
        let total = numpySum(phi)
        return phi.map { $0 / total }
    }

    /// gaussian_filter(plane, sigma, mode="mirror") over a height × width float32 plane, in place:
    /// axis 0 (down the columns) and then axis 1 (along the rows), each with its own σ (an axis
    /// with σ ≤ 1e-15 is left alone, as scipy skips it).
    public static func gaussianFilter(_ plane: inout [Float], height: Int, width: Int, sigmaY: Double, sigmaX: Double) {
        precondition(plane.count == height * width)
        if sigmaY > 1e-15 {
            let kernel = gaussianKernel(sigma: sigmaY)
            var line = [Float](repeating: 0, count: height)
            for x in 0..<width {
                for y in 0..<height { line[y] = plane[y * width + x] }
                let filtered = filterLine(line, kernel)
                for y in 0..<height { plane[y * width + x] = filtered[y] }
            }
        }
        if sigmaX > 1e-15 {
            let kernel = gaussianKernel(sigma: sigmaX)
            for y in 0..<height {
                let filtered = filterLine(Array(plane[y * width..<(y + 1) * width]), kernel)
                plane.replaceSubrange(y * width..<(y + 1) * width, with: filtered)
            }
        }
    }

    /// One line through NI_Correlate1D's symmetric path: out = in[0]·w[0] + Σ_{j=r…1} (in[−j] + in[j])·w[j].
    private static func filterLine(_ line: [Float], _ kernel: [Double]) -> [Float] {
        let n = line.count, radius = kernel.count / 2
        let extended = (-radius..<(n + radius)).map { Double(line[mirror($0, n)]) }
        var out = [Float](repeating: 0, count: n)
        extended.withUnsafeBufferPointer { e in
            kernel.withUnsafeBufferPointer { w in
                for l in 0..<n {
                    let c = l + radius
                    var sum = e[c] * w[radius]
                    for j in stride(from: radius, through: 1, by: -1) {
                        sum += (e[c - j] + e[c + j]) * w[radius - j]
                    }
                    out[l] = Float(sum)
                }
            }
        }
        return out
    }

    /// The two input samples and their weights behind each of `output` samples zoomed from `input`.
    struct LinearTap {
        var first: Int
        var second: Int
        var firstWeight: Double
        var secondWeight: Double
    }

    static func linearTaps(input: Int, output: Int) -> [LinearTap] {
        let zoom = Double(input) / Double(output)
        return (0..<output).map { k in
            var cc = (Double(k) + 0.5) * zoom - 0.5
            // map_coordinate(mode = mirror)
            if input > 1 {
                let period = Double(2 * input - 2)
                if cc < 0 {
                    cc = period * Double(Int(-cc / period)) + cc
                    cc = cc <= Double(1 - input) ? cc + period : -cc
                } else if cc > Double(input - 1) {
                    cc -= period * Double(Int(cc / period))
                    if cc >= Double(input) { cc = period - cc }
                }
            } else {
                cc = 0
            }
            let start = Int(cc.rounded(.down))
            let w0 = 1.0 - (cc - cc.rounded(.down))
            return LinearTap(first: mirror(start, input), second: mirror(start + 1, input), firstWeight: w0, secondWeight: 1.0 - w0)
        }
    }

    /// zoom(plane, (toHeight / height, toWidth / width), order=1, mode="mirror", grid_mode=True).
    /// Same size in and out returns the plane unchanged, as scipy's zoom does for zoom factors of 1.
    public static func zoomBilinear(_ plane: [Float], height: Int, width: Int, toHeight: Int, toWidth: Int) -> [Float] {
        precondition(plane.count == height * width)
        if height == toHeight && width == toWidth { return plane }
        let rows = linearTaps(input: height, output: toHeight), columns = linearTaps(input: width, output: toWidth)
        var out = [Float](repeating: 0, count: toHeight * toWidth)
        plane.withUnsafeBufferPointer { p in
            for (oy, r) in rows.enumerated() {
                let top = r.first * width, bottom = r.second * width
                for (ox, c) in columns.enumerated() {
                    var t = Double(p[top + c.first]) * r.firstWeight * c.firstWeight
                    t += Double(p[top + c.second]) * r.firstWeight * c.secondWeight
                    t += Double(p[bottom + c.first]) * r.secondWeight * c.firstWeight
                    t += Double(p[bottom + c.second]) * r.secondWeight * c.secondWeight
                    out[oy * toWidth + ox] = Float(t)
                }
            }
        }
        return out
    }
}
