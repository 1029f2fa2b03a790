import Foundation
import Testing
import SeerImage
import SeerTensor
@testable import SeerModels

/// From photo files to embeddings through the registry and the one pipeline, against
/// transformers (BitImageProcessorPil + Dinov2Model), and what a broken folder reports.
@Suite struct DINOv2PipelineTests {
    /// Seer's preprocessing of the real photos equals BitImageProcessorPil's, value for value,
    /// for the Hub config (shortest edge 256, crop 224) and a non-square crop (126×84).
    @Test(arguments: [("hub", ""), ("crop-126x84", "_126x84")])
    func pixelValuesEqualTheReferenceProcessor(_ config: String, _ suffix: String) throws {
        let preprocessor = try ImagePreprocessor(contentsOf: DINOv2Fixture.inputsDirectory.appendingPathComponent("\(config)/preprocessor_config.json"))
        let expected = try DINOv2Fixture.pixelValues(input: suffix)
        let images = try DINOv2Fixture.images().map { try ImageLoader.load(contentsOf: $0) }
        #expect(images.count == expected.shape[0])
        #expect([preprocessor.outputHeight, preprocessor.outputWidth] == Array(expected.shape[2...]))
        let plane = expected.count / expected.shape[0]
        for (i, image) in images.enumerated() {
            let got = preprocessor.pixelValues(image)
            let reference = Array(expected.scalars[(i * plane)..<((i + 1) * plane)])
            let mismatches = zip(got, reference).filter { $0 != $1 }.count
            #expect(mismatches == 0, "\(config) image \(i): \(mismatches) of \(plane) values differ")
        }
    }

    /// `ModelRegistry.shared.load(directory:)` picks DINOv2 by `model_type`, and its pipeline
    /// embeds the photo files as transformers does, for every pooling.
    @Test(arguments: DINOv2Fixture.all)
    func registryLoadsAndEmbedsFilesLikeTransformers(_ fixture: DINOv2Fixture) throws {
        let urls = try DINOv2Fixture.images()
        let clsMean = try fixture.expected("cls_mean")
        let width = clsMean.shape[1] / 2
        let references: [(EmbeddingPooling?, (Int) -> [Float])] = [
            (nil, { (try? fixture.expected("pooler_output").row($0)) ?? [] }),
            (.mean, { Array(clsMean.row($0)[width...]) }),
            (.clsMean, { clsMean.row($0) }),
        ]
        for (pooling, reference) in references {
            let model = try ModelRegistry.shared.load(directory: fixture.directory, options: LoadOptions(pooling: pooling))
            let dinov2 = try #require(model as? DINOv2)
            #expect(dinov2.modelType == (fixture.registers > 0 ? "dinov2_with_registers" : "dinov2"))
            #expect(dinov2.embeddingDimension == (pooling == .clsMean ? 2 * width : width))
            let embedder = try model.requireImageEmbedder()
            let results = try embedder.pipeline.embed(files: urls)
            var worstCosine = 1.0, worstDiff: Float = 0
            for (i, result) in results.enumerated() {
                let (cosine, diff) = agreement(try result.get().vector, reference(i))
                worstCosine = min(worstCosine, cosine)
                worstDiff = max(worstDiff, diff)
            }
            print("\(fixture) files end to end, pooling \(pooling?.rawValue ?? "default (cls)"): min cosine \(worstCosine), max abs diff \(worstDiff)")
            #expect(worstCosine >= DINOv2ModelTests.minCosine)
            #expect(worstDiff <= DINOv2ModelTests.maxDiff)
        }
    }

    @Test func theFamilyIsRegisteredWithoutText() throws {
        let family = try #require(ModelRegistry.shared.family(forModelType: "dinov2_with_registers"))
        #expect(family.name == "DINOv2" && family.modelTypes == ["dinov2", "dinov2_with_registers"])
        #expect(family.capabilities == [.imageEmbedding])
        #expect(family.knownCheckpoints.map(\.id).contains("facebook/dinov2-base"))
        let model = try ModelRegistry.shared.load(directory: DINOv2Fixture.all[0].directory)
        #expect(throws: CapabilityError.self) { try model.requireText() }
    }

    // MARK: - Broken checkpoints

