/// Masks as COCO `segmentation` polygons: `[[x1, y1, x2, y2, …], …]`, one polygon per
/// 4-connected part of the mask.
///
/// Convention: pixel (x, y) is the unit square [x, x+1] × [y, y+1], so vertices sit on pixel
/// corners and a polygon's area equals its pixel count. pycocotools' `frPyObjects` + `decode`
/// rasterizes such integer polygons back to exactly the same pixels (checked in the tests), as
/// does `BinaryMask(width:height:polygons:)`.
///
/// Holes: COCO merges the polygons of one object by union, so a hole cannot be a polygon of
/// its own. Each hole is instead joined to its part's outline by a bridge walked there and
/// back (a "keyhole"): the even-odd fill that both rasterizers use leaves the hole empty.
extension BinaryMask {
    public var polygons: [[Double]] {
        let loops = MaskContours(self).loops
        var outlines: [Int: [Corner]] = [:]
        var holes: [Int: [[Corner]]] = [:]
        var order: [Int] = []
        for loop in loops {
            if loop.isHole {
                holes[loop.part, default: []].append(loop.corners)
            } else {
                outlines[loop.part] = loop.corners
                order.append(loop.part)
            }
        }
        return order.map { part in
            let outline = outlines[part]!
            var ring = outline
            for (index, hole) in (holes[part] ?? []).enumerated() {
                // From the outline's first corner to the hole and around it; the closing edge
                // (or the next bridge) walks back to the outline's first corner.
                if index > 0 { ring.append(outline[0]) }
                ring.append(outline[0])
                ring.append(contentsOf: hole)
                ring.append(hole[0])
            }
            return ring.flatMap { [Double($0.x), Double($0.y)] }
        }
    }

    /// Rasterizes polygons (flat [x1, y1, x2, y2, …] each, in the corner convention above) with
    /// the even-odd rule: a pixel is set when its centre (x + ½, y + ½) lies inside, with
    /// half-open edges. Polygons are combined by union, as COCO merges an object's polygons.
    /// pycocotools does the same after snapping vertices to a fifth of a pixel, so the two can
    /// differ only where an edge passes within that distance of a pixel centre.
    public init(width: Int, height: Int, polygons: [[Double]]) {
        self.init(width: width, height: height)
        for polygon in polygons where polygon.count >= 6 && polygon.allSatisfy(\.isFinite) {
            var crossings: [Double] = []
            let n = polygon.count / 2
            for y in 0..<height {
                let centre = Double(y) + 0.5
                crossings.removeAll(keepingCapacity: true)
                for i in 0..<n {
                    let x1 = polygon[2 * i], y1 = polygon[2 * i + 1]
                    let j = (i + 1) % n
                    let x2 = polygon[2 * j], y2 = polygon[2 * j + 1]
                    // Half-open in y, so a vertex on the scanline counts once.
                    guard (y1 <= centre) != (y2 <= centre) else { continue }
                    crossings.append(x1 + (centre - y1) / (y2 - y1) * (x2 - x1))
                }
                crossings.sort()
                for k in stride(from: 0, to: crossings.count - 1, by: 2) {
                    // Pixels whose centre x + ½ lies in [left, right), clamped to the image
                    // before converting (vertices far outside must not overflow Int).
                    let first = Swift.max(0, (crossings[k] - 0.5).rounded(.up))
                    let last = Swift.min(Double(width - 1), (crossings[k + 1] - 0.5).rounded(.up) - 1)
                    if first <= last {
                        for x in Int(first)...Int(last) { self[x, y] = true }
                    }
                }
            }
        }
    }
}

/// A pixel corner: (0, 0) is the image's top-left corner, (width, height) its bottom-right.
struct Corner: Equatable {
    var x: Int
    var y: Int
}

/// The closed pixel-edge outlines of a mask ("crack" contours). Every edge between a set pixel
/// and an unset one (or the image border) is walked with the set pixel on its right (clockwise
/// on screen around a part, anticlockwise around a hole). Where two set pixels touch only at a
/// corner the walk turns right, keeping them in separate parts (4-connectivity).
struct MaskContours {
    struct Loop {
        /// The corners where the outline turns, in walking order.
        var corners: [Corner]
        /// The 4-connected part of the mask the loop bounds (its outline or one of its holes).
        var part: Int
        var isHole: Bool
    }

