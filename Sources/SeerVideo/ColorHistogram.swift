import SeerImage

/// A cheap frame embedding from pixel statistics alone: the joint RGB histogram with
/// `binsPerChannel`³ bins, square-rooted so that the cosine of two of them is the Bhattacharyya
/// coefficient of the colour distributions. The classic shot-boundary feature: it jumps at
/// hard cuts and barely moves with motion inside a shot. Used by `seer scenes --embedder
/// histogram` and as a model-free check on the scene logic.
public struct ColorHistogram: Sendable {
    public let binsPerChannel: Int

    public init(binsPerChannel: Int = 8) {
        precondition(binsPerChannel >= 1 && binsPerChannel <= 256 && 256 % binsPerChannel == 0,
                     "bins per channel must divide 256")
        self.binsPerChannel = binsPerChannel
    }

    public var dimension: Int { binsPerChannel * binsPerChannel * binsPerChannel }

    public func embed(_ image: RGBImage) -> [Float] {
        let shift = (256 / binsPerChannel).trailingZeroBitCount
        let b = binsPerChannel
        var counts = [Int](repeating: 0, count: dimension)
        image.pixels.withUnsafeBufferPointer { p in
            var i = 0
            while i + 2 < p.count {
                let r = Int(p[i]) >> shift, g = Int(p[i + 1]) >> shift, bl = Int(p[i + 2]) >> shift
                counts[(r * b + g) * b + bl] += 1
                i += 3
            }
        }
        let total = Float(max(1, image.width * image.height))
        return counts.map { (Float($0) / total).squareRoot() }
    }
}