    /// A copy of a fixture folder whose config.json and weights can be altered.
    /// (Call with labels: an unlabeled trailing closure would be taken as the config edit.)
    func brokenCopy(of fixture: DINOv2Fixture, config edit: (inout [String: Any]) -> Void = { _ in },
                    tensors: (inout [String: (shape: [Int], values: [Float])]) -> Void = { _ in }) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("seer-dinov2-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        var config = try JSONSerialization.jsonObject(with: Data(contentsOf: fixture.directory.appendingPathComponent("config.json"))) as! [String: Any]
        edit(&config)
        try JSONSerialization.data(withJSONObject: config).write(to: dir.appendingPathComponent("config.json"))
        try FileManager.default.copyItem(at: fixture.directory.appendingPathComponent("preprocessor_config.json"),
                                         to: dir.appendingPathComponent("preprocessor_config.json"))
        let file = try SafeTensorsFile(url: fixture.directory.appendingPathComponent("model.safetensors"))
        var all: [String: (shape: [Int], values: [Float])] = [:]
        for (name, info) in file.tensors { all[name] = (info.shape, try file.tensor(name).scalars) }
        tensors(&all)
        try writeSafeTensors(all, to: dir.appendingPathComponent("model.safetensors"))
        return dir
    }

    @Test func aMissingTensorIsNamed() throws {
        let dir = try brokenCopy(of: DINOv2Fixture.all[1], tensors: { $0["embeddings.register_tokens"] = nil })
        do {
            _ = try ModelRegistry.shared.load(directory: dir)
            Issue.record("loaded weights without register tokens")
        } catch {
            #expect("\(error)".contains("embeddings.register_tokens"), "\(error)")
        }
    }

    @Test func aTensorOfTheWrongShapeIsNamed() throws {
        let dir = try brokenCopy(of: DINOv2Fixture.all[0], tensors: {
            $0["encoder.layer.1.layer_scale2.lambda1"] = (shape: [16], values: [Float](repeating: 1, count: 16))
        })
        do {
            _ = try DINOv2(directory: dir)
            Issue.record("loaded a layer scale of the wrong shape")
        } catch {
            #expect("\(error)".contains("encoder.layer.1.layer_scale2.lambda1") && "\(error)".contains("[16]"), "\(error)")
        }
    }

    @Test func aConfigPromisingMoreLayersNamesTheFirstMissingOne() throws {
        let dir = try brokenCopy(of: DINOv2Fixture.all[2], config: { $0["num_hidden_layers"] = 3 })
        do {
            _ = try DINOv2(directory: dir)
            Issue.record("loaded weights missing a layer")
        } catch {
            #expect("\(error)".contains("encoder.layer.2."), "\(error)")
        }
    }

    @Test func badConfigsAreExplained() throws {
        let swiglu = DINOv2Fixture.all[2]
        // A SwiGLU checkpoint read as a plain MLP: the MLP's tensors are named.
        let plain = try brokenCopy(of: swiglu, config: { $0["use_swiglu_ffn"] = false })
        do {
            _ = try DINOv2(directory: plain)
            Issue.record("loaded a SwiGLU checkpoint as an MLP")
        } catch {
            #expect("\(error)".contains("mlp.fc1"), "\(error)")
        }
        let wrongType = try brokenCopy(of: swiglu, config: { $0["hidden_size"] = "wide" })
        #expect(throws: ModelError.self) { try DINOv2(directory: wrongType) }
        let nonSquare = try brokenCopy(of: swiglu, config: { $0["image_size"] = [98, 112] })
        do {
            _ = try DINOv2(directory: nonSquare)
            Issue.record("accepted a non-square position grid")
        } catch {
            #expect("\(error)".contains("image_size"), "\(error)")
        }
    }
}

/// A minimal safetensors writer (f32, sorted names) for tests that break a checkpoint.
func writeSafeTensors(_ tensors: [String: (shape: [Int], values: [Float])], to url: URL) throws {
    var header: [String: Any] = [:]
    var data = Data()
    for name in tensors.keys.sorted() {
        let (shape, values) = tensors[name]!
        let start = data.count
        values.withUnsafeBufferPointer { data.append(Data(buffer: $0)) }
        header[name] = ["dtype": "F32", "shape": shape, "data_offsets": [start, data.count]]
    }
    var headerData = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
    while headerData.count % 8 != 0 { headerData.append(0x20) }
    var file = Data()
    withUnsafeBytes(of: UInt64(headerData.count).littleEndian) { file.append(contentsOf: $0) }
    file.append(headerData)
    file.append(data)
    try file.write(to: url)
}