    private(set) var loops: [Loop] = []

    // Directions: 0 right (+x), 1 down (+y), 2 left (−x), 3 up (−y). A right turn is +1.
    private static let step = [(1, 0), (0, 1), (-1, 0), (0, -1)]

    init(_ mask: BinaryMask) {
        let width = mask.width, height = mask.height
        guard width > 0, height > 0 else { return }
        let parts = Self.label(mask)
        func isSet(_ x: Int, _ y: Int) -> Bool { x >= 0 && y >= 0 && x < width && y < height && mask[x, y] }

        // Outgoing boundary edges per corner, as bits 1 << direction.
        let stride = width + 1
        var edges = [UInt8](repeating: 0, count: stride * (height + 1))
        for y in 0..<height {
            for x in 0..<width where mask[x, y] {
                if !isSet(x, y - 1) { edges[y * stride + x] |= 1 << 0 }
                if !isSet(x + 1, y) { edges[y * stride + x + 1] |= 1 << 1 }
                if !isSet(x, y + 1) { edges[(y + 1) * stride + x + 1] |= 1 << 2 }
                if !isSet(x - 1, y) { edges[(y + 1) * stride + x] |= 1 << 3 }
            }
        }
        var used = [UInt8](repeating: 0, count: edges.count)

        // The set pixel on the right of an edge leaving corner (x, y) in direction d.
        func pixel(_ x: Int, _ y: Int, _ d: Int) -> (Int, Int) {
            switch d {
            case 0: return (x, y)
            case 1: return (x - 1, y)
            case 2: return (x - 1, y - 1)
            default: return (x, y - 1)
            }
        }

        func trace(from start: Int, direction startDirection: Int) -> Loop {
            let (sx, sy) = (start % stride, start / stride)
            var corners: [Corner] = []
            var (x, y, d) = (sx, sy, startDirection)
            var twiceArea = 0
            repeat {
                used[y * stride + x] |= 1 << d
                let (nx, ny) = (x + Self.step[d].0, y + Self.step[d].1)
                twiceArea += x * ny - nx * y
                // Next edge: a right turn, straight on, or a left turn, whichever exists first.
                let out = edges[ny * stride + nx]
                var next = (d + 1) % 4
                if out & (1 << next) == 0 { next = out & (1 << d) != 0 ? d : (d + 3) % 4 }
                if next != d { corners.append(Corner(x: nx, y: ny)) }
                (x, y, d) = (nx, ny, next)
            } while !(x == sx && y == sy && d == startDirection)
            // Read each loop from the corner it started at (the top-left of an outline).
            if let first = corners.firstIndex(of: Corner(x: sx, y: sy)) {
                corners = Array(corners[first...] + corners[..<first])
            }
            let (px, py) = pixel(sx, sy, startDirection)
            return Loop(corners: corners, part: parts[py * width + px], isHole: twiceArea < 0)
        }

        for start in 0..<edges.count {
            // A corner where two parts touch diagonally starts two loops.
            while edges[start] & ~used[start] != 0 {
                let startDirection = (0..<4).first { edges[start] & ~used[start] & (1 << $0) != 0 }!
                loops.append(trace(from: start, direction: startDirection))
            }
        }
    }

    /// 4-connected component labels of the set pixels (−1 where unset), numbered in raster order.
    static func label(_ mask: BinaryMask) -> [Int] {
        let width = mask.width, height = mask.height
        var labels = [Int](repeating: -1, count: width * height)
        var next = 0
        var stack: [Int] = []
        for seed in 0..<labels.count where mask.bits[seed] && labels[seed] < 0 {
            labels[seed] = next
            stack.append(seed)
            while let p = stack.popLast() {
                let x = p % width, y = p / width
                for (q, inside) in [(p - 1, x > 0), (p + 1, x < width - 1), (p - width, y > 0), (p + width, y < height - 1)]
                where inside && mask.bits[q] && labels[q] < 0 {
                    labels[q] = next
                    stack.append(q)
                }
            }
            next += 1
        }
        return labels
    }
}
