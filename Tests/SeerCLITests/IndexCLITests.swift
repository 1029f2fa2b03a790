import Foundation
import Testing
import SeerIndex

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
        process.standardError = FileHandle.nullDevice
        try process.run()
        var committed = 0
        while process.isRunning && committed < 6 {
            usleep(2000)
            committed = (try? SQLiteCatalog(path: resumed, readOnly: true).count()) ?? 0
        }
        let wasRunning = process.isRunning
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
