import Foundation

/// An SVG line chart of frame-to-frame similarity over time, cuts as red vertical lines.
enum SimilarityPlot {
    static func svg(times: [Double], similarities: [Double], cuts: [Double], title: String) -> String {
        let width = 960.0, height = 320.0
        let left = 56.0, right = 16.0, top = 32.0, bottom = 40.0
        let t0 = times.first ?? 0, t1 = max(times.last ?? 1, t0 + 1e-9)
        let finite = similarities.filter(\.isFinite)
        let lowest = min(finite.min() ?? 0, 0.9)
        let y0 = max(-1, (lowest * 10).rounded(.down) / 10), y1 = 1.0
        func x(_ t: Double) -> Double { left + (t - t0) / (t1 - t0) * (width - left - right) }
        func y(_ s: Double) -> Double { top + (y1 - s) / (y1 - y0) * (height - top - bottom) }
        func f(_ v: Double) -> String { String(format: "%.1f", v) }

        var svg = """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" viewBox="0 0 \(Int(width)) \(Int(height))" font-family="sans-serif" font-size="12">
        <rect width="100%" height="100%" fill="white"/>
        <text x="\(f(left))" y="20" font-size="14">\(escape(title))</text>

        """
        for step in 0...5 {
            let s = y0 + (y1 - y0) * Double(step) / 5
            svg += "<line x1=\"\(f(left))\" x2=\"\(f(width - right))\" y1=\"\(f(y(s)))\" y2=\"\(f(y(s)))\" stroke=\"#ddd\"/>"
            svg += "<text x=\"\(f(left - 6))\" y=\"\(f(y(s) + 4))\" text-anchor=\"end\">\(String(format: "%.2f", s))</text>\n"
        }
        for step in 0...8 {
            let t = t0 + (t1 - t0) * Double(step) / 8
            svg += "<text x=\"\(f(x(t)))\" y=\"\(f(height - bottom + 16))\" text-anchor=\"middle\">\(String(format: "%.1f", t))</text>\n"
        }
        svg += "<text x=\"\(f((left + width - right) / 2))\" y=\"\(f(height - 6))\" text-anchor=\"middle\">time (s)</text>\n"
        for cut in cuts {
            svg += "<line x1=\"\(f(x(cut)))\" x2=\"\(f(x(cut)))\" y1=\"\(f(top))\" y2=\"\(f(height - bottom))\" stroke=\"#d62728\" stroke-width=\"1.5\"><title>cut at \(String(format: "%.2f", cut)) s</title></line>\n"
        }
        let points = zip(times, similarities).filter { $0.1.isFinite }.map { "\(f(x($0.0))),\(f(y(max($0.1, y0))))" }
        svg += "<polyline fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"1.5\" points=\"\(points.joined(separator: " "))\"/>\n"
        svg += "</svg>\n"
        return svg
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}
