import Foundation
import SeerImage
import SeerModels

/// A loaded model of any family plus the per-file plumbing the commands share: embedding
/// files in batches with progress, and reporting bad files without stopping. Commands ask
/// it for a capability (`imageEmbedder()`, `textEmbedder()`), never for a family.
struct ModelSession {
    let model: any VisionModel

    init(modelPath: String, options: LoadOptions = LoadOptions()) throws {
        model = try ModelRegistry.shared.load(directory: URL(fileURLWithPath: modelPath), options: options)
    }

    /// The model as an image embedder, or a clear error naming the families that are.
    func imageEmbedder() throws -> any ImageEmbedder { try model.requireImageEmbedder() }

    /// The model's text tower, or a clear error naming the families that have one.
    func textEmbedder() throws -> any TextEmbedder { try model.requireText() }

    /// Embeds image files in batches. Calls `onResult` for every file in input order; a file
    /// that cannot be decoded is reported on stderr and counted, not fatal.
    /// Returns the number of files that failed.
    func embedImages(_ paths: [String], batchSize: Int, onResult: (String, [Float]) throws -> Void) throws -> Int {
        let pipeline = try imageEmbedder().pipeline
        let progress = Progress(total: paths.count, unit: "images")
        var failed = 0
        var start = 0
        while start < paths.count {
            let chunk = Array(paths[start..<min(paths.count, start + batchSize)])
            let results = try pipeline.embed(files: chunk.map { URL(fileURLWithPath: $0) })
            for (path, result) in zip(chunk, results) {
                switch result {
                case .success(let embedded): try onResult(path, embedded.vector)
                case .failure(let error):
                    failed += 1
                    progress.interrupt { printError("seer: skipped \(error)") }
                }
            }
            start += chunk.count
            progress.advance(by: chunk.count)
        }
        progress.finish()
        return failed
    }
}

/// A progress line (done/total, rate, ETA) on stderr when stderr is a terminal; silent in pipes.
final class Progress {
    let total: Int
    let unit: String
    private let enabled: Bool
    private let started = Date()
    private var done = 0
    private var lastDraw = Date.distantPast

    init(total: Int, unit: String) {
        self.total = total
        self.unit = unit
        enabled = isatty(STDERR_FILENO) == 1 && total > 1
    }

    func advance(by count: Int) {
        done += count
        guard enabled, Date().timeIntervalSince(lastDraw) > 0.2 || done == total else { return }
        lastDraw = Date()
        let elapsed = Date().timeIntervalSince(started)
        let rate = elapsed > 0 ? Double(done) / elapsed : 0
        let remaining = rate > 0 ? Double(total - done) / rate : 0
        let line = String(format: "\r%d/%d %@  %.1f/s  ETA %@ ", done, total, unit, rate, Self.clock(remaining))
        FileHandle.standardError.write(Data(line.utf8))
    }

    /// Prints something else without leaving a half-drawn progress line behind.
    func interrupt(_ print: () -> Void) {
        if enabled && done > 0 { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        print()
    }

    func finish() {
        if enabled && done > 0 { FileHandle.standardError.write(Data("\n".utf8)) }
    }

    static func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
    }
}

/// Writes `data` to `url` through a temporary file in the same folder and rename(2), which
/// replaces the destination atomically: it is either the old file or the complete new one,
/// never half-written. (Foundation's replaceItemAt fails on Linux when the destination exists.)
func writeAtomically(_ data: Data, to url: URL) throws {
    let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(getpid()).tmp")
    do {
        try data.write(to: temporary)
        guard rename(temporary.path, url.path) == 0 else {
            throw CLIError(String(cString: strerror(errno)))
        }
    } catch {
        try? FileManager.default.removeItem(at: temporary)
        throw CLIError("cannot write \(url.path): \(error)")
    }
}

struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// One JSON object per line on stdout.
func printJSONLine<T: Encodable>(_ value: T) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    print(String(decoding: try encoder.encode(value), as: UTF8.self))
}
