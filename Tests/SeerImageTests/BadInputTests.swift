import Foundation
import Testing
@testable import SeerImage

@Suite("Bad inputs give clear errors")
struct BadInputTests {
    func error(_ file: String, limits: ImageLimits = .default) -> ImageError? {
        do {
            _ = try ImageLoader.load(contentsOf: Fixtures.url(file), limits: limits)
            return nil
        } catch let e as ImageError {
            return e
        } catch {
            Issue.record("unexpected error type \(type(of: error)): \(error)")
            return nil
        }
    }

    @Test("each bad fixture throws the expected kind", arguments: [
        ("empty.jpg", ImageError.Kind.empty, "file is empty"),
        ("random.bin", .unknownFormat, "not a JPEG, PNG or WebP file"),
        ("not_an_image.txt", .unknownFormat, "not a JPEG, PNG or WebP file"),
        ("truncated.jpg", .truncated, "truncated JPEG data"),
        ("truncated_progressive.jpg", .truncated, "truncated JPEG data"),
        ("truncated.png", .truncated, "truncated PNG data"),
        ("png_header_only.png", .truncated, "truncated PNG data"),
        ("truncated.webp", .truncated, "truncated WebP data"),
        ("bomb_60000.png", .tooLarge, "60000×60000"),
        ("bomb_60000.jpg", .tooLarge, "60000×60000"),
    ])
    func badFixture(file: String, kind: ImageError.Kind, phrase: String) throws {
        let e = try #require(error(file))
        #expect(e.kind == kind, "\(file): \(e)")
        #expect(e.description.contains(phrase), "\(file): \(e)")
        #expect(e.description.hasPrefix(Fixtures.url(file).path + ": "), "path prefix: \(e)")
        #expect(!e.description.contains("\n"))
    }

    @Test("garbled JPEG scan data: an error or an image, never a crash")
    func garbledJPEG() {
        // libjpeg recovers from many corrupt-data cases with a warning (as Pillow does); only
        // running out of data is fatal. Either outcome is acceptable; crashing is not.
        do {
            let image = try ImageLoader.load(contentsOf: Fixtures.url("garbled.jpg"))
            #expect(image.width == 512 && image.height == 512)
        } catch {
            #expect(error is ImageError)
        }
    }

    @Test("every prefix of a valid file is rejected cleanly", arguments: ["small_150x100.png", "cmyk.jpg", "rocket_exif7.webp", "animated.webp", "interlaced_rgb_trns.png"])
    func truncations(file: String) throws {
        let bytes = try Fixtures.bytes(file)
        let full = try ImageLoader.decode(bytes)
        let step = max(1, bytes.count / 97)
        for n in stride(from: 0, to: bytes.count - 1, by: step) {
            do {
                let partial = try ImageLoader.decode(Array(bytes[0..<n]))
                // Only acceptable when the cut removed trailing bytes the image does not need.
                #expect(partial == full, "\(file) cut at \(n) of \(bytes.count) decoded to a different image")
            } catch let e as ImageError {
                #expect([.truncated, .corrupt, .empty, .unknownFormat].contains(e.kind), "\(file)@\(n): \(e)")
            }
        }
    }

