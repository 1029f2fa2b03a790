import SeerImage

/// The map as a picture: points as small squares on white, coloured as on the page, with a
/// strip of the class colours (or the colour scale, low at the bottom) down the right edge.
/// (No text: the page carries the names and paths.)
public enum MapPicture {
    public static func render(points: [SIMD2<Float>], coloring: MapColoring, width: Int = 1600, height: Int = 1200) -> RGBImage {
        var image = RGBImage(width: width, height: height)
        for i in image.pixels.indices { image.pixels[i] = 255 }
        let colors = pointColors(points.count, coloring)
        let key = 40, margin = 20
        let plotWidth = width - key - 2 * margin, plotHeight = height - 2 * margin
        guard let bounds = MapBounds(points), plotWidth > 0, plotHeight > 0 else { return image }
        let scale = min(Float(plotWidth) / max(bounds.width, 1e-12), Float(plotHeight) / max(bounds.height, 1e-12))
        let size = points.count > 200_000 ? 1 : points.count > 20_000 ? 2 : 3
        func fill(_ x0: Int, _ y0: Int, _ w: Int, _ h: Int, _ c: SIMD3<UInt8>) {
            for y in max(0, y0)..<min(height, y0 + h) {
                for x in max(0, x0)..<min(width, x0 + w) {
                    let p = (y * width + x) * 3
                    image.pixels[p] = c.x; image.pixels[p + 1] = c.y; image.pixels[p + 2] = c.z
                }
            }
        }
        for (i, point) in points.enumerated() where point.x.isFinite && point.y.isFinite {
            let x = margin + Int(((point.x - bounds.minX) * scale).rounded()) + (plotWidth - Int(bounds.width * scale)) / 2
            let y = margin + plotHeight - Int(((point.y - bounds.minY) * scale).rounded()) - (plotHeight - Int(bounds.height * scale)) / 2
            fill(x - size / 2, y - size / 2, size, size, colors[i])
        }
        let keyX = width - key + 8
        switch coloring {
        case .categories(_, let names, _):
            for c in 0..<min(names.count, (height - 2 * margin) / 20) { fill(keyX, margin + c * 20, 24, 14, MapPalette.category(c)) }
        case .values:
            for y in 0..<plotHeight { fill(keyX, margin + y, 24, 1, MapPalette.value(1 - Float(y) / Float(max(1, plotHeight - 1)))) }
        case .none:
            break
        }
        return image
    }

    /// Each point's colour under `coloring` (values scaled between their minimum and maximum).
    static func pointColors(_ count: Int, _ coloring: MapColoring) -> [SIMD3<UInt8>] {
        switch coloring {
        case .categories(_, _, let classes):
            return classes.map { MapPalette.category(Int($0)) }
        case .values(_, let values):
            let finite = values.filter(\.isFinite)
            let lo = finite.min() ?? 0, hi = finite.max() ?? 1
            return values.map { MapPalette.value(hi > lo ? ($0 - lo) / (hi - lo) : 0.5) }
        case .none:
            return Array(repeating: MapPalette.category(0), count: count)
        }
    }
}

/// The box around a map's finite points.
struct MapBounds {
    var minX: Float, minY: Float, maxX: Float, maxY: Float
    var width: Float { maxX - minX }
    var height: Float { maxY - minY }

    init?(_ points: [SIMD2<Float>]) {
        let finite = points.filter { $0.x.isFinite && $0.y.isFinite }
        guard !finite.isEmpty else { return nil }
        minX = finite.map(\.x).min()!; maxX = finite.map(\.x).max()!
        minY = finite.map(\.y).min()!; maxY = finite.map(\.y).max()!
    }
}
