import Dispatch
import Foundation
import SeerRuntime

/// Pillow's resampling filters, numbered as `PIL.Image.Resampling` (and as `resample`
/// in Hugging Face `preprocessor_config.json`).
public enum ResampleFilter: Int, Sendable, Equatable, Codable {
    case nearest = 0
    case lanczos = 1
    case bilinear = 2
    case bicubic = 3
    case box = 4
    case hamming = 5

    /// Half-width of the filter at scale 1.
    var support: Double {
        switch self {
        case .nearest: return 0
        case .box: return 0.5
        case .bilinear, .hamming: return 1
        case .bicubic: return 2
        case .lanczos: return 3
        }
    }

    // The kernels of Pillow's libImaging/Resample.c, evaluated in double precision.
    @inline(__always)
    func weight(_ x: Double) -> Double {
        switch self {
        case .nearest:
            return 0
        case .box:
            return (x > -0.5 && x <= 0.5) ? 1 : 0
        case .bilinear:
            let t = abs(x)
            return t < 1 ? 1 - t : 0
        case .hamming:
            let t = abs(x)
            if t == 0 { return 1 }
            if t >= 1 { return 0 }
            let p = t * Double.pi
            // Pillow writes 0.54f and 0.46f: single-precision constants.
            return sin(p) / p * (Double(Float(0.54)) + Double(Float(0.46)) * cos(p))
        case .bicubic:
            let a = -0.5
            let t = abs(x)
            if t < 1 { return ((a + 2) * t - (a + 3)) * t * t + 1 }
            if t < 2 { return (((t - 5) * t + 8) * t - 4) * a }
            return 0
        case .lanczos:
            func sinc(_ v: Double) -> Double {
                if v == 0 { return 1 }
                let p = v * Double.pi
                return sin(p) / p
            }
            return (-3 <= x && x < 3) ? sinc(x) * sinc(x / 3) : 0
        }
    }
}

/// Fixed-point filter taps for one axis, as Pillow's `precompute_coeffs` +
/// `normalize_coeffs_8bpc` compute them.
struct ResampleCoefficients {
    static let precisionBits = 22  // 32 - 8 - 2

    let outSize: Int
    let kernelSize: Int
    /// first source index and tap count per output index
    var bounds: [(start: Int, count: Int)]
    /// outSize × kernelSize fixed-point weights (scaled by 2^22, rounded half away from zero)
    var weights: [Int32]

    init(inSize: Int, outSize: Int, filter: ResampleFilter) {
        // Box (0, inSize): Pillow passes floats, so in1 - in0 is computed in float.
        let scale = Double(Float(inSize)) / Double(outSize)
        let filterScale = max(scale, 1.0)
        let support = filter.support * filterScale
        let ksize = Int(support.rounded(.up)) * 2 + 1
        self.outSize = outSize
        self.kernelSize = ksize
        var bounds = [(start: Int, count: Int)]()
        bounds.reserveCapacity(outSize)
        var weights = [Int32](repeating: 0, count: outSize * ksize)
        var k = [Double](repeating: 0, count: ksize)
        let ss = 1.0 / filterScale
        let one = Double(1 << Self.precisionBits)
        for xx in 0..<outSize {
            let center = (Double(xx) + 0.5) * scale
            // C's (int) cast truncates toward zero.
            var xmin = Int((center - support + 0.5).rounded(.towardZero))
            if xmin < 0 { xmin = 0 }
            var xmax = Int((center + support + 0.5).rounded(.towardZero))
            if xmax > inSize { xmax = inSize }
            xmax -= xmin
            var ww = 0.0
            for x in 0..<max(xmax, 0) {
                let w = filter.weight((Double(x + xmin) - center + 0.5) * ss)
                k[x] = w
                ww += w
            }
            for x in 0..<max(xmax, 0) {
                let w = ww != 0 ? k[x] / ww : k[x]
                let fixed = w < 0 ? (-0.5 + w * one) : (0.5 + w * one)
                weights[xx * ksize + x] = Int32(fixed.rounded(.towardZero))
            }
            bounds.append((xmin, max(xmax, 0)))
        }
        self.bounds = bounds
        self.weights = weights
    }
}