    @Test("random bytes behind valid magic numbers: an image or an ImageError, never a crash")
    func fuzzedHeaders() {
        var rng = SeededGenerator(defaultSeed: 0x5EE5_0001)
        let magics: [[UInt8]] = [[0xFF, 0xD8, 0xFF], [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A],
                                 Array("RIFF".utf8) + [0, 1, 0, 0] + Array("WEBPVP8 ".utf8)]
        for magic in magics {
            for round in 0..<300 {
                let tail = (0..<Int.random(in: 0..<400, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
                let context = "seed \(rng.seed), magic \(magic.prefix(4)), round \(round)"
                do {
                    // Random bytes can happen to form a tiny valid image; it must then be a whole one.
                    let image = try ImageLoader.decode(magic + tail)
                    #expect(image.width > 0 && image.height > 0 && image.pixels.count == image.width * image.height * 3, "\(context)")
                } catch let error as ImageError {
                    #expect(!error.message.isEmpty && !error.message.contains("\n"), "\(context): \(error)")
                } catch {
                    Issue.record("\(context): not an ImageError: \(error)")
                }
            }
        }
    }

    /// The pixel buffers `body` asks for, in bytes (seen through the decoder's task-local observer).
    func pixelBuffers(_ body: () throws -> Void) rethrows -> [Int] {
        let sizes = Recorded()
        try ImageLoader.$pixelBufferObserver.withValue({ sizes.append($0) }) { try body() }
        return sizes.values
    }

    @Test("a 60000×60000 bomb is refused from its header alone, before any pixel buffer is allocated",
          arguments: [("bomb_60000.png", 33), ("bomb_60000.jpg", nil)])
    func bomb(file: String, headerBytes: Int?) throws {
        let bytes = try Fixtures.bytes(file)
        // The observer sees real decodes: a small image asks for exactly its one buffer.
        #expect(try pixelBuffers { _ = try ImageLoader.decode(Fixtures.bytes("small_150x100.png")) } == [150 * 100 * 3])

        // Only the header: a decoder that read on (or allocated) before checking the size would
        // report the missing data as truncated instead.
        let head = Array(bytes.prefix(headerBytes ?? jpegHeaderLength(bytes)))
        for input in [bytes, head] {
            var thrown: ImageError?
            let buffers = pixelBuffers {
                do { _ = try ImageLoader.decode(input) } catch { thrown = error as? ImageError }
            }
            let e = try #require(thrown, "\(file), \(input.count) bytes: decoded")
            #expect(e.kind == .tooLarge, "\(file), \(input.count) bytes: \(e)")
            #expect(e.message.contains("60000×60000 = 3.6 G pixels"), "\(e)")
            #expect(e.message.contains("above the limit of 179 M pixels"), "\(e)")
            #expect(buffers.isEmpty, "\(file), \(input.count) bytes: allocated pixel buffers of \(buffers) bytes before refusing")
        }
    }

    /// The bytes of a JPEG up to the end of its start-of-frame segment (which holds the size).
    func jpegHeaderLength(_ bytes: [UInt8]) -> Int {
        var i = 2
        while i + 4 <= bytes.count, bytes[i] == 0xFF {
            let marker = bytes[i + 1], length = Int(bytes[i + 2]) << 8 | Int(bytes[i + 3])
            i += 2 + length
            if (0xC0...0xCF).contains(marker) && ![0xC4, 0xC8, 0xCC].contains(marker) { return i }
        }
        return bytes.count
    }

    @Test("limits are configurable")
    func customLimits() throws {
        let small = ImageLimits(maxPixels: 100 * 100)
        #expect(throws: ImageError.self) { try ImageLoader.load(contentsOf: Fixtures.url("small_150x100.png"), limits: small) }
        #expect(throws: ImageError.self) { try ImageLoader.load(contentsOf: Fixtures.url("astronaut.jpg"), limits: small) }
        #expect(throws: ImageError.self) { try ImageLoader.load(contentsOf: Fixtures.url("coffee_lossy.webp"), limits: small) }
        let ok = try ImageLoader.load(contentsOf: Fixtures.url("small_150x100.png"), limits: ImageLimits(maxPixels: 15_000))
        #expect(ok.width == 150)
        #expect(ImageLimits.default.maxPixels == 178_956_970)
    }

    @Test("a missing file names the path")
    func missingFile() {
        do {
            _ = try ImageLoader.load(contentsOf: URL(fileURLWithPath: "/nonexistent/seer/x.jpg"))
            Issue.record("no error")
        } catch let e as ImageError {
            #expect(e.kind == .io)
            #expect(e.description.hasPrefix("/nonexistent/seer/x.jpg: "))
        } catch {
            Issue.record("\(error)")
        }
    }
}

/// Values appended from a @Sendable closure.
final class Recorded: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [Int] = []
    func append(_ value: Int) { lock.withLock { items.append(value) } }
    var values: [Int] { lock.withLock { items } }
}
