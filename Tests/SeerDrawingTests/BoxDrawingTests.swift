import Foundation
import Testing
import SeerImage
@testable import SeerDrawing

@Suite struct BoxDrawingTests {
    func gray(_ width: Int, _ height: Int) -> RGBImage {
        RGBImage(width: width, height: height, pixels: [UInt8](repeating: 128, count: width * height * 3))
    }

    func pixel(_ image: RGBImage, _ x: Int, _ y: Int) -> Colour {
        let i = (y * image.width + x) * 3
        return Colour(image.pixels[i], image.pixels[i + 1], image.pixels[i + 2])
    }

    @Test func fontRendersInkThatGrowsWithTheText() throws {
        let font = try Font(pixelHeight: 20)
        let short = try font.render("Hi", height: 20), long = try font.render("Hi there", height: 20)
        #expect(short.width > 0 && long.width > short.width)
        #expect(short.height >= 20 && short.ascent > 0 && short.ascent < short.height)
        #expect(short.coverage.contains(255), "solid strokes are fully covered")
        #expect(short.coverage.filter { $0 > 0 }.count > 20)
        // 'H' has two stems: some column of the bitmap is ink from near the baseline up.
        let inkRows = (0..<short.height).filter { row in (0..<short.width).contains { short.coverage[row * short.width + $0] > 128 } }
        #expect(inkRows.count >= 10)
        let bigger = try font.render("Hi", height: 40)
        #expect(bigger.width > short.width * 3 / 2)
        #expect(throws: DrawingError.self) { try Font(path: "/nonexistent/font.ttf") }
        #expect(throws: DrawingError.self) { try Font(path: "/etc/hostname") }
    }

    @Test func boxOutlineInItsClassColourAndCaptionTabAboveIt() throws {
        let drawer = BoxDrawer(font: try Font())
        let image = gray(400, 300)
        let drawn = try drawer.draw([DrawnBox(x0: 100, y0: 120, x1: 300, y1: 260, caption: "cat 0.91", classIndex: 0)], on: image)
        let red = Colour.palette[0]
        #expect(pixel(drawn, 100, 200) == red, "left edge")
        #expect(pixel(drawn, 299, 200) == red, "right edge")
        #expect(pixel(drawn, 200, 120) == red && pixel(drawn, 200, 259) == red, "top and bottom edges")
        #expect(pixel(drawn, 200, 200) == Colour(128, 128, 128), "inside untouched")
        #expect(pixel(drawn, 50, 50) == Colour(128, 128, 128), "outside untouched")
        // The tab above the box: filled with the class colour, with white text on it.
        // 12 px text at this size: the tab spans about 16 rows above y = 120 and 50 columns from x = 100.
        let tab = (100..<145).flatMap { x in (106..<120).map { y in pixel(drawn, x, y) } }
        #expect(tab.filter { $0 == red }.count > tab.count / 2)
        #expect(pixel(drawn, 100, 100) == Colour(128, 128, 128), "nothing above the tab")
        #expect(tab.filter { $0.r > 240 && $0.g > 240 && $0.b > 240 }.count > 15, "white glyph pixels")
    }

    @Test func aMaskIsTintedInItsClassColourAndNothingElseIs() throws {
        let drawer = BoxDrawer(font: try Font())
        let image = gray(100, 80)
        var bits = [Bool](repeating: false, count: 100 * 80)
        for y in 30..<50 { for x in 30..<60 { bits[y * 100 + x] = true } }
        let mask = BinaryMask(width: 100, height: 80, bits: bits)
        let drawn = try drawer.draw([DrawnBox(x0: 20, y0: 20, x1: 70, y1: 60, caption: "", classIndex: 2, mask: mask)], on: image)
        let blue = Colour.palette[2]
        // 60% gray + 40% colour, rounded.
        func mix(_ c: UInt8) -> UInt8 {
            let sum: Int = 384 + 2 * Int(c) + 2
            return UInt8(sum / 5)
        }
        let want = Colour(mix(blue.r), mix(blue.g), mix(blue.b))
        #expect(pixel(drawn, 40, 40) == want)
        #expect(pixel(drawn, 25, 40) == Colour(128, 128, 128), "inside the box, outside the mask")
        #expect(pixel(drawn, 20, 40) == blue, "the outline")
        // A mask of another size is not drawn (it belongs to another image).
        let other = try drawer.draw([DrawnBox(x0: 20, y0: 20, x1: 70, y1: 60, caption: "", classIndex: 2,
                                              mask: BinaryMask(width: 10, height: 10, bits: [Bool](repeating: true, count: 100)))], on: image)
        #expect(pixel(other, 40, 40) == Colour(128, 128, 128))
    }

    @Test func edgeCasesAreClippedNotCrashes() throws {
        let drawer = BoxDrawer(font: try Font())
        let image = gray(120, 80)
        // At the top edge the tab goes inside the box; a box partly outside is clipped; an empty one is skipped.
        let drawn = try drawer.draw([
            DrawnBox(x0: 10, y0: 0, x1: 110, y1: 70, caption: "person", classIndex: 1),
            DrawnBox(x0: -50, y0: -20, x1: 500, y1: 900, caption: "huge", classIndex: 12),
            DrawnBox(x0: 30, y0: 30, x1: 30, y1: 30, caption: "empty", classIndex: 2),
            DrawnBox(x0: 5, y0: 5, x1: 40, y1: 40, caption: "", classIndex: -3),
        ], on: image)
        #expect(drawn.width == 120 && drawn.height == 80)
        #expect(pixel(drawn, 10, 40) == Colour.palette[1])
        let green = Colour.palette[1]
        let inside = (12..<60).flatMap { x in (2..<12).map { y in pixel(drawn, x, y) } }
        #expect(inside.contains(green), "the tab sits inside the box at the top edge")
    }
}
