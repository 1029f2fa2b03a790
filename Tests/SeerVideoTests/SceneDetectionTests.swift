import SeerAnalytics
import SeerModels
import SeerVideo
import Testing

/// Scene detection on real footage. bikes.mp4's new shots start at 1.20, 3.04, 5.48, 7.48 and
/// 9.68 s (checked frame by frame; the issue lists all but the 3.04 s one, a taxi-to-cyclist cut).
@Suite struct SceneDetectionTests {
    static let bikesCuts = [1.20, 3.04, 5.48, 7.48, 9.68]

    func cuts(_ path: String, fps: Double = 2, embed: ([VideoFrame]) throws -> [[Float]]) throws -> [SceneDetector.Cut] {
        let frames = try Fixtures.frames(path, FrameSourceOptions(sampling: .fps(fps)))
        let similarities = consecutiveSimilarities(try embed(frames))
        return SceneDetector().cuts(similarities: similarities, times: frames.map(\.time))
    }

    /// Each detected cut brackets a true cut: previousTime < truth ≤ time.
    func matches(_ cut: SceneDetector.Cut, _ truth: Double) -> Bool {
        cut.previousTime < truth && truth <= cut.time + 1e-6
    }

    @Test func colorHistogramFindsEveryCutInBikes() throws {
        // 4 frames a second: at 2 the last sample (9.5 s) comes before the last cut.
        let found = try cuts(Fixtures.bikes, fps: 4) { $0.map { ColorHistogram().embed($0.image) } }
        #expect(found.count == Self.bikesCuts.count, "\(found.map(\.time))")
        for (cut, truth) in zip(found, Self.bikesCuts) {
            #expect(matches(cut, truth), "cut at \(cut.previousTime)…\(cut.time) s, expected \(truth) s")
        }
    }

    @Test func colorHistogramFindsNoCutInVtest() throws {
        #expect(try cuts(Fixtures.vtest) { $0.map { ColorHistogram().embed($0.image) } }.isEmpty)
    }

    /// A random-weight tiny CLIP is no scene model, but its embedding still jumps at bikes.mp4's
    /// strongest cut (1.2 s: dark street to bright wall), and whatever it reports is a real cut.
    @Test func tinyCLIPFindsTheStrongestCutAndNoFalseOnes() throws {
        let clip = try CLIP(directory: Fixtures.tinyCLIP)
        let found = try cuts(Fixtures.bikes) { try clip.embed(images: $0.map(\.image)) }
        #expect(found.contains { matches($0, 1.20) }, "\(found.map(\.time))")
        for cut in found {
            #expect(Self.bikesCuts.contains { matches(cut, $0) }, "false cut at \(cut.time) s")
        }
        #expect(try cuts(Fixtures.vtest) { try clip.embed(images: $0.map(\.image)) }.isEmpty)
    }
}
