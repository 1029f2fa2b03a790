import Crypto
import Foundation

/// Progress of one file's download, reported as bytes arrive.
public struct DownloadProgress: Sendable {
    public let file: String
    public let completed: Int64
    public let total: Int64?
}

/// Downloads one file into `blobs/<etag>`: bytes go to `blobs/<etag>.incomplete` (resumed with a
/// `Range` request if it already holds some), are checked against the announced size and, for LFS
/// files, sha256, and only then renamed into place. A cut or a corrupt transfer never leaves a blob
/// that looks complete.
struct BlobDownload {
    let http: HubHTTP
    let file: RemoteFile
    let destination: URL
    let progress: (@Sendable (DownloadProgress) -> Void)?

    var incomplete: URL { URL(fileURLWithPath: destination.path + ".incomplete") }

    func run() async throws {
        if !FileManager.default.fileExists(atPath: incomplete.path),
           !FileManager.default.createFile(atPath: incomplete.path, contents: nil) {
            throw HubError(.cache, "cannot create \(incomplete.path)")
        }
        try await http.retrying { madeProgress in
            try await transferRemainder(madeProgress: &madeProgress)
        }
        try verify()
        chmod(incomplete.path, 0o644)
        guard rename(incomplete.path, destination.path) == 0 else {
            throw HubError(.cache, "cannot move \(incomplete.path) into place: \(String(cString: strerror(errno)))")
        }
    }

    /// One GET of whatever the `.incomplete` file still lacks.
    private func transferRemainder(madeProgress: inout Bool) async throws {
        var offset = try fileSize(incomplete)
        if let size = file.size, offset >= size {
            if offset == size { return }
            try truncate(to: 0)   // longer than the file: not ours to trust
            offset = 0
        }
        let handle = try FileHandle(forWritingTo: incomplete)
        defer { try? handle.close() }
        try handle.seekToEnd()
        let writer = Writer(handle: handle, written: offset, file: file, progress: progress)
        do {
            _ = try await http.send(file.location, range: offset, sink: { try writer.write(status: $0, data: $1) })
        } catch let error as HTTPStatusError where error.status == 416 {
            try truncate(to: 0)   // the server cannot serve the range we hold: start over
            throw URLError(.resourceUnavailable, userInfo: [NSURLErrorFailingURLErrorKey: error.url])
        } catch {
            madeProgress = writer.written > offset
            throw error
        }
        madeProgress = writer.written > offset
        let written = try fileSize(incomplete)
        if let size = file.size, written < size {
            throw URLError(.networkConnectionLost)   // the server closed early without an error
        }
    }

    private func verify() throws {
        let size = try fileSize(incomplete)
        if let expected = file.size, size != expected {
            try? FileManager.default.removeItem(at: incomplete)
            throw HubError(.checksumMismatch, "\(file.name): got \(size) bytes, the Hub announced \(expected); the download was discarded")
        }
        guard let expected = file.sha256 else { return }
        let actual = try sha256(of: incomplete)
        if actual != expected.lowercased() {
            try? FileManager.default.removeItem(at: incomplete)
            throw HubError(.checksumMismatch, "\(file.name): sha256 mismatch (expected \(expected), got \(actual)); the corrupt download was discarded")
        }
    }

    private func truncate(to length: Int64) throws {
        let handle = try FileHandle(forWritingTo: incomplete)
        defer { try? handle.close() }
        try handle.truncate(atOffset: UInt64(length))
    }
}

/// Appends streamed bytes to the `.incomplete` file. A 200 answer to a `Range` request (a server
/// that ignores ranges) restarts the file from zero instead of appending the whole body to it.
private final class Writer: @unchecked Sendable {
    let handle: FileHandle
    var written: Int64
    private var started = false
    let file: RemoteFile
    let progress: (@Sendable (DownloadProgress) -> Void)?

    init(handle: FileHandle, written: Int64, file: RemoteFile, progress: (@Sendable (DownloadProgress) -> Void)?) {
        self.handle = handle
        self.written = written
        self.file = file
        self.progress = progress
    }

    func write(status: Int, data: Data) throws {
        if status == 200 && !started && written > 0 {
            try handle.truncate(atOffset: 0)
            written = 0
        }
        started = true
        try handle.write(contentsOf: data)
        written += Int64(data.count)
        progress?(DownloadProgress(file: file.name, completed: written, total: file.size))
    }
}

func fileSize(_ url: URL) throws -> Int64 {
    let attributes = try FileManager.default.attributesOfItem(atPath: url.path)
    return (attributes[.size] as? NSNumber)?.int64Value ?? 0
}

/// The lowercase hex sha256 of a file, read in 4 MiB pieces.
func sha256(of url: URL) throws -> String {
    let handle = try FileHandle(forReadingFrom: url)
    defer { try? handle.close() }
    var hasher = SHA256()
    while let chunk = try handle.read(upToCount: 4 << 20), !chunk.isEmpty {
        hasher.update(data: chunk)
    }
    return hasher.finalize().map { String(format: "%02x", $0) }.joined()
}
