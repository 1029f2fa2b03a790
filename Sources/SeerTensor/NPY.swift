import Foundation

/// NumPy's `.npy` format (version 1.0) for float32 arrays: how embeddings leave Seer
/// (`seer embed --out x.npy`) and how reference outputs arrive from Python in tests.
public enum NPY {
    /// Serializes a float32 tensor as a little-endian, C-order `.npy` file image.
    public static func encode(_ tensor: Tensor) -> Data {
        let shapeText = tensor.shape.count == 1 ? "(\(tensor.shape[0]),)" : "(" + tensor.shape.map(String.init).joined(separator: ", ") + ")"
        var header = "{'descr': '<f4', 'fortran_order': False, 'shape': \(shapeText), }"
        // Magic (6) + version (2) + length (2) + header + newline, padded to a multiple of 64.
        let unpadded = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        var data = Data([0x93] + Array("NUMPY".utf8) + [1, 0])
        let length = UInt16(header.utf8.count)
        data.append(contentsOf: [UInt8(length & 0xFF), UInt8(length >> 8)])
        data.append(contentsOf: Array(header.utf8))
        data.append(UnsafeBufferPointer(start: tensor.pointer, count: tensor.count))
        return data
    }

    /// Parses a float32 (`<f4`), C-order `.npy` file image.
    public static func decode(_ data: Data) throws -> Tensor {
        let bytes = [UInt8](data)
        guard bytes.count >= 10, bytes[0] == 0x93, Array(bytes[1..<6]) == Array("NUMPY".utf8) else {
            throw SeerTensorError.format("not a .npy file")
        }
        let major = bytes[6]
        let headerLength: Int, headerStart: Int
        if major == 1 {
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
            headerStart = 10
        } else {
            guard bytes.count >= 12 else { throw SeerTensorError.format("truncated .npy header") }
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
            headerStart = 12
        }
        guard headerStart + headerLength <= bytes.count,
              let header = String(bytes: bytes[headerStart..<(headerStart + headerLength)], encoding: .ascii)
        else { throw SeerTensorError.format("truncated .npy header") }
        guard header.contains("'descr': '<f4'") else { throw SeerTensorError.format(".npy dtype is not little-endian float32: \(header)") }
        guard header.contains("'fortran_order': False") else { throw SeerTensorError.format(".npy array is Fortran-ordered") }
        guard let open = header.range(of: "'shape': ("), let close = header[open.upperBound...].firstIndex(of: ")") else {
            throw SeerTensorError.format(".npy header has no shape: \(header)")
        }
        let shape = try header[open.upperBound..<close].split(separator: ",").compactMap { part -> Int? in
            let text = part.trimmingCharacters(in: .whitespaces)
            if text.isEmpty { return nil }
            guard let n = Int(text), n >= 0 else { throw SeerTensorError.format("bad .npy shape \(header)") }
            return n
        }
        let count = shape.reduce(1, *)
        let dataStart = headerStart + headerLength
        guard bytes.count - dataStart == count * 4 else {
            throw SeerTensorError.format(".npy holds \(bytes.count - dataStart) data bytes, shape \(shape) needs \(count * 4)")
        }
        let tensor = Tensor(zeros: shape)
        bytes.withUnsafeBytes { raw in
            for i in 0..<count {
                tensor.pointer[i] = Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: dataStart + 4 * i, as: UInt32.self)))
            }
        }
        return tensor
    }
}
