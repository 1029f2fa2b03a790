import ArgumentParser
import Foundation
import SeerDatasets
import SeerIndex
import SeerModels
import SeerRuntime

struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train a linear probe (logistic regression on frozen embeddings) on a train|valid/CLASS/ image dataset.",
        discussion: """
        Reads DATASET/train/CLASS/… and DATASET/valid/CLASS/… (what `seer autolabel --task classify` \
        writes), embeds every image with --model (L2-normalised), and fits multinomial logistic \
        regression with an L2 penalty, scikit-learn's LogisticRegression objective. Its strength C is \
        picked from 0.01, 0.1, 1, 10, 100 by validation accuracy; the kept probe is then refitted on \
        train and valid together. Prints train and validation accuracy and the validation confusion \
        matrix; --out gets safetensors "weight" [classes, dimension] and "bias" [classes], the class \
        names in its metadata.
        """
    )

    @Argument(help: "The dataset folder (train/CLASS/…, valid/CLASS/…).")
    var dataset: String

    @Option(help: "classify (the only task so far).")
    var task: String = "classify"

    @OptionGroup var options: ModelOptions

    @Option(help: "Where the probe goes (.safetensors).")
    var out: String

    func validate() throws {
        if task != "classify" { throw ValidationError("--task: only classify is supported (a detector is trained by Ultralytics on the YOLO dataset)") }
    }

    func run() throws {
        try reportingErrors {
            let root = URL(fileURLWithPath: dataset)
            let train = root.appendingPathComponent("train"), valid = root.appendingPathComponent("valid")
            let classes = ((try? FileManager.default.contentsOfDirectory(atPath: train.path)) ?? [])
                .filter { !$0.hasPrefix(".") && isFolder(train.appendingPathComponent($0)) }.sorted()
            guard classes.count >= 2 else { throw CLIError("\(train.path) needs a folder per class, two at least (train/CLASS/…)") }
            let session = try options.load()
            let trainRows = try embed(train, classes: classes, session: session)
            let validRows = try embed(valid, classes: classes, session: session)
            guard !trainRows.labels.isEmpty else { throw CLIError("no readable images under \(train.path)") }
            let selection: LogisticRegression.Selection
            if validRows.labels.isEmpty {
                printError("seer: \(valid.path) has no images: C = 1, no validation")
                let probe = LogisticRegression.fit(features: trainRows.features, labels: trainRows.labels, classes: classes)
                selection = LogisticRegression.Selection(probe: probe, trainOnly: probe, c: 1, validationAccuracy: .nan)
            } else {
                selection = LogisticRegression.fitSelectingStrength(train: trainRows, validation: validRows, classes: classes)
            }
            print(String(format: "C = %g (picked by validation accuracy)", selection.c))
            print(String(format: "train accuracy %.2f%% (%d images)", 100 * selection.trainOnly.accuracy(trainRows.features, labels: trainRows.labels), trainRows.labels.count))
            if !validRows.labels.isEmpty {
                print(String(format: "validation accuracy %.2f%% (%d images)", 100 * selection.validationAccuracy, validRows.labels.count))
                printConfusion(selection.trainOnly.predict(validRows.features), validRows.labels, classes: classes)
            }
            try selection.probe.save(to: URL(fileURLWithPath: out))
            printError("seer: wrote \(out)")
        }
    }

    func isFolder(_ url: URL) -> Bool {
        var folder: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.path, isDirectory: &folder) && folder.boolValue
    }

    /// Normalised embeddings and class ids of the images under split/CLASS/ (a missing split is empty).
    func embed(_ split: URL, classes: [String], session: ModelSession) throws -> (features: [Float], labels: [Int]) {
        var paths: [String] = [], labels: [Int] = []
        for (id, name) in classes.enumerated() {
            let folder = split.appendingPathComponent(name)
            guard isFolder(folder) else { continue }
            let files = try FileScanner.images(under: folder).map(\.path)
            paths += files
            labels += Array(repeating: id, count: files.count)
        }
        var features: [Float] = [], kept: [Int] = []
        let label = Dictionary(uniqueKeysWithValues: zip(paths, labels))
        _ = try session.embedImages(paths, batchSize: options.batchSize) { path, vector in
            features += normalized(vector)
            kept.append(label[path]!)
        }
        return (features, kept)
    }

    /// Rows: true class; columns: predicted.
    func printConfusion(_ predicted: [Int], _ truth: [Int], classes: [String]) {
        var counts = Array(repeating: Array(repeating: 0, count: classes.count), count: classes.count)
        for (p, t) in zip(predicted, truth) { counts[t][p] += 1 }
        let width = max(classes.map(\.count).max() ?? 0, 5)
        func pad(_ s: String) -> String { String(repeating: " ", count: max(width - s.count, 0)) + s }
        print("confusion (rows: true, columns: predicted)")
        print(pad("") + " " + classes.map(pad).joined(separator: " "))
        for (i, row) in counts.enumerated() { print(pad(classes[i]) + " " + row.map { pad(String($0)) }.joined(separator: " ")) }
    }
}
