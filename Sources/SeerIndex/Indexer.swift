import Foundation

/// What the embedder returns for one image.
public struct EmbeddedImage: Sendable {
    public var vector: [Float]
    public var width: Int?
    public var height: Int?

    public init(vector: [Float], width: Int? = nil, height: Int? = nil) {
        self.vector = vector
        self.width = width
        self.height = height
    }
}

/// Turns image files into embeddings, one result per file in order (the CLI passes CLIP).
public typealias FileEmbedder = ([URL]) throws -> [Result<EmbeddedImage, Error>]

/// What one indexing run did.
public struct IndexReport: Sendable, Equatable {
    /// Image files found under the folder.
    public var found = 0
    /// Files whose size and modification time match the catalog: not even read.
    public var unchanged = 0
    /// Files run through the model.
    public var embedded = 0
    /// Files whose bytes were already in the catalog (touched, copied or moved): vector reused.
    public var reused = 0
    /// Catalog rows whose file is gone.
    public var removed = 0
    /// Files that could not be embedded this run or an earlier one (unchanged since).
    public var failed: [FailedFile] = []
    /// The run stopped early on request; files after the last committed batch wait for the next run.
    public var interrupted = false

    public init() {}
}

/// Brings the catalog in line with a folder: embeds new and changed files (by content hash),
/// forgets deleted ones, and commits every batch in one transaction, so an interrupted run
/// loses at most the batch in flight and the next run picks up where it stopped.
public struct Indexer {
    public let store: VectorStore
    public let info: StoreInfo
    public let batchSize: Int
    public let embed: FileEmbedder
    /// Called after each committed batch with (files settled, files to settle).
    public var progress: ((Int, Int) -> Void)?
    /// Called for each file that fails this run.
    public var onFailure: ((FailedFile) -> Void)?
    /// Asked between batches; when it returns true the run stops after the last commit and
    /// `interrupted` is set in the report (the next run resumes from there).
    public var shouldStop: (() -> Bool)?

    public init(store: VectorStore, info: StoreInfo, batchSize: Int, embed: @escaping FileEmbedder) {
        self.store = store
        self.info = info
        self.batchSize = max(1, batchSize)
        self.embed = embed
    }

    public func index(_ root: URL) throws -> IndexReport {
        if let existing = try store.info(), existing != info {
            throw IndexError.mismatch("the index holds \(existing.dimension)-d \(existing.encoding.rawValue) vectors of model \(existing.model), not \(info.dimension)-d \(info.encoding.rawValue) of \(info.model) (use another --db)")
        }
        let rootPath = root.standardizedFileURL.path
        let files = try FileScanner.images(under: root)
        let records = try store.fileRecords(under: rootPath)
        let failures = try store.failures(under: rootPath)
        var report = IndexReport()
        report.found = files.count

        var pending: [ScannedFile] = []
        for file in files {
            if let record = records[file.path], record.size == file.size, record.mtime == file.mtime {
                report.unchanged += 1
            } else if let failure = failures[file.path], failure.size == file.size, failure.mtime == file.mtime {
                report.failed.append(failure)
            } else {
                pending.append(file)
            }
        }
        let onDisk = Set(files.map(\.path))
        let removals = records.keys.filter { !onDisk.contains($0) } + failures.keys.filter { !onDisk.contains($0) }
        if !removals.isEmpty {
            var batch = CatalogBatch(info: info)
            batch.removals = removals.sorted()
            try store.commit(batch)
            report.removed = records.keys.filter { !onDisk.contains($0) }.count
        }

        var done = 0
        for start in stride(from: 0, to: pending.count, by: batchSize) {
            if shouldStop?() == true {
                report.interrupted = true
                break
            }
            let chunk = Array(pending[start..<min(pending.count, start + batchSize)])
            try process(chunk, records: records, report: &report)
            done += chunk.count
            progress?(done, pending.count)
        }
        return report
    }

    /// Hashes a batch, reuses vectors of known content, embeds the rest, commits it all at once.
    private func process(_ files: [ScannedFile], records: [String: FileRecord], report: inout IndexReport) throws {
        var batch = CatalogBatch(info: info)
        var toEmbed: [(file: ScannedFile, hash: String)] = []
        for file in files {
            let hash: String
            do {
                hash = try FileScanner.sha256(of: file.path)
            } catch {
                fail(FailedFile(path: file.path, size: file.size, mtime: file.mtime, message: "\(error)"), into: &batch, report: &report)
                continue
            }
            if let record = records[file.path], record.hash == hash {
                batch.touched.append(FileRecord(path: file.path, hash: hash, size: file.size, mtime: file.mtime))
                report.reused += 1
            } else if let known = try store.embedded(forHash: hash)
                        ?? batch.upserts.first(where: { $0.hash == hash }).map({ EmbeddedImage(vector: $0.vector, width: $0.width, height: $0.height) }) {
                batch.upserts.append(CatalogEntry(path: file.path, hash: hash, size: file.size, mtime: file.mtime,
                                                  width: known.width, height: known.height, vector: known.vector))
                report.reused += 1
            } else {
                toEmbed.append((file, hash))
            }
        }
        if !toEmbed.isEmpty {
            let results = try embed(toEmbed.map { URL(fileURLWithPath: $0.file.path) })
            guard results.count == toEmbed.count else {
                throw IndexError.invalid("the embedder returned \(results.count) results for \(toEmbed.count) files")
            }
            for ((file, hash), result) in zip(toEmbed, results) {
                switch result {
                case .success(let image):
                    guard image.vector.count == info.dimension else {
                        throw IndexError.mismatch("the model gave \(image.vector.count) dimensions, the index expects \(info.dimension)")
                    }
                    batch.upserts.append(CatalogEntry(path: file.path, hash: hash, size: file.size, mtime: file.mtime,
                                                      width: image.width, height: image.height, vector: image.vector))
                    report.embedded += 1
                case .failure(let error):
                    fail(FailedFile(path: file.path, size: file.size, mtime: file.mtime, message: "\(error)"), into: &batch, report: &report)
                }
            }
        }
        try store.commit(batch)
    }

    private func fail(_ failure: FailedFile, into batch: inout CatalogBatch, report: inout IndexReport) {
        batch.failures.append(failure)
        report.failed.append(failure)
        onFailure?(failure)
    }
}
