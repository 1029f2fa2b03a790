import Foundation

/// One tensor's entry in a safetensors header.
public struct SafeTensorInfo: Sendable {
    public enum DType: String, Sendable { case f32 = "F32", f16 = "F16", bf16 = "BF16", f64 = "F64" }
    public let name: String
    public let dtype: DType
    public let shape: [Int]
    /// Byte range inside the data section (after the header).
    public let dataRange: Range<Int>
}

/// A `.safetensors` file: an 8-byte little-endian header length, a JSON header mapping names to
/// dtype/shape/offsets, then the raw data. Every header entry is validated against the file size
/// up front, so a lying header is an error that names the tensor, never an out-of-bounds read.
/// Format: https://github.com/huggingface/safetensors#format
public final class SafeTensorsFile: @unchecked Sendable {
    // @unchecked: immutable after init; the mapping is read-only.
    public let url: URL
    public let tensors: [String: SafeTensorInfo]
    public let metadata: [String: String]
    private let file: MappedFile
    private let dataStart: Int

    /// Headers larger than this are refused (the format's reference implementation uses 100 MB).
    static let maxHeaderBytes = 100_000_000

    public init(url: URL) throws {
        self.url = url
        file = try MappedFile(url: url)
        let name = url.lastPathComponent
        let bytes = file.bytes
        guard bytes.count >= 8 else {
            throw SeerTensorError.format("\(name): not a safetensors file (only \(bytes.count) bytes)")
        }
        let headerLength = bytes.loadUnaligned(as: UInt64.self).littleEndian
        guard headerLength <= UInt64(Self.maxHeaderBytes), Int(headerLength) <= bytes.count - 8 else {
            throw SeerTensorError.format("\(name): header length \(headerLength) exceeds the file size \(bytes.count) (truncated or not a safetensors file)")
        }
        dataStart = 8 + Int(headerLength)
        let headerData = Data(bytes[8..<dataStart])
        guard let header = (try? JSONSerialization.jsonObject(with: headerData)) as? [String: Any] else {
            throw SeerTensorError.format("\(name): header is not a JSON object")
        }
        let dataSize = bytes.count - dataStart
        var tensors: [String: SafeTensorInfo] = [:]
        var metadata: [String: String] = [:]
        for (key, value) in header {
            if key == "__metadata__" {
                metadata = (value as? [String: String]) ?? [:]
                continue
            }
            tensors[key] = try Self.parseEntry(key, value, dataSize: dataSize, file: name)
        }
        self.tensors = tensors
        self.metadata = metadata
    }

    private static func parseEntry(_ key: String, _ value: Any, dataSize: Int, file: String) throws -> SafeTensorInfo {
        func bad(_ why: String) -> SeerTensorError { .format("\(file): tensor '\(key)': \(why)") }
        guard let entry = value as? [String: Any],
              let dtypeName = entry["dtype"] as? String,
              let shapeAny = entry["shape"] as? [Any],
              let offsetsAny = entry["data_offsets"] as? [Any], offsetsAny.count == 2
        else { throw bad("entry needs dtype, shape and two data_offsets") }
        guard let dtype = SafeTensorInfo.DType(rawValue: dtypeName) else {
            throw bad("unsupported dtype \(dtypeName) (Seer reads F32, F16, BF16, F64)")
        }
        let shape = try shapeAny.map { dim -> Int in
            guard let d = (dim as? NSNumber)?.intValue, d >= 0, d < 1 << 40 else { throw bad("invalid shape \(shapeAny)") }
            return d
        }
        let offsets = try offsetsAny.map { o -> Int in
            guard let n = (o as? NSNumber)?.intValue, n >= 0 else { throw bad("invalid data_offsets \(offsetsAny)") }
            return n
        }
        guard offsets[0] <= offsets[1], offsets[1] <= dataSize else {
            throw bad("data_offsets \(offsets) point outside the \(dataSize) data bytes (truncated file or lying header)")
        }
        var elements = 1
        for d in shape {
            let (product, overflow) = elements.multipliedReportingOverflow(by: d)
            guard !overflow else { throw bad("shape \(shape) is too large") }
            elements = product
        }
        let expectedBytes = elements * dtype.byteWidth
        guard offsets[1] - offsets[0] == expectedBytes else {
            throw bad("shape \(shape) of \(dtypeName) needs \(expectedBytes) bytes but data_offsets span \(offsets[1] - offsets[0])")
        }
        return SafeTensorInfo(name: key, dtype: dtype, shape: shape, dataRange: offsets[0]..<offsets[1])
    }

    /// The named tensor as float32: f32 data is borrowed from the mapping when it is aligned,
    /// other dtypes are converted into a new allocation.
    public func tensor(_ name: String) throws -> Tensor {
        guard let info = tensors[name] else {
            throw SeerTensorError.missingTensor(name, file: url.lastPathComponent)
        }
        let count = info.shape.reduce(1, *)
        let source = file.bytes.baseAddress! + dataStart + info.dataRange.lowerBound
        if info.dtype == .f32, Int(bitPattern: source) % MemoryLayout<Float>.alignment == 0 {
            let pointer = UnsafeMutablePointer(mutating: source.assumingMemoryBound(to: Float.self))
            return Tensor(shape: info.shape, storage: TensorStorage(borrowing: pointer, count: count, owner: file))
        }
        let out = Tensor(shape: info.shape, storage: TensorStorage(uninitializedCount: count))
        convertToFloat(from: source, dtype: info.dtype, count: count, into: out.pointer)
        return out
    }
}

