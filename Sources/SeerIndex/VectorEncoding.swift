import Foundation

/// How vectors are stored as BLOBs. Search always runs on float32 decoded from them.
public enum VectorEncoding: String, Sendable, CaseIterable {
    /// 4 bytes per dimension, exact.
    case float32 = "f32"
    /// 2 bytes per dimension, IEEE half precision (relative error ≈ 5e-4).
    case float16 = "f16"
    /// 1 byte per dimension plus a 4-byte float scale per vector: x ≈ scale · q, q ∈ [-127, 127].
    case int8 = "int8"

    public func bytes(dimension: Int) -> Int {
        switch self {
        case .float32: return 4 * dimension
        case .float16: return 2 * dimension
        case .int8: return 4 + dimension
        }
    }

    public func encode(_ vector: [Float]) -> Data {
        switch self {
        case .float32:
            return vector.withUnsafeBytes { Data($0) }
        case .float16:
            return vector.map { Float16($0) }.withUnsafeBytes { Data($0) }
        case .int8:
            let largest = vector.reduce(0) { max($0, abs($1)) }
            let scale = largest > 0 ? largest / 127 : 1
            var data = withUnsafeBytes(of: scale) { Data($0) }
            data.append(contentsOf: vector.map { UInt8(bitPattern: Int8(($0 / scale).rounded())) })
            return data
        }
    }

    /// Decodes a BLOB written by `encode`; throws when its length does not fit the dimension.
    public func decode(_ data: Data, dimension: Int) throws -> [Float] {
        guard data.count == bytes(dimension: dimension) else {
            throw IndexError.corrupt("a \(rawValue) vector of \(dimension) dimensions has \(data.count) bytes, expected \(bytes(dimension: dimension))")
        }
        return data.withUnsafeBytes { raw -> [Float] in
            switch self {
            case .float32:
                return Array(raw.bindMemory(to: Float.self))
            case .float16:
                return raw.bindMemory(to: Float16.self).map { Float($0) }
            case .int8:
                let scale = raw.loadUnaligned(as: Float.self)
                return raw[4...].map { Float(Int8(bitPattern: $0)) * scale }
            }
        }
    }
}

public enum IndexError: Error, CustomStringConvertible, Equatable {
    case corrupt(String)
    case mismatch(String)
    case invalid(String)

    public var description: String {
        switch self {
        case .corrupt(let text), .mismatch(let text), .invalid(let text): return text
        }
    }
}
