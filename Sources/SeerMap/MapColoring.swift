import Foundation
import SeerIndex

/// What the points of a map are coloured by: a class per point (clusters, labels, a text
/// field), shown with a legend, or a number per point (outlier score, a user's values), shown
/// with a colour bar. Points without a class or value are grey.
public enum MapColoring: Sendable, Equatable {
    /// `classes[i]` indexes `names`, or is −1 for none.
    case categories(title: String, names: [String], classes: [Int32])
    /// NaN for none.
    case values(title: String, values: [Float])
    case none

    /// Spherical k-means clusters of the embeddings (as `seer clusters`), numbered by size.
    public static func clusters(_ map: DatasetMap, k: Int, seed: UInt64) -> MapColoring {
        let found = KMeans.cluster(map.collection.search.matrix, k: k, seed: seed)
        var classes = [Int32](repeating: -1, count: map.points.count)
        for (number, cluster) in found.enumerated() { for row in cluster.members { classes[row] = Int32(number) } }
        return .categories(title: "cluster", names: found.indices.map { "cluster \($0 + 1) (\(found[$0].members.count))" }, classes: classes)
    }

    /// Outlier score as `seer outliers` ranks it: 1 − mean cosine to the nearest images.
    public static func outliers(_ map: DatasetMap, neighbors: Int = 10) -> MapColoring {
        var values = [Float](repeating: .nan, count: map.points.count)
        for hit in Outliers.rank(map.collection.search, neighbors: neighbors) { values[hit.index] = 1 - hit.score }
        return .values(title: "outlier score (1 − mean cosine to \(neighbors) nearest)", values: values)
    }

    /// The name of each image's folder (datasets often keep one folder per class).
    public static func folderLabels(_ map: DatasetMap) -> MapColoring {
        categories(title: "label (folder)", map.collection.entries.map { URL(fileURLWithPath: $0.path).deletingLastPathComponent().lastPathComponent })
    }

    /// Classes from text, named in order of first appearance; nil is no class.
    public static func categories(title: String, _ labels: [String?]) -> MapColoring {
        var names: [String] = [], number: [String: Int32] = [:]
        let classes = labels.map { label -> Int32 in
            guard let label else { return -1 }
            if let known = number[label] { return known }
            number[label] = Int32(names.count)
            names.append(label)
            return Int32(names.count - 1)
        }
        return .categories(title: title, names: names, classes: classes)
    }

    /// A field of a user's table of path → values: numbers give a colour bar, anything else classes.
    public static func field(_ table: ValueTable, field: String?, paths: [String]) throws -> MapColoring {
        let name = field ?? table.fields.first ?? ""
        guard let column = table.fields.firstIndex(of: name) else {
            throw MapError.invalid("--values has no field \"\(name)\" (it has: \(table.fields.joined(separator: ", ")))")
        }
        let cells = paths.map { table.rows[$0]?[column] }
        let present = cells.compactMap { $0 }.filter { !$0.isEmpty }
        guard !present.isEmpty else { throw MapError.invalid("--values names none of the indexed paths") }
        if present.allSatisfy({ Float($0) != nil }) {
            return .values(title: name, values: cells.map { $0.flatMap(Float.init) ?? .nan })
        }
        return categories(title: name, cells.map { $0?.isEmpty == false ? $0 : nil })
    }
}

public enum MapError: Error, CustomStringConvertible {
    case invalid(String)
    public var description: String {
        switch self { case .invalid(let message): return message }
    }
}

/// A user's per-image values: CSV with a header (`path,accuracy,…`) or JSON (an object of
/// path → number or text, or path → object of fields).
public struct ValueTable: Sendable {
    public var fields: [String]
    /// path → one cell per field ("" when absent).
    public var rows: [String: [String]]

    public static func read(_ url: URL) throws -> ValueTable {
        let data: Data
        do { data = try Data(contentsOf: url) } catch { throw MapError.invalid("cannot read --values \(url.path): \(error.localizedDescription)") }
        if url.pathExtension.lowercased() == "json" || data.first.map({ $0 == UInt8(ascii: "{") }) == true {
            return try json(data, name: url.path)
        }
        guard let text = String(data: data, encoding: .utf8) else { throw MapError.invalid("--values \(url.path) is not UTF-8 text") }
        return try csv(text, name: url.path)
    }

    static func json(_ data: Data, name: String) throws -> ValueTable {
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw MapError.invalid("--values \(name): expected a JSON object of path → value")
        }
        func text(_ value: Any) -> String {
            if let number = value as? NSNumber { return number.stringValue }
            return value as? String ?? ""
        }
        if object.values.allSatisfy({ $0 is [String: Any] }) {
            let fields = Array(Set(object.values.flatMap { ($0 as! [String: Any]).keys })).sorted()
            var rows: [String: [String]] = [:]
            for (path, value) in object {
                let record = value as! [String: Any]
                rows[path] = fields.map { record[$0].map(text) ?? "" }
            }
            return ValueTable(fields: fields, rows: rows)
        }
        return ValueTable(fields: ["value"], rows: object.mapValues { [text($0)] })
    }

    static func csv(_ text: String, name: String) throws -> ValueTable {
        let lines = text.split(whereSeparator: \.isNewline).map(String.init).filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
        guard let header = lines.first.map(splitCSV), header.count >= 2 else {
            throw MapError.invalid("--values \(name): expected a header line \"path,field,…\" and one line per image")
        }
        var rows: [String: [String]] = [:]
        for (number, line) in lines.dropFirst().enumerated() {
            let cells = splitCSV(line)
            guard cells.count == header.count else {
                throw MapError.invalid("--values \(name) line \(number + 2): \(cells.count) cells, the header has \(header.count)")
            }
            rows[cells[0]] = Array(cells.dropFirst())
        }
        return ValueTable(fields: Array(header.dropFirst()), rows: rows)
    }

    /// One CSV line: commas, with double-quoted cells that may hold commas and "" quotes.
    static func splitCSV(_ line: String) -> [String] {
        var cells: [String] = [], cell = "", quoted = false
        var characters = Array(line)[...]
        while let c = characters.popFirst() {
            if quoted {
                if c == "\"" {
                    if characters.first == "\"" { cell.append("\""); characters.removeFirst() } else { quoted = false }
                } else { cell.append(c) }
            } else if c == "\"" {
                quoted = true
            } else if c == "," {
                cells.append(cell.trimmingCharacters(in: .whitespaces)); cell = ""
            } else { cell.append(c) }
        }
        cells.append(cell.trimmingCharacters(in: .whitespaces))
        return cells
    }
}
