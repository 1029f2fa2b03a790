import Foundation
import Testing
import SeerTensor

let fixtures = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
    .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures")
let tinyModel = fixtures.appendingPathComponent("clip-tiny-gelu-p16")
let chelsea = fixtures.appendingPathComponent("clip-inputs/chelsea.jpg").path
let coffee = fixtures.appendingPathComponent("clip-inputs/coffee.png").path

/// The `seer` executable SwiftPM built beside this test bundle.
let seerExecutable: URL = {
    let candidates = [URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(), Bundle.main.bundleURL,
                      Bundle.main.bundleURL.deletingLastPathComponent()]
    for directory in candidates {
        let url = directory.appendingPathComponent("seer")
        if FileManager.default.isExecutableFile(atPath: url.path) { return url }
    }
    fatalError("seer executable not found near \(candidates)")
}()

struct RunResult {
    let status: Int32
    let stdout: String
    let stderr: String
}

/// Runs seer with pipes for stdout and stderr (so it must behave as in a pipeline: no progress).
func seer(_ arguments: [String]) throws -> RunResult {
    try run(seerExecutable.path, arguments)
}

func run(_ executable: String, _ arguments: [String]) throws -> RunResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    // Read both pipes to the end before waiting, so a full pipe never blocks the child.
    nonisolated(unsafe) var errData = Data()
    // The reader signals when stderr reached its end: waited on below, not polled.
    let errRead = DispatchSemaphore(value: 0)
    let errReader = Thread {
        errData = err.fileHandleForReading.readDataToEndOfFile()
        errRead.signal()
    }
    errReader.start()
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    errRead.wait()
    return RunResult(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                     stderr: String(decoding: errData, as: UTF8.self))
}

func expected(_ name: String) throws -> Tensor {
    try NPY.decode(Data(contentsOf: tinyModel.appendingPathComponent("expected/\(name).npy")))
}

func jsonLines(_ text: String) throws -> [[String: Any]] {
    try text.split(separator: "\n").map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
}

func maxAbsDiff(_ a: [Float], _ b: [Float]) -> Float { zip(a, b).map { abs($0 - $1) }.max() ?? .infinity }

