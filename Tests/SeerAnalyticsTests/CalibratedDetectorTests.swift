import SeerAnalytics
import Testing

@Suite struct CalibratedDetectorTests {
    /// The measured false-alarm rate over ≥ 10,000 stationary frames is within ±30% of the rate asked for.
    @Test(arguments: [(CalibratedDetector.Mode.changes, 0.01), (.changes, 0.05), (.outliers, 0.01), (.outliers, 0.05)])
    func falseAlarmRateOnStationaryStream(mode: CalibratedDetector.Mode, rate: Double) {
        var stream = StationaryStream(dimension: 64, noise: 0.25, seed: 42)
        var detector = CalibratedDetector(mode: mode, falseAlarmRate: rate, calibrationWindow: 1000)
        var judged = 0, flagged = 0
        for _ in 0..<12_000 {
            let reading = detector.update(stream.next())
            if !reading.warmingUp { judged += 1 }
            if reading.isOutlier { flagged += 1 }
        }
        let measured = Double(flagged) / Double(judged)
        #expect(judged >= 10_000)
        #expect(abs(measured - rate) <= 0.3 * rate, "\(mode) asked \(rate), measured \(measured) (\(flagged)/\(judged))")
    }

    @Test(arguments: CalibratedDetector.Mode.allCases)
    func catchesInjectedAnomalies(mode: CalibratedDetector.Mode) {
        var stream = StationaryStream(dimension: 64, noise: 0.25, seed: 3)
        var detector = CalibratedDetector(mode: mode, falseAlarmRate: 0.01, calibrationWindow: 500)
        let anomalyFrames = Set(stride(from: 600, to: 3000, by: 97))
        var caught = 0, falseAlarms = 0
        for n in 0..<3000 {
            let reading = detector.update(anomalyFrames.contains(n) ? stream.anomaly() : stream.next())
            if anomalyFrames.contains(n) {
                if reading.isOutlier { caught += 1 }
                #expect(reading.percentile < 0.01, "frame \(n) p = \(reading.percentile)")
            } else if reading.isOutlier {
                falseAlarms += 1
            }
        }
        #expect(caught == anomalyFrames.count)
        #expect(falseAlarms < 60, "\(falseAlarms) false alarms in ~2,400 judged frames at 1%")
    }

    @Test func warmsUpUntilAFlagIsPossible() {
        var stream = StationaryStream(dimension: 8, noise: 0.1, seed: 1)
        var detector = CalibratedDetector(mode: .changes, falseAlarmRate: 0.05)
        // A reference first (1 frame), then 19 calibration scores: p can reach 1/20 = 0.05.
        let readings = (0..<25).map { _ in detector.update(stream.next()) }
        #expect(readings.prefix(20).allSatisfy { $0.warmingUp && !$0.isOutlier })
        #expect(readings.dropFirst(20).allSatisfy { !$0.warmingUp })
    }

    @Test func conformalPValue() {
        var calibrator = ConformalCalibrator(capacity: 4)
        for s in [0.1, 0.2, 0.3, 0.4, 0.5] { calibrator.append(s) }  // 0.1 falls out
        #expect(calibrator.count == 4)
        #expect(calibrator.pValue(0.45) == 2.0 / 5)  // only 0.5 is ≥ 0.45, plus itself
        #expect(calibrator.pValue(0.9) == 1.0 / 5)
        #expect(calibrator.pValue(0.0) == 5.0 / 5)
    }
}
