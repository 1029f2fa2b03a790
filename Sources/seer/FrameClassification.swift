import Foundation
import SeerModels

/// The label of one sampled frame, and the runs of consecutive frames that share a top label:
/// what `seer classify VIDEO` prints (a broadcast split into commentator / ad / game time).
struct ClassifiedFrame {
    let time: Double
    let index: Int
    let predictions: [ZeroShotClassifier.Prediction]
    var top: ZeroShotClassifier.Prediction { predictions[0] }
}

struct LabelRun: Encodable, Equatable {
    let label: String
    let start: Double
    /// The time of the run's last frame.
    let end: Double
    let frames: Int
    /// The mean probability of `label` over the run's frames.
    let meanProbability: Float

    enum CodingKeys: String, CodingKey {
        case label, start, end, frames
        case meanProbability = "mean_probability"
    }

    /// Consecutive frames with the same top label, in order.
    static func runs(_ frames: [ClassifiedFrame]) -> [LabelRun] {
        var runs: [LabelRun] = []
        var i = 0
        while i < frames.count {
            var j = i
            while j + 1 < frames.count && frames[j + 1].top.label == frames[i].top.label { j += 1 }
            let members = frames[i...j]
            let mean = members.map(\.top.probability).reduce(0, +) / Float(members.count)
            runs.append(LabelRun(label: frames[i].top.label, start: frames[i].time, end: frames[j].time, frames: members.count, meanProbability: mean))
            i = j + 1
        }
        return runs
    }
}

/// An SVG timeline of a classified video: one coloured band per run of equal top labels (with
/// a legend), and the top label's probability as a line over it.
enum LabelTimelinePlot {
    static let palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]

    static func svg(frames: [ClassifiedFrame], labels: [String], title: String) -> String {
        let width = 960.0, left = 56.0, right = 16.0, top = 32.0, bandHeight = 40.0, chartHeight = 160.0
        let legendTop = top + bandHeight + chartHeight + 60
        let legendRows = (labels.count + 3) / 4
        let height = legendTop + Double(legendRows) * 18 + 8
        let t0 = frames.first?.time ?? 0
        // The last frame stands for one sampling step, so a band has width even for one frame.
        let step = frames.count > 1 ? (frames[frames.count - 1].time - t0) / Double(frames.count - 1) : 1
        let t1 = (frames.last?.time ?? 0) + step
        func x(_ t: Double) -> Double { left + (t - t0) / max(t1 - t0, 1e-9) * (width - left - right) }
        func y(_ p: Double) -> Double { top + bandHeight + 8 + (1 - p) * (chartHeight - 8) }
        func f(_ v: Double) -> String { String(format: "%.1f", v) }
        func color(_ label: String) -> String { palette[(labels.firstIndex(of: label) ?? 0) % palette.count] }

        var svg = """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" viewBox="0 0 \(Int(width)) \(Int(height))" font-family="sans-serif" font-size="12">
        <rect width="100%" height="100%" fill="white"/>
        <text x="\(f(left))" y="20" font-size="14">\(SimilarityPlot.escape(title))</text>

        """
        for run in LabelRun.runs(frames) {
            let x0 = x(run.start), x1 = x(run.end + step)
            svg += "<rect x=\"\(f(x0))\" y=\"\(f(top))\" width=\"\(f(max(x1 - x0, 0.5)))\" height=\"\(f(bandHeight))\" fill=\"\(color(run.label))\">"
            svg += "<title>\(SimilarityPlot.escape(run.label)): \(String(format: "%.2f–%.2f s", run.start, run.end + step))</title></rect>\n"
        }
        for step in 0...4 {
            let p = Double(step) / 4
            svg += "<line x1=\"\(f(left))\" x2=\"\(f(width - right))\" y1=\"\(f(y(p)))\" y2=\"\(f(y(p)))\" stroke=\"#ddd\"/>"
            svg += "<text x=\"\(f(left - 6))\" y=\"\(f(y(p) + 4))\" text-anchor=\"end\">\(String(format: "%.2f", p))</text>\n"
        }
        let axisY = top + bandHeight + chartHeight
        for step in 0...8 {
            let t = t0 + (t1 - t0) * Double(step) / 8
            svg += "<text x=\"\(f(x(t)))\" y=\"\(f(axisY + 16))\" text-anchor=\"middle\">\(String(format: "%.1f", t))</text>\n"
        }
        svg += "<text x=\"\(f((left + width - right) / 2))\" y=\"\(f(axisY + 32))\" text-anchor=\"middle\">time (s); line: probability of the top label</text>\n"
        let points = frames.map { "\(f(x($0.time + step / 2))),\(f(y(Double($0.top.probability))))" }
        svg += "<polyline fill=\"none\" stroke=\"#222\" stroke-width=\"1.5\" points=\"\(points.joined(separator: " "))\"/>\n"
        for (i, label) in labels.enumerated() {
            let lx = left + Double(i % 4) * 220, ly = legendTop + Double(i / 4) * 18
            svg += "<rect x=\"\(f(lx))\" y=\"\(f(ly - 10))\" width=\"12\" height=\"12\" fill=\"\(color(label))\"/>"
            svg += "<text x=\"\(f(lx + 18))\" y=\"\(f(ly))\">\(SimilarityPlot.escape(label))</text>\n"
        }
        svg += "</svg>\n"
        return svg
    }
}

/// Whether a command operand is a video (by extension) or a stream URL rather than an image.
func isVideo(_ operand: String) -> Bool {
    if operand.contains("://") { return true }
    let videoExtensions: Set<String> = ["mp4", "m4v", "mov", "avi", "mkv", "webm", "mpg", "mpeg", "ts", "flv", "wmv", "gif"]
    return videoExtensions.contains(URL(fileURLWithPath: operand).pathExtension.lowercased())
}

/// A CSV field, quoted when it holds a comma, quote or line break (RFC 4180).
func csvField(_ text: String) -> String {
    guard text.contains(where: { ",\"\n\r".contains($0) }) else { return text }
    return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
}
