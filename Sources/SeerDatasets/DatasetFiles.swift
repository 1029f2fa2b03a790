import Foundation

/// How input images get into a dataset: hard links (instant, no space; but editing a dataset
/// image in place edits the original too) or copies.
public enum ImagePlacement: String, Sendable, CaseIterable {
    case link, copy
}

/// How files get into the dataset folder: whole or not at all (written beside the target, then
/// renamed over it), and input images linked or copied, never moved.
enum DatasetFiles {
    static func makeFolder(_ url: URL) throws {
        do { try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true) } catch {
            throw DatasetError("cannot create the folder \(url.path): \(error.localizedDescription)")
        }
    }

    /// A temporary name in the target's folder (the same file system, so the rename is atomic).
    static func temporary(for target: URL) -> URL {
        target.deletingLastPathComponent().appendingPathComponent(".\(target.lastPathComponent).\(UUID().uuidString).part")
    }

    static func write(_ data: Data, to target: URL) throws {
        let part = temporary(for: target)
        do {
            try data.write(to: part)
            try replace(target, with: part)
        } catch {
            try? FileManager.default.removeItem(at: part)
            throw DatasetError("cannot write \(target.path): \(error.localizedDescription)")
        }
    }

    /// The image at `source` appears at `target`: with `.link` a hard link when the file system
    /// allows it (else a copy), and a target that already is the same file is left alone; with
    /// `.copy` always a fresh copy. The source is never touched.
    static func place(_ source: URL, at target: URL, as placement: ImagePlacement) throws {
        if placement == .link, let a = try? FileManager.default.attributesOfItem(atPath: source.path),
           let b = try? FileManager.default.attributesOfItem(atPath: target.path),
           let inodeA = a[.systemFileNumber] as? UInt64, let inodeB = b[.systemFileNumber] as? UInt64,
           inodeA == inodeB, (a[.size] as? UInt64) == (b[.size] as? UInt64), inodeA != 0 {
            return
        }
        let part = temporary(for: target)
        do {
            if placement == .link, (try? FileManager.default.linkItem(at: source, to: part)) != nil {
                // linked
            } else {
                try FileManager.default.copyItem(at: source, to: part)
            }
            try replace(target, with: part)
        } catch {
            try? FileManager.default.removeItem(at: part)
            throw DatasetError("cannot copy \(source.path) to \(target.path): \(error.localizedDescription)")
        }
    }

    /// rename(2): atomic, and it replaces an existing target in one step.
    static func replace(_ target: URL, with part: URL) throws {
        guard rename(part.path, target.path) == 0 else {
            throw DatasetError("cannot rename \(part.path) to \(target.path): \(String(cString: strerror(errno)))")
        }
    }

    /// Streams text into a file that appears at `target` only once complete.
    final class AtomicTextFile {
        let target: URL
        let part: URL
        let handle: FileHandle
        private var buffer = Data()

        init(_ target: URL) throws {
            self.target = target
            part = DatasetFiles.temporary(for: target)
            guard FileManager.default.createFile(atPath: part.path, contents: nil), let handle = FileHandle(forWritingAtPath: part.path) else {
                throw DatasetError("cannot write \(target.path)")
            }
            self.handle = handle
        }

        func write(_ text: String) throws {
            buffer.append(contentsOf: text.utf8)
            if buffer.count > 1 << 20 { try flush() }
        }

        private func flush() throws {
            try handle.write(contentsOf: buffer)
            buffer.removeAll(keepingCapacity: true)
        }

        func commit() throws {
            try flush()
            try handle.close()
            try DatasetFiles.replace(target, with: part)
        }

        func abandon() {
            try? handle.close()
            try? FileManager.default.removeItem(at: part)
        }
    }

    /// Removes files in `folder` that `keep` rejects: left by an earlier run whose split or
    /// format differed, and half-written temporaries of a run that was killed while writing.
    /// Only the dataset's own folders are pruned; other hidden files are left.
    static func prune(_ folder: URL, keep: (String) throws -> Bool) throws {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { return }
        for name in names {
            let leftover = name.hasPrefix(".") && name.hasSuffix(".part")
            guard leftover || !name.hasPrefix(".") else { continue }
            if try leftover || !keep(name) { try? FileManager.default.removeItem(at: folder.appendingPathComponent(name)) }
        }
    }
}