@Suite(.serialized) struct CLITests {
    @Test func embedPrintsReferenceEmbeddingsAsJSONLines() throws {
        let result = try seer(["embed", "--model", tinyModel.path, "--text", "a photo of a cat", chelsea, coffee])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.isEmpty, "stderr in a pipe should be quiet: \(result.stderr)")
        let lines = try jsonLines(result.stdout)
        #expect(lines.count == 3)
        #expect(lines[0]["text"] as? String == "a photo of a cat")
        #expect(lines[1]["path"] as? String == chelsea)
        let texts = try expected("text_embeds"), images = try expected("image_embeds")
        #expect(maxAbsDiff((lines[0]["embedding"] as! [NSNumber]).map(\.floatValue), texts.row(0)) < 1e-4)
        #expect(maxAbsDiff((lines[1]["embedding"] as! [NSNumber]).map(\.floatValue), images.row(0)) < 1e-4)
        #expect(maxAbsDiff((lines[2]["embedding"] as! [NSNumber]).map(\.floatValue), images.row(1)) < 1e-4)
    }

    @Test func embedWritesNormalizedNPY() throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("seer-\(UUID().uuidString).npy")
        try Data("an older file, to be replaced whole".utf8).write(to: out)
        defer { try? FileManager.default.removeItem(at: out) }
        let result = try seer(["embed", "--model", tinyModel.path, "--normalize", "--out", out.path, chelsea, coffee])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.isEmpty)
        let matrix = try NPY.decode(Data(contentsOf: out))
        #expect(matrix.shape == [2, 24])
        let images = try expected("image_embeds")
        for row in 0..<2 {
            let reference = images.row(row), norm = reference.map { $0 * $0 }.reduce(0, +).squareRoot()
            #expect(maxAbsDiff(matrix.row(row), reference.map { $0 / norm }) < 1e-5)
        }
    }

    @Test func classifyGivesSoftmaxOfScaledCosines() throws {
        let result = try seer(["classify", "--model", tinyModel.path, "--labels", "cat, dog,car", "--template", "a photo of a {}",
                               "--format", "json", "-k", "2", chelsea])
        #expect(result.status == 0, "\(result.stderr)")
        let line = try #require(try jsonLines(result.stdout).first)
        let predictions = line["predictions"] as! [[String: Any]]
        #expect(predictions.count == 2)
        // Reference: softmax over the three labels of logit_scale · cos, from transformers' embeddings.
        let inputs = try JSONSerialization.jsonObject(with: Data(contentsOf: tinyModel.appendingPathComponent("expected/inputs.json"))) as! [String: Any]
        let scale = (inputs["logit_scale"] as! NSNumber).doubleValue
        let image = try expected("image_embeds").row(0), texts = try expected("text_embeds")
        func cosine(_ a: [Float], _ b: [Float]) -> Double {
            let d = zip(a, b).map { Double($0) * Double($1) }.reduce(0, +)
            return d / (a.map { Double($0 * $0) }.reduce(0, +).squareRoot() * b.map { Double($0 * $0) }.reduce(0, +).squareRoot())
        }
        let logits = (0..<3).map { scale * cosine(image, texts.row($0)) }
        let exps = logits.map { exp($0 - logits.max()!) }
        let reference = Dictionary(uniqueKeysWithValues: zip(["cat", "dog", "car"], exps.map { $0 / exps.reduce(0, +) }))
        let best = reference.max { $0.value < $1.value }!
        #expect(predictions[0]["label"] as? String == best.key)
        for p in predictions {
            let label = p["label"] as! String
            #expect(abs((p["probability"] as! NSNumber).doubleValue - reference[label]!) < 1e-4, "\(label)")
        }
    }

    @Test func classifyTableListsEveryLabel() throws {
        let result = try seer(["classify", "--model", tinyModel.path, "--labels", "cat,dog", "--ensemble", chelsea])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.count == 3 && lines[0] == "\(chelsea) (softmax over the labels)")
        #expect(lines.dropFirst().allSatisfy { $0.hasSuffix("%") })
    }

    @Test func compareMatchesCosineOfReferenceEmbeddings() throws {
        let result = try seer(["compare", "--model", tinyModel.path, "--json", chelsea, "text:a photo of a cat", coffee])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = try jsonLines(result.stdout)
        #expect(lines.count == 2)
        let images = try expected("image_embeds"), texts = try expected("text_embeds")
        func cosine(_ a: [Float], _ b: [Float]) -> Float {
            zip(a, b).map { $0 * $1 }.reduce(0, +) / (a.map { $0 * $0 }.reduce(0, +).squareRoot() * b.map { $0 * $0 }.reduce(0, +).squareRoot())
        }
        #expect(abs((lines[0]["cosine"] as! NSNumber).floatValue - cosine(images.row(0), texts.row(0))) < 1e-4)
        #expect(abs((lines[1]["cosine"] as! NSNumber).floatValue - cosine(images.row(0), images.row(1))) < 1e-4)
    }

    /// Every bad input: one clear line on stderr naming the problem, a non-zero exit, no crash.
    @Test(arguments: [
        ("empty.jpg", "file is empty"),
        ("truncated.jpg", "truncated"),
        ("truncated.png", "truncated"),
        ("truncated.webp", "WebP"),
        ("random.bin", "not a JPEG, PNG or WebP"),
        ("bomb_60000.png", "above the limit"),
        ("bomb_60000.jpg", "above the limit"),
    ])
    func badImagesAreReportedNotFatal(_ name: String, _ message: String) throws {
        let path = fixtures.appendingPathComponent("images/\(name)").path
        let result = try seer(["embed", "--model", tinyModel.path, path, chelsea])
        #expect(result.status == 1)
        #expect(try jsonLines(result.stdout).count == 1, "the good image is still embedded")
        let errors = result.stderr.split(separator: "\n")
        #expect(errors.count == 2, "\(result.stderr)")
        #expect(errors.first?.contains(path) == true && errors.first?.contains(message) == true, "\(result.stderr)")
        #expect(errors.last == "seer: error: 1 of 2 images could not be read")
    }

    @Test func missingModelFilesAreNamed() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("seer-model-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        var result = try seer(["embed", "--model", dir.path, chelsea])
        #expect(result.status == 1)
        #expect(result.stderr == "seer: error: model file not found: \(dir.path)/config.json\n")

        result = try seer(["embed", "--model", "/no/such/model", "--text", "x"])
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("seer: error: model file not found: /no/such/model"))
        #expect(result.stderr.split(separator: "\n").count == 1)
    }

    @Test func lyingSafetensorsHeaderIsAClearError() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("seer-lying-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for name in ["config.json", "preprocessor_config.json", "vocab.json", "merges.txt"] {
            try FileManager.default.copyItem(at: tinyModel.appendingPathComponent(name).resolvingSymlinksInPath(), to: dir.appendingPathComponent(name))
        }
        // A real header that promises more data than the file holds: the weights are cut short.
        let real = try Data(contentsOf: tinyModel.appendingPathComponent("model.safetensors"))
        try real.prefix(real.count / 2).write(to: dir.appendingPathComponent("model.safetensors"))
        let result = try seer(["embed", "--model", dir.path, "--text", "a cat"])
        #expect(result.status == 1)
        #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
        #expect(result.stderr.contains("model.safetensors: tensor '") && result.stderr.contains("outside"), "\(result.stderr)")
    }

    /// On a terminal (a pty from util-linux `script`), long runs show done/total, rate and ETA.
    @Test func progressShowsOnATerminalOnly() throws {
        let command = ([seerExecutable.path, "embed", "--model", tinyModel.path, "--batch-size", "1", chelsea, coffee, chelsea])
            .map { "'\($0)'" }.joined(separator: " ")
        let result = try run("/usr/bin/script", ["-qec", "\(command) > /dev/null", "/dev/null"])
        #expect(result.status == 0, "\(result.stdout)")
        #expect(result.stdout.contains("3/3 images"), "\(result.stdout)")
        #expect(result.stdout.contains("ETA"), "\(result.stdout)")
    }

    @Test func usageErrorsExitWithUsageStatus() throws {
        let result = try seer(["classify", "--model", tinyModel.path, chelsea])
        #expect(result.status == 64)
        #expect(result.stderr.contains("--labels"))
    }
}
