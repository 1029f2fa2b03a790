import Foundation

/// The map as one self-contained HTML page: no network, the points as base64 Float32Arrays,
/// drawn pixel by pixel into a canvas (no DOM node per point), with pan (drag), zoom (wheel),
/// a tooltip with the path and the image on hover, a lasso (shift-drag, or the Lasso button)
/// that lists the selected paths and exports them, and a legend whose entries hide a class
/// when clicked (or a colour bar for values).
///
/// The page exposes `window.seerMap` (`screenPosition(i)`, `selectedPaths()`) and sets
/// `body[data-state]` to "ready" after its first drawing, for the browser test.
public enum MapPage {
    public static func html(title: String, paths: [String], points: [SIMD2<Float>], coloring: MapColoring, subtitle: String) -> String {
        var meta: [String: Any] = ["title": title, "subtitle": subtitle, "count": points.count]
        var payload = ["x": base64(points.map(\.x)), "y": base64(points.map(\.y))]
        switch coloring {
        case .categories(let name, let names, let classes):
            meta["kind"] = "categories"; meta["field"] = name; meta["names"] = names
            meta["colors"] = names.indices.map { MapPalette.hex(MapPalette.category($0)) }
            payload["classes"] = classes.withUnsafeBufferPointer { Data(buffer: $0) }.base64EncodedString()
        case .values(let name, let values):
            let finite = values.filter(\.isFinite)
            meta["kind"] = "values"; meta["field"] = name
            meta["min"] = Double(finite.min() ?? 0); meta["max"] = Double(finite.max() ?? 1)
            meta["scale"] = (0...4).map { MapPalette.hex(MapPalette.value(Float($0) / 4)) }
            payload["values"] = base64(values.map { $0.isFinite ? $0 : .nan })
        case .none:
            meta["kind"] = "none"
        }
        meta["missing"] = MapPalette.hex(MapPalette.missing)
        meta["files"] = paths.map { URL(fileURLWithPath: $0).absoluteString }
        meta["paths"] = paths
        let metaJSON = (try? JSONSerialization.data(withJSONObject: meta, options: [.sortedKeys]))
            .map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        let dataJSON = (try? JSONSerialization.data(withJSONObject: payload, options: [.sortedKeys]))
            .map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        return template
            .replacingOccurrences(of: "@TITLE@", with: escaped(title))
            .replacingOccurrences(of: "@META@", with: scriptSafe(metaJSON))
            .replacingOccurrences(of: "@DATA@", with: scriptSafe(dataJSON))
    }

    static func base64(_ values: [Float]) -> String {
        values.withUnsafeBufferPointer { Data(buffer: $0) }.base64EncodedString()
    }

    /// JSON inside <script>: "</" would end the element.
    static func scriptSafe(_ json: String) -> String { json.replacingOccurrences(of: "</", with: "<\\/") }

    static func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
