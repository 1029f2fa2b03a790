import Foundation
import SeerIndex
import SeerTensor
import Testing

/// DINOv2 through the commands, exactly as CLIP goes through them: embeddings from files equal
/// transformers' outputs, `index` + `search --image` + `duplicates` work, and what needs a text
/// tower says so in one line.
@Suite(.serialized) struct DINOv2CLITests {
    let model = fixtures.appendingPathComponent("dinov2-tiny")

    func reference(_ name: String) throws -> Tensor {
        try NPY.decode(Data(contentsOf: model.appendingPathComponent("expected/\(name).npy")))
    }

    /// The photos transformers embedded for the expected outputs, in order.
    func referencePhotos() throws -> [String] {
        struct Inputs: Decodable { let images: [String] }
        let inputs = try JSONDecoder().decode(Inputs.self, from: Data(contentsOf: fixtures.appendingPathComponent("dinov2-inputs/inputs.json")))
        return inputs.images.map { fixtures.appendingPathComponent($0).path }
    }

    @Test(arguments: [("cls", "pooler_output"), ("cls+mean", "cls_mean")])
    func embedFromFilesMatchesTransformers(pooling: String, expected: String) throws {
        let photos = try referencePhotos()
        let result = try seer(["embed", "--model", model.path, "--pooling", pooling] + photos)
        #expect(result.status == 0, "\(result.stderr)")
        let lines = try jsonLines(result.stdout)
        let want = try reference(expected)
        #expect(lines.count == photos.count && want.shape[0] == photos.count)
        for (i, line) in lines.enumerated() {
            let got = (line["embedding"] as! [NSNumber]).map(\.floatValue)
            #expect(got.count == want.shape[1])
            #expect(maxAbsDiff(got, want.row(i)) < 1e-4, "\(photos[i]) --pooling \(pooling): max abs diff \(maxAbsDiff(got, want.row(i)))")
        }
    }

    @Test func indexSearchByImageAndDuplicates() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("seer-dinov2-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let photos = root.appendingPathComponent("photos")
        try FileManager.default.createDirectory(at: photos, withIntermediateDirectories: true)
        for name in ["chelsea.jpg", "coffee.png", "astronaut.webp"] {
            try FileManager.default.copyItem(atPath: fixtures.appendingPathComponent("clip-inputs/\(name)").path, toPath: photos.appendingPathComponent(name).path)
        }
        try FileManager.default.copyItem(atPath: chelsea, toPath: photos.appendingPathComponent("cat copy.jpg").path)
        let db = root.appendingPathComponent("index.sqlite").path

        let index = try seer(["index", photos.path, "--model", model.path, "--pooling", "mean", "--db", db])
        #expect(index.status == 0, "\(index.stderr)")
        let store = try SQLiteCatalog(path: db, readOnly: true)
        let info = try #require(try store.info())
        // The pooling is part of the model the index records, so queries are pooled the same way.
        #expect(info.model == model.standardizedFileURL.path + "#pooling=mean")
        #expect(info.dimension == 32)  // hidden_size: mean pooling keeps the width (cls+mean would double it)
        let embedded = try jsonLines(try seer(["embed", "--model", model.path, "--pooling", "mean", "--normalize", chelsea]).stdout)[0]
        let stored = try #require(try store.entries(where: nil).first { $0.path.hasSuffix("/chelsea.jpg") })
        #expect(maxAbsDiff(stored.vector, (embedded["embedding"] as! [NSNumber]).map(\.floatValue)) < 1e-5)

        let search = try seer(["search", "--image", chelsea, "--db", db, "-k", "4", "--format", "json"])
        #expect(search.status == 0, "\(search.stderr)")
        let hits = try jsonLines(search.stdout)
        #expect(hits.count == 4)
        let top = Set(hits.prefix(2).map { URL(fileURLWithPath: $0["path"] as! String).lastPathComponent })
        #expect(top == ["chelsea.jpg", "cat copy.jpg"], "\(hits)")
        #expect(abs(((hits[0]["score"] as? NSNumber)?.doubleValue ?? 0) - 1) < 1e-5)

        let duplicates = try seer(["duplicates", "--db", db, "--threshold", "0.9999", "--format", "json"])
        #expect(duplicates.status == 0, "\(duplicates.stderr)")
        let groups = try jsonLines(duplicates.stdout).map { ($0["paths"] as! [String]).map { URL(fileURLWithPath: $0).lastPathComponent }.sorted() }
        #expect(groups == [["cat copy.jpg", "chelsea.jpg"]])

        // A text query needs a text tower: one line that says which families have one.
        let text = try seer(["search", "a cat", "--db", db])
        #expect(text.status == 1)
        #expect(text.stderr.contains("no text tower") && text.stderr.contains("clip"), "\(text.stderr)")
    }