/// `DispatchQueue.concurrentPerform` over row ranges; the closure writes disjoint rows.
@inline(__always)
private func parallelRows(_ count: Int, minimumWork: Int, _ body: @Sendable (Range<Int>) -> Void) {
    let cores = SeerThreads.count
    let chunks = max(1, min(cores * 2, count, minimumWork))
    if chunks == 1 {
        body(0..<count)
        return
    }
    DispatchQueue.concurrentPerform(iterations: chunks) { c in
        let lo = count * c / chunks, hi = count * (c + 1) / chunks
        if lo < hi { body(lo..<hi) }
    }
}

/// Sendable wrapper for raw buffers shared by row-parallel loops (each task writes its own rows).
private struct SharedPointer<T>: @unchecked Sendable {
    let p: UnsafeMutablePointer<T>
}

extension RGBImage {
    /// Resizes with Pillow's algorithm for 8-bit images (`Image.resize(size, resample)` with no
    /// box and no `reducing_gap`), bit for bit: antialiasing (support scaled by the downscale
    /// factor), 22-bit fixed-point taps, a horizontal pass then a vertical pass, each rounded
    /// and clamped to 8 bits.
    public func resized(width newWidth: Int, height newHeight: Int, filter: ResampleFilter = .bicubic) -> RGBImage {
        precondition(newWidth > 0 && newHeight > 0, "resize to an empty image")
        if newWidth == width && newHeight == height { return self }
        if filter == .nearest { return resizedNearest(width: newWidth, height: newHeight) }

        let vertical = ResampleCoefficients(inSize: height, outSize: newHeight, filter: filter)
        // Rows of the source that the vertical pass reads.
        let firstRow = vertical.bounds[0].start
        let lastRow = vertical.bounds[newHeight - 1].start + vertical.bounds[newHeight - 1].count

        var current = self
        var rowOffset = 0  // source row index of current's row 0
        if newWidth != width {
            let horizontal = ResampleCoefficients(inSize: width, outSize: newWidth, filter: filter)
            current = horizontalPass(rows: firstRow..<lastRow, coefficients: horizontal)
            rowOffset = firstRow
        }
        if newHeight != height {
            current = current.verticalPass(coefficients: vertical, rowOffset: rowOffset)
        }
        return current
    }

