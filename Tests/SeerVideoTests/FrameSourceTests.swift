import Foundation
import SeerImage
import SeerVideo
import Testing

@Suite struct FrameSourceTests {
    @Test func decodesEveryFrameWithTimestamps() throws {
        let source = try FFmpegFrameSource(Fixtures.bikes)
        #expect(source.width == 640 && source.height == 272)
        #expect(source.duration == 10)
        #expect(source.frameRate == 25)
        var frames: [VideoFrame] = []
        while let frame = try source.nextFrame() { frames.append(frame) }
        #expect(frames.count == 250)
        #expect(frames.map(\.index) == Array(0..<250))
        for (n, frame) in frames.enumerated() {
            #expect(abs(frame.time - Double(n) / 25) < 1e-9)
        }
        #expect(frames[0].image.width == 640 && frames[0].image.height == 272)
        #expect(source.warnings.isEmpty)
    }

    @Test func samplesByRateAndCount() throws {
        let twoPerSecond = try Fixtures.frames(Fixtures.bikes, FrameSourceOptions(sampling: .fps(2)))
        #expect(twoPerSecond.map(\.index) == (0..<20).map { Int((Double($0) * 12.5).rounded(.up)) })
        let every = try Fixtures.frames(Fixtures.bikes, FrameSourceOptions(sampling: .every(50)))
        #expect(every.map(\.index) == [0, 50, 100, 150, 200])
        #expect(every.map(\.time) == [0, 2, 4, 6, 8])
    }

    @Test func seeksToTheStartTime() throws {
        let frames = try Fixtures.frames(Fixtures.bikes, FrameSourceOptions(sampling: .every(25), start: 6.5))
        // The first frame at or after 6.5 s is frame 163 (6.52 s); then every 25th.
        #expect(frames.map { ($0.time * 25).rounded() } == [163, 188, 213, 238])
        // The same pixels as decoding from the start.
        let all = try Fixtures.frames(Fixtures.bikes)
        let same = frames[0].image == all[163].image && frames[3].image == all[238].image
        #expect(same)
    }

    @Test func scalesDownToMaxDimension() throws {
        let source = try FFmpegFrameSource(Fixtures.bikes, options: FrameSourceOptions(maxDimension: 320))
        let frame = try #require(try source.nextFrame())
        #expect(frame.image.width == 320 && frame.image.height == 136)
    }

    @Test func rgbMatchesFFmpegsOwnConversion() throws {
        // vtest.avi is MPEG-4 Part 2 (yuv420p, BT.601 limited range); a mid-grey wall should be
        // grey in RGB, and the picture should not be blank.
        let source = try FFmpegFrameSource(Fixtures.vtest)
        let image = try #require(try source.nextFrame()).image
        #expect(image.width == 768 && image.height == 576)
        let means = (0..<3).map { c in stride(from: c, to: image.pixels.count, by: 3).reduce(0) { $0 + Int(image.pixels[$1]) } / (image.width * image.height) }
        #expect(means.allSatisfy { $0 > 60 && $0 < 200 }, "\(means)")
        #expect(Set(image.pixels).count > 200)
    }
}
