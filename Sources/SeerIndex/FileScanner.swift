import Crypto
import Foundation

/// An image file found on disk, with the stat that decides whether it may have changed.
public struct ScannedFile: Sendable, Equatable {
    public var path: String
    public var size: Int64
    public var mtime: Double
}

public enum FileScanner {
    public static let imageExtensions: Set<String> = ["jpg", "jpeg", "png", "webp"]

    /// Image files under `root` (recursively, extensions case-insensitive), sorted by path so
    /// every run visits them in the same order. Paths are absolute and standardized.
    public static func images(under root: URL) throws -> [ScannedFile] {
        let root = root.standardizedFileURL
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw IndexError.invalid("\(root.path) is not a folder")
        }
        let keys: [URLResourceKey] = [.isRegularFileKey, .fileSizeKey, .contentModificationDateKey]
        guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: keys) else {
            throw IndexError.invalid("cannot read the folder \(root.path)")
        }
        var files: [ScannedFile] = []
        for case let url as URL in walker where imageExtensions.contains(url.pathExtension.lowercased()) {
            guard let values = try? url.resourceValues(forKeys: Set(keys)), values.isRegularFile == true else { continue }
            files.append(ScannedFile(path: url.standardizedFileURL.path, size: Int64(values.fileSize ?? 0),
                                     mtime: values.contentModificationDate?.timeIntervalSince1970 ?? 0))
        }
        return files.sorted { $0.path < $1.path }
    }

    /// Hex SHA-256 of a file's bytes, read in 1 MiB pieces.
    public static func sha256(of path: String) throws -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw IndexError.invalid("cannot open \(path)") }
        defer { try? handle.close() }
        var hasher = SHA256()
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty { hasher.update(data: chunk) }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }
}
