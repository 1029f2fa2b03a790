import Foundation
import SeerTensor

/// A probe on disk: safetensors with "weight" [classes, dimension] and "bias" [classes] (F32,
/// nn.Linear's names, so PyTorch's `load_file` reads it as a linear layer) and the class names
/// in the metadata ("classes": a JSON array).
extension LinearProbe {
    public func save(to url: URL) throws {
        let k = classes.count
        let classesJSON = String(decoding: try JSONEncoder().encode(classes), as: UTF8.self)
        let header: [String: Any] = [
            "__metadata__": ["format": "pt", "seer": "linear-probe", "classes": classesJSON],
            "weight": ["dtype": "F32", "shape": [k, dimension], "data_offsets": [0, 4 * k * dimension]],
            "bias": ["dtype": "F32", "shape": [k], "data_offsets": [4 * k * dimension, 4 * k * (dimension + 1)]],
        ]
        var headerData = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        // The data starts 8-aligned, as the format's reference writer pads it.
        while (8 + headerData.count) % 8 != 0 { headerData.append(0x20) }
        var file = Data()
        withUnsafeBytes(of: UInt64(headerData.count).littleEndian) { file.append(contentsOf: $0) }
        file.append(headerData)
        for value in weights + bias { withUnsafeBytes(of: value.bitPattern.littleEndian) { file.append(contentsOf: $0) } }
        try DatasetFiles.write(file, to: url)
    }

    public init(contentsOf url: URL) throws {
        let file = try SafeTensorsFile(url: url)
        guard let json = file.metadata["classes"], let classes = try? JSONDecoder().decode([String].self, from: Data(json.utf8)),
              let weight = file.tensors["weight"], weight.shape.count == 2, weight.shape[0] == classes.count,
              let bias = file.tensors["bias"], bias.shape == [classes.count] else {
            throw DatasetError("\(url.path) is not a linear probe (weight [classes, dimension], bias [classes], classes in the metadata)")
        }
        self.init(classes: classes, dimension: weight.shape[1], weights: try file.tensor("weight").scalars, bias: try file.tensor("bias").scalars)
    }
}