extension SafeTensorInfo.DType {
    var byteWidth: Int {
        switch self {
        case .f32: return 4
        case .f16, .bf16: return 2
        case .f64: return 8
        }
    }
}

private func convertToFloat(from source: UnsafeRawPointer, dtype: SafeTensorInfo.DType, count: Int, into out: UnsafeMutablePointer<Float>) {
    switch dtype {
    case .f32:
        for i in 0..<count { out[i] = Float(bitPattern: UInt32(littleEndian: source.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self))) }
    case .f64:
        for i in 0..<count { out[i] = Float(Double(bitPattern: UInt64(littleEndian: source.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self)))) }
    case .bf16:
        // bfloat16 is the top half of a float32.
        for i in 0..<count {
            let bits = UInt16(littleEndian: source.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))
            out[i] = Float(bitPattern: UInt32(bits) << 16)
        }
    case .f16:
        for i in 0..<count {
            out[i] = floatFromHalf(UInt16(littleEndian: source.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)))
        }
    }
}

/// IEEE 754 binary16 → binary32, including subnormals, infinities and NaN (portable: Swift's
/// Float16 is not available on every platform Seer targets).
func floatFromHalf(_ h: UInt16) -> Float {
    let sign = UInt32(h & 0x8000) << 16
    let exponent = Int((h >> 10) & 0x1F)
    let mantissa = UInt32(h & 0x3FF)
    if exponent == 0 {
        // Zero or subnormal: value = mantissa · 2^-24.
        let magnitude = Float(mantissa) * 0x1p-24
        return sign == 0 ? magnitude : -magnitude
    }
    if exponent == 31 {
        return Float(bitPattern: sign | 0x7F80_0000 | (mantissa << 13))
    }
    return Float(bitPattern: sign | UInt32(exponent - 15 + 127) << 23 | (mantissa << 13))
}

/// The weights of a model: one `model.safetensors`, or shards listed by
/// `model.safetensors.index.json`. Names are looked up across all files.
public final class WeightStore: @unchecked Sendable {
    // @unchecked: immutable after init.
    public let files: [SafeTensorsFile]
    private let fileForTensor: [String: SafeTensorsFile]

    public init(directory: URL) throws {
        let fm = FileManager.default
        let single = directory.appendingPathComponent("model.safetensors")
        let index = directory.appendingPathComponent("model.safetensors.index.json")
        if fm.fileExists(atPath: single.path) {
            files = [try SafeTensorsFile(url: single)]
        } else if fm.fileExists(atPath: index.path) {
            guard let json = try? JSONSerialization.jsonObject(with: Data(contentsOf: index)) as? [String: Any],
                  let weightMap = json["weight_map"] as? [String: String]
            else { throw SeerTensorError.format("\(index.path): no weight_map in the shard index") }
            files = try Set(weightMap.values).sorted().map { try SafeTensorsFile(url: directory.appendingPathComponent($0)) }
        } else if fm.fileExists(atPath: directory.appendingPathComponent("pytorch_model.bin").path) {
            throw SeerTensorError.io("\(directory.path) has only pytorch_model.bin; Seer reads safetensors (convert with `transformers` save_pretrained(safe_serialization=True))")
        } else {
            throw SeerTensorError.io("no model.safetensors in \(directory.path)")
        }
        var map: [String: SafeTensorsFile] = [:]
        for file in files { for name in file.tensors.keys { map[name] = file } }
        fileForTensor = map
    }

    public var tensorNames: [String] { Array(fileForTensor.keys) }

    public func contains(_ name: String) -> Bool { fileForTensor[name] != nil }

    /// The named tensor, checked against the shape the architecture expects.
    public func tensor(_ name: String, shape: [Int]) throws -> Tensor {
        guard let file = fileForTensor[name] else {
            throw SeerTensorError.missingTensor(name, file: files.map(\.url.lastPathComponent).joined(separator: ", "))
        }
        let found = file.tensors[name]!.shape
        guard found == shape else { throw SeerTensorError.shapeMismatch(name, expected: shape, found: found) }
        return try file.tensor(name)
    }
}

/// A view of a `WeightStore` scoped by a name prefix, so model code reads like the checkpoint:
/// `weights.scoped("encoder.layers.0").tensor("fc1.weight", ...)`.
public struct Weights: Sendable {
    public let store: WeightStore
    public let prefix: String

    public init(store: WeightStore, prefix: String = "") {
        self.store = store
        self.prefix = prefix
    }

    public func scoped(_ name: String) -> Weights {
        Weights(store: store, prefix: prefix.isEmpty ? name : "\(prefix).\(name)")
    }

    public func fullName(_ name: String) -> String { prefix.isEmpty ? name : "\(prefix).\(name)" }

    public func tensor(_ name: String, shape: [Int]) throws -> Tensor {
        try store.tensor(fullName(name), shape: shape)
    }

    public func contains(_ name: String) -> Bool { store.contains(fullName(name)) }
}
