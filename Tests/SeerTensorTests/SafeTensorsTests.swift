import Foundation
import Testing
@testable import SeerTensor

/// Builds a safetensors file image from a header object and raw data, so tests can lie in it.
func safetensorsBytes(header: [String: Any], data: [UInt8]) -> Data {
    let json = try! JSONSerialization.data(withJSONObject: header)
    var out = Data()
    withUnsafeBytes(of: UInt64(json.count).littleEndian) { out.append(contentsOf: $0) }
    out.append(json)
    out.append(contentsOf: data)
    return out
}

func temporaryFile(_ data: Data, name: String = "model.safetensors") throws -> URL {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("seer-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let url = dir.appendingPathComponent(name)
    try data.write(to: url)
    return url
}

func floatBytes(_ values: [Float]) -> [UInt8] {
    values.flatMap { v in withUnsafeBytes(of: v.bitPattern.littleEndian) { Array($0) } }
}

@Suite struct SafeTensorsTests {
    @Test func readsF32F16AndBF16() throws {
        // f16: 1.0 = 0x3C00, -2.0 = 0xC000, 65504 = 0x7BFF, smallest subnormal = 0x0001.
        let f16: [UInt8] = [0x00, 0x3C, 0x00, 0xC0, 0xFF, 0x7B, 0x01, 0x00]
        // bf16: the top 16 bits of the float32 pattern: 1.5 = 0x3FC0, -0.25 = 0xBE80.
        let bf16: [UInt8] = [0xC0, 0x3F, 0x80, 0xBE]
        let f32 = floatBytes([0.5, -7, 3.25, 1e-3, 42, 0])
        let header: [String: Any] = [
            "a": ["dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]],
            "h": ["dtype": "F16", "shape": [4], "data_offsets": [24, 32]],
            "b": ["dtype": "BF16", "shape": [2], "data_offsets": [32, 36]],
            "__metadata__": ["format": "pt"],
        ]
        let url = try temporaryFile(safetensorsBytes(header: header, data: f32 + f16 + bf16))
        let file = try SafeTensorsFile(url: url)
        #expect(file.metadata["format"] == "pt")
        #expect(try file.tensor("a").scalars == [0.5, -7, 3.25, 1e-3, 42, 0])
        #expect(try file.tensor("a").shape == [2, 3])
        #expect(try file.tensor("h").scalars == [1, -2, 65504, 0x1p-24])
        #expect(try file.tensor("b").scalars == [1.5, -0.25])
    }

    @Test func weightStoreChecksNamesAndShapes() throws {
        let header: [String: Any] = ["layer.weight": ["dtype": "F32", "shape": [2, 2], "data_offsets": [0, 16]]]
        let url = try temporaryFile(safetensorsBytes(header: header, data: floatBytes([1, 2, 3, 4])))
        let weights = Weights(store: try WeightStore(directory: url.deletingLastPathComponent()))
        #expect(try weights.scoped("layer").tensor("weight", shape: [2, 2]).scalars == [1, 2, 3, 4])
        #expect(throws: SeerTensorError.missingTensor("layer.bias", file: "model.safetensors")) {
            try weights.scoped("layer").tensor("bias", shape: [2])
        }
        #expect(throws: SeerTensorError.shapeMismatch("layer.weight", expected: [4], found: [2, 2])) {
            try weights.tensor("layer.weight", shape: [4])
        }
    }

    /// Each malformed file gives an error whose text names the problem (and the tensor, when one is at fault).
    @Test(arguments: [
        ("offsets past the end", #"{"w": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]}}"#, "'w': data_offsets [0, 16] point outside"),
        ("shape larger than its bytes", #"{"w": {"dtype": "F32", "shape": [3], "data_offsets": [0, 8]}}"#, "needs 12 bytes"),
        ("unknown dtype", #"{"w": {"dtype": "I8", "shape": [8], "data_offsets": [0, 8]}}"#, "unsupported dtype I8"),
        ("negative dimension", #"{"w": {"dtype": "F32", "shape": [-2], "data_offsets": [0, 8]}}"#, "invalid shape"),
        ("missing offsets", #"{"w": {"dtype": "F32", "shape": [2]}}"#, "data_offsets"),
        ("not JSON", "not json", "not a JSON object"),
    ])
    func lyingHeadersAreRejected(_ label: String, _ header: String, _ message: String) throws {
        var bytes = Data()
        withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { bytes.append(contentsOf: $0) }
        bytes.append(Data(header.utf8))
        bytes.append(Data(count: 8))
        do {
            _ = try SafeTensorsFile(url: try temporaryFile(bytes))
            Issue.record("\(label): accepted")
        } catch let error as SeerTensorError {
            #expect(error.description.contains(message), "\(label): \(error)")
        }
    }

    @Test func truncatedAndEmptyFilesAreRejected() throws {
        // A header length far past the end of the file, a 3-byte file, an empty file.
        let lying = Data([0xFF, 0xFF, 0xFF, 0x0F, 0, 0, 0, 0] + Array("{}".utf8))
        for (data, message) in [(lying, "exceeds the file size"), (Data([1, 2, 3]), "not a safetensors file"), (Data(), "not a safetensors file")] {
            do {
                _ = try SafeTensorsFile(url: try temporaryFile(data))
                Issue.record("accepted \(data.count) bytes")
            } catch let error as SeerTensorError {
                #expect(error.description.contains(message), "\(error)")
            }
        }
        let missing = FileManager.default.temporaryDirectory.appendingPathComponent("no-such-\(UUID().uuidString)")
        #expect(throws: SeerTensorError.io("no model.safetensors in \(missing.path)")) { try WeightStore(directory: missing) }
    }

    @Test func npyRoundTrips() throws {
        let t = Tensor(shape: [2, 3], values: [1, 2, 3, 4, 5, -6.5])
        let back = try NPY.decode(NPY.encode(t))
        #expect(back.shape == [2, 3])
        #expect(back.scalars == t.scalars)
        let vector = try NPY.decode(NPY.encode(Tensor(shape: [4], values: [1, 2, 3, 4])))
        #expect(vector.shape == [4])
        #expect(throws: SeerTensorError.self) { try NPY.decode(NPY.encode(t).dropLast(4)) }
    }
}
