import SeerAnalytics
import Testing

@Suite struct SceneDetectorTests {
    /// Similarities of a 2 fps trace with wobble, and drops at the given gaps.
    func trace(count: Int, drops: [Int: Double], seed: UInt64) -> (similarities: [Double], times: [Double]) {
        var g = SeededGenerator(seed: seed)
        var s = (0..<count).map { _ in 0.93 + 0.01 * g.normal() }
        for (i, value) in drops { s[i] = value }
        return (s, (0...count).map { Double($0) / 2 })
    }

    @Test func findsKnownCuts() {
        let (s, t) = trace(count: 60, drops: [9: 0.55, 24: 0.7, 41: 0.62], seed: 5)
        let cuts = SceneDetector().cuts(similarities: s, times: t)
        #expect(cuts.map(\.frame) == [10, 25, 42])
        #expect(cuts.map(\.time) == [5.0, 12.5, 21.0])
        #expect(cuts.map(\.previousTime) == [4.5, 12.0, 20.5])
    }

    @Test func noCutsInAStationaryTrace() {
        let (s, t) = trace(count: 200, drops: [:], seed: 9)
        #expect(SceneDetector().cuts(similarities: s, times: t).isEmpty)
    }

    @Test func minimumSceneLengthKeepsTheStrongerOfTwoCloseCuts() {
        let (s, t) = trace(count: 40, drops: [10: 0.6, 11: 0.8], seed: 11)
        // Gaps 10 and 11 are 0.5 s apart; with a 1 s minimum only the deeper drop remains.
        #expect(SceneDetector(minimumSceneLength: 1).cuts(similarities: s, times: t).map(\.frame) == [11])
    }

    @Test func adaptsToNoisyFootage() {
        // Shaky footage: similarity swings ±0.08 around 0.8; a drop of 0.15 is within the noise,
        // a drop to 0.2 is a cut.
        var g = SeededGenerator(seed: 2)
        var s = (0..<80).map { _ in 0.8 + 0.08 * g.normal() }
        s[30] = 0.2
        let t = (0...80).map { Double($0) / 2 }
        #expect(SceneDetector().cuts(similarities: s, times: t).map(\.frame) == [31])
    }
}