    @Test func commandsThatNeedTextSayWhy() throws {
        let classify = try seer(["classify", "--model", model.path, "--labels", "cat,dog", chelsea])
        #expect(classify.status == 1)
        let lines = classify.stderr.split(separator: "\n")
        #expect(lines.count == 1 && lines[0].contains("dinov2") && lines[0].contains("no text tower") && lines[0].contains("clip"), "\(classify.stderr)")
        #expect(classify.stdout.isEmpty)
        let compare = try seer(["compare", "--model", model.path, chelsea, "text:a cat"])
        #expect(compare.status == 1 && compare.stderr.contains("no text tower"), "\(compare.stderr)")
        // Image-to-image comparison works.
        let images = try seer(["compare", "--model", model.path, chelsea, chelsea, coffee])
        #expect(images.status == 0, "\(images.stderr)")
        #expect(images.stdout.hasPrefix("1.0000"))
        // --pooling applies to DINOv2 only.
        let pooling = try seer(["embed", "--model", tinyModel.path, "--pooling", "mean", chelsea])
        #expect(pooling.status == 1 && pooling.stderr.contains("DINOv2"), "\(pooling.stderr)")
    }
}

/// SigLIP through the CLI: sigmoid scores per label, named in the output, and --threshold.
@Suite(.serialized) struct SigLIPCLITests {
    let model = fixtures.appendingPathComponent("siglip-tiny")

    @Test func classifyScoresEachLabelWithASigmoid() throws {
        struct Inputs: Decodable { let images: [String]; let texts: [String] }
        let inputs = try JSONDecoder().decode(Inputs.self, from: Data(contentsOf: model.appendingPathComponent("expected/inputs.json")))
        let columns = [0, 1, 3]  // the texts without commas (--labels splits at commas)
        let labels = columns.map { inputs.texts[$0] }
        let photos = inputs.images.map { fixtures.appendingPathComponent($0).path }
        let result = try seer(["classify", "--model", model.path, "--labels", labels.joined(separator: ","), "--template", "{}", "--format", "json"] + photos)
        #expect(result.status == 0, "\(result.stderr)")
        let probabilities = try NPY.decode(Data(contentsOf: model.appendingPathComponent("expected/probabilities.npy")))
        for (i, line) in try jsonLines(result.stdout).enumerated() {
            #expect(line["scoring"] as? String == "sigmoid")
            let predictions = line["predictions"] as! [[String: Any]]
            for (j, label) in labels.enumerated() {
                let p = try #require(predictions.first { $0["label"] as? String == label })
                #expect(abs((p["probability"] as! NSNumber).floatValue - probabilities.row(i)[columns[j]]) < 1e-5, "image \(i) \(label)")
            }
        }
        let table = try seer(["classify", "--model", model.path, "--labels", labels.joined(separator: ","), "--template", "{}", photos[0]])
        #expect(table.stdout.split(separator: "\n").first?.hasSuffix("(sigmoid per label, independent)") == true, "\(table.stdout)")

        // --threshold keeps exactly the labels at or above it.
        let cut: Float = 0.5
        let kept = try seer(["classify", "--model", model.path, "--labels", labels.joined(separator: ","), "--template", "{}",
                             "--threshold", "\(cut)", "--format", "json"] + photos)
        var dropped = 0
        for (i, line) in try jsonLines(kept.stdout).enumerated() {
            dropped += labels.count - (line["predictions"] as! [[String: Any]]).count
            let shown = Set((line["predictions"] as! [[String: Any]]).map { $0["label"] as! String })
            let expected = Set(labels.indices.filter { probabilities.row(i)[columns[$0]] >= cut }.map { labels[$0] })
            #expect(shown == expected, "image \(i)")
        }
        #expect(dropped > 0, "the cut at \(cut) must drop some label on these photos")
    }
}
