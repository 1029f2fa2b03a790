import Foundation
import Testing
import GRDB
@testable import SeerIndex

/// `seer index`, `search`, `duplicates`, `outliers` and `clusters` end to end on real photos
/// (the image fixtures) with the tiny random-weight CLIP: rankings mean nothing semantically,
/// but identical and re-encoded copies of a photo must still come out on top and group together.
@Suite(.serialized) struct IndexCLITests {
    static let photoExtensions: Set<String> = ["jpg", "jpeg", "png", "webp"]

    /// A temporary folder with every fixture photo (good and bad) spread over subfolders,
    /// plus `planted/`: a byte copy of chelsea.jpg under another name and case.
    func photoFolder() throws -> URL {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("seer-photos-\(UUID().uuidString)")
        let files = try FileManager.default.contentsOfDirectory(atPath: fixtures.appendingPathComponent("images").path).sorted()
            .filter { Self.photoExtensions.contains(URL(fileURLWithPath: $0).pathExtension.lowercased()) }
        for (i, name) in files.enumerated() {
            let folder = root.appendingPathComponent("part\(i % 3)/nested", isDirectory: true)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: fixtures.appendingPathComponent("images/\(name)"), to: folder.appendingPathComponent(name))
        }
        let planted = root.appendingPathComponent("planted")
        try FileManager.default.createDirectory(at: planted, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: chelsea, toPath: planted.appendingPathComponent("CAT COPY.JPG").path)
        return root
    }

    func rows(_ db: String) throws -> [String: (hash: String, vector: [Float])] {
        var rows: [String: (hash: String, vector: [Float])] = [:]
        for entry in try SQLiteCatalog(path: db, readOnly: true).entries(where: nil) { rows[entry.path] = (entry.hash, entry.vector) }
        return rows
    }

    /// A number from `seer index`'s summary line ("… 12 embedded, 3 reused, …"); -1 when absent.
    func summaryCount(_ summary: String, _ label: String) -> Int {
        let words = summary.split(whereSeparator: { $0 == " " || $0 == "," || $0 == ":" })
        guard let at = words.firstIndex(of: Substring(label)), at > 0 else { return -1 }
        return Int(words[at - 1]) ?? -1
    }

    /// The bytes of all stored vectors, as SQLite counts them.
    func storedVectorBytes(_ db: String) throws -> Int {
        try SQLiteCatalog(path: db, readOnly: true).database.read { try Int.fetchOne($0, sql: "SELECT sum(length(vector)) FROM images") ?? 0 }
    }

    @Test func indexThenSearchFindsThePlantedCopyFirst() throws {
        let photos = try photoFolder()
        defer { try? FileManager.default.removeItem(at: photos) }
        let db = photos.appendingPathComponent("index.sqlite").path
        let first = try seer(["index", photos.path, "--model", tinyModel.path, "--db", db, "--batch-size", "8"])
        // Bad files (empty, truncated, garbage, bombs) are reported one per line; the rest is indexed.
        #expect(first.status == 1)
        #expect(first.stderr.contains("empty.jpg"))
        #expect(first.stderr.contains("could not be read"))
        let skipped = first.stderr.split(separator: "\n").filter { $0.hasPrefix("seer: skipped ") }
        #expect(skipped.count >= 4)
        let stored = try rows(db)
        #expect(stored.count >= 60)
        // Each image's size is recorded as decoded (chelsea.jpg is 451×300).
        let entries = try SQLiteCatalog(path: db, readOnly: true).entries(where: nil)
        #expect(entries.allSatisfy { ($0.width ?? 0) > 0 && ($0.height ?? 0) > 0 })
        let planted = try #require(entries.first { $0.path.hasSuffix("planted/CAT COPY.JPG") })
        #expect(planted.width == 451 && planted.height == 300)
        #expect(!stored.keys.contains { $0.hasSuffix("empty.jpg") })
        #expect(stored.keys.contains { $0.hasSuffix("/planted/CAT COPY.JPG") })

        // Searching with the original photo (outside the folder): its copy comes first, cosine 1.
        let search = try seer(["search", "--image", chelsea, "--db", db, "-k", "5", "--format", "json"])
        #expect(search.status == 0, "\(search.stderr)")
        let hits = try jsonLines(search.stdout)
        #expect(hits.count == 5)
        #expect((hits[0]["path"] as? String)?.hasSuffix("/planted/CAT COPY.JPG") == true)
        #expect(((hits[0]["score"] as? NSNumber)?.floatValue ?? 0) > 0.9999)
        let scores = hits.compactMap { ($0["score"] as? NSNumber)?.floatValue }
        #expect(scores == scores.sorted(by: >))

        // A text query and a --where filter; an HTML contact sheet.
        let html = photos.appendingPathComponent("sheet.html").path
        let text = try seer(["search", "a cat", "--db", db, "-k", "3", "--where", "path LIKE '%/part1/%'", "--html", html])
        #expect(text.status == 0, "\(text.stderr)")
        let lines = text.stdout.split(separator: "\n").dropFirst()
        #expect(lines.count == 3)
        #expect(lines.allSatisfy { $0.contains("/part1/") })
        let sheet = try String(contentsOfFile: html, encoding: .utf8)
        #expect(sheet.components(separatedBy: "<img ").count == 4)

        // Duplicates: the planted copy groups with its original's other copies, at cosine ≥ 0.9999.
        let duplicates = try seer(["duplicates", "--db", db, "--threshold", "0.9999", "--format", "json"])
        #expect(duplicates.status == 0, "\(duplicates.stderr)")
        let groups = try jsonLines(duplicates.stdout).map { $0["paths"] as! [String] }
        #expect(groups.contains { $0.contains { $0.hasSuffix("/planted/CAT COPY.JPG") } && $0.count >= 2 })

        let outliers = try seer(["outliers", "--db", db, "-k", "3", "--format", "json"])
        #expect(outliers.status == 0, "\(outliers.stderr)")
        #expect(try jsonLines(outliers.stdout).count == 3)

        let clusters = try seer(["clusters", "--db", db, "-k", "4", "--format", "json"])
        #expect(clusters.status == 0, "\(clusters.stderr)")
        let found = try jsonLines(clusters.stdout)
        #expect(found.count == 4)
        #expect(found.map { ($0["paths"] as! [String]).count }.reduce(0, +) == stored.count)
        #expect(found.allSatisfy { ($0["paths"] as! [String]).contains($0["representative"] as! String) })
    }

    @Test func reindexEmbedsOnlyChangedFiles() throws {
        let photos = try photoFolder()
        defer { try? FileManager.default.removeItem(at: photos) }
        let db = photos.appendingPathComponent("index.sqlite").path
        _ = try seer(["index", photos.path, "--model", tinyModel.path, "--db", db])
        let before = try rows(db)
        // One new photo, one replaced by another photo's bytes, one deleted.
        let part0 = photos.appendingPathComponent("part0/nested")
        let names = try FileManager.default.contentsOfDirectory(atPath: part0.path).filter { $0.hasSuffix(".png") && !$0.contains("trunc") }.sorted()
        try FileManager.default.copyItem(atPath: coffee, toPath: photos.appendingPathComponent("planted/new.png").path)
        try FileManager.default.removeItem(at: part0.appendingPathComponent(names[0]))
        try FileManager.default.removeItem(at: part0.appendingPathComponent(names[1]))
        try FileManager.default.copyItem(atPath: fixtures.appendingPathComponent("clip-inputs/astronaut.webp").path,
                                         toPath: part0.appendingPathComponent(names[1]).path)
        let again = try seer(["index", photos.path, "--model", tinyModel.path, "--db", db])
        let summary = again.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(summary.contains(" 2 embedded,"), "\(summary)")
        #expect(summary.contains(" 1 removed,"), "\(summary)")
        #expect(summary.contains("\(before.count - 2) unchanged"), "\(summary)")
        let after = try rows(db)
        #expect(after.count == before.count)
        for (path, row) in before where !path.hasSuffix("/" + names[0]) && !path.hasSuffix("/" + names[1]) {
            #expect(after[path]?.hash == row.hash && after[path]?.vector == row.vector)
        }
    }

    @Test func killedRunResumesToTheSameIndex() throws {
        let photos = try photoFolder()
        defer { try? FileManager.default.removeItem(at: photos) }
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("seer-dbs-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let reference = scratch.appendingPathComponent("reference.sqlite").path
        let resumed = scratch.appendingPathComponent("resumed.sqlite").path
        let arguments = ["index", photos.path, "--model", tinyModel.path, "--batch-size", "2", "--threads", "1"]
        _ = try seer(arguments + ["--db", reference])
        let complete = try rows(reference)
        #expect(complete.count >= 60)

        // Start the same run, SIGKILL it once a few batches are committed, then run it again.
        let process = Process()
        process.executableURL = seerExecutable
        process.arguments = arguments + ["--db", resumed]
        process.standardOutput = FileHandle.nullDevice
        let (wasRunning, _) = try startAndWaitForCommits(process, db: resumed, rows: 6)
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(wasRunning, "the run ended before it could be killed")
        let partial = try rows(resumed)
        #expect(partial.count >= 6 && partial.count < complete.count)

        let resume = try seer(arguments + ["--db", resumed])
        #expect(resume.stdout.contains("\(partial.count) unchanged"), "\(resume.stdout)")
        let final = try rows(resumed)
        #expect(final.count == complete.count)
        for (path, row) in complete {
            #expect(final[path]?.hash == row.hash, "\(path)")
            #expect(final[path]?.vector == row.vector, "\(path)")
        }
    }

    /// Starts `process` (a `seer index` run into `db`, its stderr taken over here) and returns
    /// once `rows` rows are committed or the run ended: whether it is still running, and its
    /// stderr. It waits on the run's own "seer: indexed N of M files" lines (`--log-progress`,
    /// printed after each commit), reading the row count only then; a run that hangs is killed
    /// after five minutes, so the test fails instead of hanging.
    private func startAndWaitForCommits(_ process: Process, db: String, rows: Int) throws -> (wasRunning: Bool, stderr: LineReader) {
        let err = Pipe()
        process.standardError = err
        process.arguments = (process.arguments ?? []) + ["--log-progress"]
        try process.run()
        let watchdog = DispatchWorkItem { kill(process.processIdentifier, SIGKILL) }
        DispatchQueue.global().asyncAfter(deadline: .now() + 300, execute: watchdog)
        defer { watchdog.cancel() }
        let lines = LineReader(err)
        while let line = lines.nextLine() {
            if line.hasPrefix("seer: indexed "), ((try? SQLiteCatalog(path: db, readOnly: true).count()) ?? 0) >= rows {
                return (process.isRunning, lines)
            }
        }
        return (false, lines)
    }

    @Test func ctrlCStopsAfterABatchAndTheNextRunResumes() throws {
        let photos = try photoFolder()
        defer { try? FileManager.default.removeItem(at: photos) }
        let reference = photos.appendingPathComponent("reference.sqlite").path
        let resumed = photos.appendingPathComponent("resumed.sqlite").path
        let arguments = ["index", photos.path, "--model", tinyModel.path, "--batch-size", "2", "--threads", "1"]
        _ = try seer(arguments + ["--db", reference])
        let complete = try rows(reference)

        // SIGINT (what Ctrl-C sends) once a few batches are in: the run finishes its batch, says so, exits 130.
        let process = Process()
        process.executableURL = seerExecutable
        process.arguments = arguments + ["--db", resumed]
        let out = Pipe()
        process.standardOutput = out
        let (wasRunning, err) = try startAndWaitForCommits(process, db: resumed, rows: 6)
        kill(process.processIdentifier, SIGINT)
        let stdout = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let stderr = err.readToEnd()
        process.waitUntilExit()
        #expect(wasRunning, "the run ended before it could be interrupted")
        #expect(process.terminationReason == .exit && process.terminationStatus == 130, "\(stderr)")
        #expect(stderr.contains("interrupted; the index holds every finished batch"), "\(stderr)")
        let partial = try rows(resumed)
        #expect(partial.count >= 6 && partial.count < complete.count)
        // The summary counts exactly what was committed: nothing embedded was lost.
        #expect(summaryCount(stdout, "embedded") + summaryCount(stdout, "reused") == partial.count, "\(stdout)")
        for (path, row) in partial { #expect(complete[path]?.vector == row.vector, "\(path)") }

        let resume = try seer(arguments + ["--db", resumed])
        #expect(summaryCount(resume.stdout, "unchanged") == partial.count, "\(resume.stdout)")
        #expect(summaryCount(resume.stdout, "embedded") + summaryCount(resume.stdout, "reused") == complete.count - partial.count, "\(resume.stdout)")
        let final = try SQLiteCatalog(path: resumed, readOnly: true).entries(where: nil)
        #expect(final.count == complete.count)  // one row per path: nothing duplicated
        for entry in final {
            #expect(complete[entry.path]?.hash == entry.hash && complete[entry.path]?.vector == entry.vector, "\(entry.path)")
        }
    }

    @Test func halfAndInt8StorageStayCloseToFloat32() throws {
        let photos = try photoFolder()
        defer { try? FileManager.default.removeItem(at: photos) }
        var stored: [String: [String: (hash: String, vector: [Float])]] = [:]
        var vectorBytes: [String: Int] = [:]
        var top: [String: [[String: Any]]] = [:]
        for storage in ["f32", "f16", "int8"] {
            let db = photos.appendingPathComponent("\(storage).sqlite").path
            _ = try seer(["index", photos.path, "--model", tinyModel.path, "--db", db, "--storage", storage])
            stored[storage] = try rows(db)
            vectorBytes[storage] = try storedVectorBytes(db)
            let search = try seer(["search", "--image", chelsea, "--db", db, "-k", "10", "--format", "json"])
            #expect(search.status == 0, "\(search.stderr)")
            top[storage] = try jsonLines(search.stdout)
        }
        let f32 = stored["f32"]!, n = f32.count, d = f32.first!.value.vector.count
        #expect(n >= 60)
        // Bytes actually stored per vector: 4d, 2d, and d plus a 4-byte scale.
        #expect(vectorBytes["f32"] == n * 4 * d)
        #expect(vectorBytes["f16"] == n * 2 * d)
        #expect(vectorBytes["int8"] == n * (d + 4))
        for (storage, tolerance) in [("f16", Float(1e-3)), ("int8", Float(0.01))] {
            let rounded = stored[storage]!
            #expect(rounded.count == n)
            for (path, row) in f32 {
                let other = try #require(rounded[path]?.vector)
                #expect(other != row.vector, "\(storage) stores rounded values")
                #expect(maxAbsDiff(other, row.vector) < tolerance, "\(storage) \(path)")
            }
            // The same photo comes first, and every score stays within the rounding.
            let exactHits = top["f32"]!, hits = top[storage]!
            #expect(hits.first?["path"] as? String == exactHits.first?["path"] as? String)
            let score = { (hits: [[String: Any]], path: String) in
                hits.first { $0["path"] as? String == path }.map { ($0["score"] as! NSNumber).floatValue }
            }
            for hit in hits.prefix(3) {
                let path = hit["path"] as! String
                if let exact = score(exactHits, path) {
                    #expect(abs(exact - (hit["score"] as! NSNumber).floatValue) < 2 * tolerance, "\(storage) \(path)")
                }
            }
        }
    }

    @Test func badArgumentsFailWithOneLine() throws {
        let missing = try seer(["search", "x", "--db", "/nonexistent/index.sqlite"])
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("no index at"))
        let folder = try seer(["index", "/nonexistent/folder", "--model", tinyModel.path, "--db", "/tmp/unused-\(UUID().uuidString).sqlite"])
        #expect(folder.status != 0)
        #expect(folder.stderr.contains("not a folder"))
        let both = try seer(["search", "x", "--image", chelsea])
        #expect(both.status != 0)
    }
}
