@testable import SeerVideo
import Testing

@Suite struct SamplingTests {
    func accepted(_ sampling: FrameSampling, start: Double = 0, fps: Double = 25, frames: Int = 100) -> [Int] {
        var sampler = FrameSampler(sampling: sampling, start: start)
        return (0..<frames).filter { sampler.accept(time: Double($0) / fps) }
    }

    @Test func fpsTakesTheFirstFrameOfEachSlot() {
        #expect(accepted(.fps(2)) == [0, 13, 25, 38, 50, 63, 75, 88])
        #expect(accepted(.fps(100), frames: 5) == [0, 1, 2, 3, 4])
    }

    @Test func everyNthFromTheStart() {
        #expect(accepted(.every(30)) == [0, 30, 60, 90])
        #expect(accepted(.every(30), start: 1) == [25, 55, 85])
    }

    @Test func startDropsEarlierFrames() {
        #expect(accepted(.all, start: 3.9) == [98, 99])
        #expect(accepted(.fps(1), start: 1.5) == [38, 63, 88])
    }
}