    private func horizontalPass(rows: Range<Int>, coefficients c: ResampleCoefficients) -> RGBImage {
        let outW = c.outSize, inW = width
        let count = rows.count
        var out = [UInt8](repeating: 0, count: outW * count * 3)
        let half = Int32(1 << (ResampleCoefficients.precisionBits - 1))
        let shift = Int32(ResampleCoefficients.precisionBits)
        let ksize = c.kernelSize
        let starts = c.bounds.map { Int32($0.start) }, counts = c.bounds.map { Int32($0.count) }
        pixels.withUnsafeBufferPointer { srcBuf in
            out.withUnsafeMutableBufferPointer { dstBuf in
                c.weights.withUnsafeBufferPointer { kBuf in
                    starts.withUnsafeBufferPointer { sBuf in
                        counts.withUnsafeBufferPointer { nBuf in
                            let src = SharedPointer(p: UnsafeMutablePointer(mutating: srcBuf.baseAddress!))
                            let dst = SharedPointer(p: dstBuf.baseAddress!)
                            let kk = SharedPointer(p: UnsafeMutablePointer(mutating: kBuf.baseAddress!))
                            let st = SharedPointer(p: UnsafeMutablePointer(mutating: sBuf.baseAddress!))
                            let nn = SharedPointer(p: UnsafeMutablePointer(mutating: nBuf.baseAddress!))
                            let rowStart = rows.lowerBound
                            parallelRows(count, minimumWork: max(1, count * outW * ksize / 200_000)) { range in
                                for r in range {
                                    let srow = src.p + (rowStart + r) * inW * 3
                                    let drow = dst.p + r * outW * 3
                                    for xx in 0..<outW {
                                        let k = kk.p + xx * ksize
                                        var s = srow + Int(st.p[xx]) * 3
                                        var ss0 = half, ss1 = half, ss2 = half
                                        for x in 0..<Int(nn.p[xx]) {
                                            let w = k[x]
                                            ss0 &+= Int32(s[0]) &* w
                                            ss1 &+= Int32(s[1]) &* w
                                            ss2 &+= Int32(s[2]) &* w
                                            s += 3
                                        }
                                        let d = drow + xx * 3
                                        d[0] = clip8(ss0 >> shift)
                                        d[1] = clip8(ss1 >> shift)
                                        d[2] = clip8(ss2 >> shift)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return RGBImage(width: outW, height: count, pixels: out)
    }

    private func verticalPass(coefficients c: ResampleCoefficients, rowOffset: Int) -> RGBImage {
        let outH = c.outSize
        let rowLen = width * 3
        var out = [UInt8](repeating: 0, count: rowLen * outH)
        let half = Int32(1 << (ResampleCoefficients.precisionBits - 1))
        let shift = Int32(ResampleCoefficients.precisionBits)
        let ksize = c.kernelSize
        let bounds = c.bounds
        pixels.withUnsafeBufferPointer { srcBuf in
            out.withUnsafeMutableBufferPointer { dstBuf in
                c.weights.withUnsafeBufferPointer { kBuf in
                    let src = SharedPointer(p: UnsafeMutablePointer(mutating: srcBuf.baseAddress!))
                    let dst = SharedPointer(p: dstBuf.baseAddress!)
                    let kk = SharedPointer(p: UnsafeMutablePointer(mutating: kBuf.baseAddress!))
                    parallelRows(outH, minimumWork: max(1, outH * rowLen * ksize / 200_000)) { range in
                        // Integer sums are order-independent: accumulate a whole row per tap.
                        let acc = UnsafeMutablePointer<Int32>.allocate(capacity: rowLen)
                        defer { acc.deallocate() }
                        for yy in range {
                            acc.initialize(repeating: half, count: rowLen)
                            let (start, n) = bounds[yy]
                            let k = kk.p + yy * ksize
                            for y in 0..<n {
                                let w = k[y]
                                let srow = src.p + (start - rowOffset + y) * rowLen
                                for i in 0..<rowLen {
                                    acc[i] &+= Int32(srow[i]) &* w
                                }
                            }
                            let drow = dst.p + yy * rowLen
                            for i in 0..<rowLen {
                                drow[i] = clip8(acc[i] >> shift)
                            }
                        }
                    }
                }
            }
        }
        return RGBImage(width: width, height: outH, pixels: out)
    }

    /// Pillow's NEAREST resize: source index ⌊(i + 0.5) · in/out⌋.
    private func resizedNearest(width newWidth: Int, height newHeight: Int) -> RGBImage {
        let sx = Double(width) / Double(newWidth), sy = Double(height) / Double(newHeight)
        let xs = (0..<newWidth).map { min(width - 1, Int((Double($0) + 0.5) * sx)) }
        var out = [UInt8](repeating: 0, count: newWidth * newHeight * 3)
        pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for y in 0..<newHeight {
                    let syi = min(height - 1, Int((Double(y) + 0.5) * sy))
                    for x in 0..<newWidth {
                        let s = (syi * width + xs[x]) * 3, d = (y * newWidth + x) * 3
                        dst[d] = src[s]; dst[d + 1] = src[s + 1]; dst[d + 2] = src[s + 2]
                    }
                }
            }
        }
        return RGBImage(width: newWidth, height: newHeight, pixels: out)
    }
}

@inline(__always)
private func clip8(_ v: Int32) -> UInt8 {
    UInt8(truncatingIfNeeded: v < 0 ? 0 : (v > 255 ? 255 : v))
}
