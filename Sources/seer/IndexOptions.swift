import ArgumentParser
import Foundation
import SeerIndex

/// Options of the commands that read an index.
struct IndexOptions: ParsableArguments {
    @Option(help: "The index: a SQLite file or postgres://user@host:port/dbname.")
    var db: String = "seer-index.sqlite"

    @Option(name: .customLong("where"), help: "Only rows matching this SQL condition on the images table (columns: path, hash, size, mtime, width, height), e.g. \"path LIKE '%/2024/%'\".")
    var condition: String?

    @Flag(help: "Search exactly even when an approximate (HNSW) graph is saved.")
    var exact = false

    @Option(help: "HNSW search breadth (bigger: better recall, slower).")
    var ef: Int = 128

    func validate() throws {
        if ef < 1 { throw ValidationError("--ef must be at least 1") }
    }

    /// Opens the index read-only.
    func open() throws -> VectorStore {
        try openStore(db, readOnly: true)
    }

    /// Opens the index read-only and loads the selected rows.
    func load() throws -> (VectorStore, ImageIndex.Collection) {
        let store = try open()
        let collection = try ImageIndex(store: store).load(where: condition, exact: exact, ef: ef)
        return (store, collection)
    }
}

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table, json, html
}

/// The model that built the index (with the pooling it used), as `ModelOptions` (so a Hub id
/// resolves as in other commands), unless --model overrides it.
func modelOptions(stored: String, override: String?, threads: Int?) throws -> ModelOptions {
    let reference = ModelReference(parsing: stored)
    var arguments = ["--model", override ?? reference.model]
    if let pooling = reference.pooling { arguments += ["--pooling", pooling.rawValue] }
    if let threads { arguments += ["--threads", String(threads)] }
    return try ModelOptions.parse(arguments)
}

/// Escapes text for HTML element content and attribute values.
func htmlEscaped(_ text: String) -> String {
    text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
        .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
}

/// A contact sheet: a grid of thumbnails (the files themselves, scaled by the browser) with captions.
func contactSheet(title: String, groups: [(heading: String?, items: [(path: String, caption: String)])]) -> String {
    var html = """
        <!doctype html>
        <html><head><meta charset="utf-8"><title>\(htmlEscaped(title))</title>
        <style>
        body { font: 13px system-ui, sans-serif; margin: 16px; }
        .grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(180px, 1fr)); gap: 12px; }
        figure { margin: 0; } img { width: 100%; height: 160px; object-fit: cover; background: #eee; }
        figcaption { word-break: break-all; color: #333; }
        </style></head><body>
        <h1>\(htmlEscaped(title))</h1>

        """
    for group in groups {
        if let heading = group.heading { html += "<h2>\(htmlEscaped(heading))</h2>\n" }
        html += "<div class=\"grid\">\n"
        for item in group.items {
            let source = URL(fileURLWithPath: item.path).absoluteString
            html += "<figure><a href=\"\(htmlEscaped(source))\"><img loading=\"lazy\" src=\"\(htmlEscaped(source))\" alt=\"\"></a>"
            html += "<figcaption>\(htmlEscaped(item.caption))</figcaption></figure>\n"
        }
        html += "</div>\n"
    }
    return html + "</body></html>\n"
}
