import ArgumentParser
import Dispatch
import Foundation
import SeerImage
import SeerIndex

struct Index: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Embed the images in a folder into a searchable index (new and changed files only).",
        discussion: """
        Walks DIR recursively for .jpg, .jpeg, .png and .webp files (any case). A file whose size and
        modification time match the index is skipped unread; otherwise its SHA-256 decides: known bytes
        reuse their vector, new bytes go through the model. Files that are gone leave the index.
        Unreadable images are reported and remembered (retried once they change); the exit status is then 1.
        Every batch is committed in one transaction: Ctrl-C stops after the batch in flight, and any
        kill leaves the index as of the last batch; run the same command again to resume.
        From --ann-threshold vectors on, an HNSW graph is saved in the index for fast approximate search
        (with PostgreSQL: a pgvector HNSW index, which the server keeps up to date).
        """
    )

    @OptionGroup var options: ModelOptions

    @Argument(help: "The folder of images.")
    var directory: String

    @Option(help: "The index: a SQLite file (created when missing) or a PostgreSQL database with pgvector, postgres://user@host:port/dbname.")
    var db: String = "seer-index.sqlite"

    @Option(help: "Vector storage: f32, f16 or int8 (a new index only).")
    var storage: String = "f32"

    @Option(help: "Save an HNSW graph once the index holds this many vectors.")
    var annThreshold: Int = 20_000

    @Flag(help: "After each committed batch, print \"seer: indexed N of M files\" on stderr (for logs and scripts that follow a run; the progress bar shows only on a terminal).")
    var logProgress = false

    func validate() throws {
        if VectorEncoding(rawValue: storage) == nil { throw ValidationError("--storage must be f32, f16 or int8") }
        if PostgresCatalog.isURL(db) && storage != "f32" {
            throw ValidationError("PostgreSQL stores keep f32 vectors only (pgvector has no \(storage) type)")
        }
        if annThreshold < 1 { throw ValidationError("--ann-threshold must be at least 1") }
    }

    func run() throws {
        try reportingErrors {
            let root = URL(fileURLWithPath: directory)
            _ = try FileScanner.images(under: root)  // a bad folder fails before the model loads
            let session = try options.load()
            let pipeline = try session.imageEmbedder().pipeline
            let store = try openStore(db)
            // The model as given when it is not a folder (a Hub id), else its absolute path.
            var isFolder: ObjCBool = false
            var reference = options.reference
            if FileManager.default.fileExists(atPath: options.model, isDirectory: &isFolder) && isFolder.boolValue {
                reference.model = URL(fileURLWithPath: options.model).standardizedFileURL.path
            }
            let info = StoreInfo(model: reference.stored, dimension: pipeline.model.embeddingDimension, encoding: VectorEncoding(rawValue: storage)!)
            let encoding = try store.info()?.encoding ?? info.encoding
            var indexer = Indexer(store: store, info: StoreInfo(model: info.model, dimension: info.dimension, encoding: encoding),
                                  batchSize: options.batchSize) { urls in
                // The index records each failure beside its path, so the message need not repeat it.
                try pipeline.embed(files: urls).map { result in
                    result.map { EmbeddedImage(vector: $0.vector, width: $0.width, height: $0.height) }.mapError { error in
                        guard var imageError = error as? ImageError else { return error }
                        imageError.path = nil
                        return imageError
                    }
                }
            }
            let stop = StopRequest()
            var progress: Progress?
            var shown = 0
            let logProgress = self.logProgress
            indexer.progress = { done, total in
                if progress == nil { progress = Progress(total: total, unit: "images") }
                progress?.advance(by: done - shown)
                shown = done
                if logProgress { progress?.interrupt { printError("seer: indexed \(done) of \(total) files") } }
            }
            indexer.onFailure = { failure in
                let line = "seer: skipped \(failure.path): \(failure.message)"
                if let progress { progress.interrupt { printError(line) } } else { printError(line) }
            }
            indexer.shouldStop = { stop.requested }
            let report = try indexer.index(root)
            progress?.finish()
            print("\(report.found) images: \(report.embedded) embedded, \(report.reused) reused, \(report.unchanged) unchanged, \(report.removed) removed, \(report.failed.count) unreadable")
            if report.interrupted {
                printError("seer: interrupted; the index holds every finished batch, run the same command to resume")
                throw ExitCode(130)
            }
            let index = ImageIndex(store: store, approximateThreshold: annThreshold)
            if try index.refreshGraph() { printError("seer: saved an HNSW graph of \(try store.count()) vectors") }
            if !report.failed.isEmpty {
                throw CLIError("\(report.failed.count) of \(report.found) images could not be read")
            }
        }
    }
}

/// Turns SIGINT and SIGTERM into a request to stop after the current batch; a second signal
/// ends the process at once (the index is still consistent: every batch is a transaction).
final class StopRequest: @unchecked Sendable {
    private let lock = NSLock()
    private var flag = false
    private var sources: [DispatchSourceSignal] = []

    init() {
        for signalNumber in [SIGINT, SIGTERM] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler { [weak self] in
                guard let self else { return }
                self.lock.lock()
                let again = self.flag
                self.flag = true
                self.lock.unlock()
                if again { exit(130) }
                printError("\nseer: stopping after the current batch (again to quit now)")
            }
            source.resume()
            sources.append(source)
        }
    }

    var requested: Bool {
        lock.lock()
        defer { lock.unlock() }
        return flag
    }
}
