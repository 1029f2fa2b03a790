import Foundation
import SeerHub

/// `--model` accepts a folder or a Hub id: a path that exists as a folder wins; otherwise
/// ORG/NAME[@REVISION] names a model on the Hub, fetched into its cache unless already there;
/// anything else is taken as a folder.
func resolveModelFolder(_ model: String) throws -> URL {
    var isFolder: ObjCBool = false
    if FileManager.default.fileExists(atPath: model, isDirectory: &isFolder), isFolder.boolValue {
        return URL(fileURLWithPath: model)
    }
    guard let id = try? HubModelID(parsing: model) else {
        return URL(fileURLWithPath: model)   // not an id: loading the folder names what is missing
    }
    return try pull(id)
}

/// Fetches `id` into the Hub cache (showing progress on a terminal) and returns its snapshot folder.
func pull(_ id: HubModelID) throws -> URL {
    let client = HubClient(configuration: .fromEnvironment())
    let progress = DownloadProgressLine()
    defer { progress.finish() }
    return try runBlocking { try await client.snapshot(id, progress: progress.update) }
}

/// Runs async work to completion from a synchronous command.
func runBlocking<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
    let done = DispatchSemaphore(value: 0)
    nonisolated(unsafe) var result: Result<T, Error>?
    Task {
        do { result = .success(try await body()) } catch { result = .failure(error) }
        done.signal()
    }
    done.wait()
    return try result!.get()
}

/// A download progress line on stderr (file, bytes, rate, ETA) when stderr is a terminal; silent in pipes.
final class DownloadProgressLine: @unchecked Sendable {
    private let enabled = isatty(STDERR_FILENO) == 1
    private let lock = NSLock()
    private var file = ""
    private var started = Date()
    private var startBytes: Int64 = 0
    private var lastDraw = Date.distantPast
    private var drawn = false

    func update(_ progress: DownloadProgress) {
        guard enabled else { return }
        lock.withLock {
            let now = Date()
            if progress.file != file {
                if drawn { FileHandle.standardError.write(Data("\n".utf8)) }
                file = progress.file
                started = now
                startBytes = progress.completed   // a resumed download starts part-way
            }
            let finished = progress.total.map { progress.completed >= $0 } ?? false
            guard now.timeIntervalSince(lastDraw) > 0.2 || finished else { return }
            lastDraw = now
            drawn = true
            let elapsed = now.timeIntervalSince(started)
            let rate = elapsed > 0 ? Double(progress.completed - startBytes) / elapsed : 0
            var line = "\r\(file)  \(formatBytes(progress.completed))"
            if let total = progress.total {
                let eta = rate > 0 ? Double(total - progress.completed) / rate : 0
                line += " / \(formatBytes(total))  \(formatBytes(Int64(rate)))/s  ETA \(Progress.clock(eta))"
            } else {
                line += "  \(formatBytes(Int64(rate)))/s"
            }
            FileHandle.standardError.write(Data((line + "\u{1B}[K").utf8))
        }
    }

    func finish() {
        lock.withLock {
            if drawn { FileHandle.standardError.write(Data("\n".utf8)) }
            drawn = false
        }
    }
}

func formatBytes(_ bytes: Int64) -> String {
    let units = ["B", "kB", "MB", "GB", "TB"]
    var value = Double(bytes)
    var unit = 0
    while value >= 1000 && unit < units.count - 1 {
        value /= 1000
        unit += 1
    }
    return unit == 0 ? "\(bytes) B" : String(format: "%.1f %@", value, units[unit])
}
