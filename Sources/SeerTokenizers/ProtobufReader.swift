/// A bounds-checked reader of the protobuf wire format (varints, fixed 32/64-bit, length-delimited
/// fields), enough to parse SentencePiece's `ModelProto` without a protobuf library. Every read
/// checks the remaining length, so truncated or corrupt input throws instead of trapping.
struct ProtobufReader {
    enum WireType: UInt8 {
        case varint = 0, fixed64 = 1, lengthDelimited = 2, startGroup = 3, endGroup = 4, fixed32 = 5
    }

    struct Failure: Error {
        let message: String
    }

    private let bytes: UnsafeRawBufferPointer
    private(set) var offset: Int
    private let end: Int

    init(_ bytes: UnsafeRawBufferPointer, range: Range<Int>? = nil) {
        self.bytes = bytes
        offset = range?.lowerBound ?? 0
        end = range?.upperBound ?? bytes.count
    }

    var isAtEnd: Bool { offset >= end }

    mutating func readVarint() throws -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard offset < end else { throw Failure(message: "truncated varint at byte \(offset)") }
            let byte = bytes[offset]
            offset += 1
            guard shift < 64 else { throw Failure(message: "varint longer than 10 bytes at byte \(offset)") }
            result |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return result }
            shift += 7
        }
    }

    /// The next field's number and wire type.
    mutating func readTag() throws -> (field: Int, type: WireType) {
        let tag = try readVarint()
        guard let type = WireType(rawValue: UInt8(tag & 7)) else {
            throw Failure(message: "unknown wire type \(tag & 7) at byte \(offset)")
        }
        let field = tag >> 3
        guard field > 0, field < 1 << 29 else { throw Failure(message: "invalid field number \(field) at byte \(offset)") }
        return (Int(field), type)
    }

    mutating func readFixed32() throws -> UInt32 {
        guard end - offset >= 4 else { throw Failure(message: "truncated 32-bit field at byte \(offset)") }
        var v: UInt32 = 0
        for i in 0..<4 { v |= UInt32(bytes[offset + i]) << (8 * i) }
        offset += 4
        return v
    }

    /// The byte range of a length-delimited field's payload; the reader moves past it.
    mutating func readLengthDelimited() throws -> Range<Int> {
        let length = try readVarint()
        guard length <= UInt64(end - offset) else {
            throw Failure(message: "field of \(length) bytes at byte \(offset) runs past the end (\(end - offset) left)")
        }
        let start = offset
        offset += Int(length)
        return start..<offset
    }

    mutating func readBytes() throws -> [UInt8] {
        let range = try readLengthDelimited()
        return Array(bytes[range])
    }

    mutating func readString() throws -> String {
        let range = try readLengthDelimited()
        guard let s = String(validating: bytes[range], as: UTF8.self) else {
            throw Failure(message: "string field at byte \(range.lowerBound) is not valid UTF-8")
        }
        return s
    }

    mutating func readFloat() throws -> Float { Float(bitPattern: try readFixed32()) }

    /// Skips a field this reader does not use.
    mutating func skip(_ type: WireType) throws {
        switch type {
        case .varint: _ = try readVarint()
        case .fixed64:
            guard end - offset >= 8 else { throw Failure(message: "truncated 64-bit field at byte \(offset)") }
            offset += 8
        case .fixed32: _ = try readFixed32()
        case .lengthDelimited: _ = try readLengthDelimited()
        case .startGroup, .endGroup: throw Failure(message: "groups are not supported (byte \(offset))")
        }
    }

    /// A reader over a nested message's payload.
    func nested(_ range: Range<Int>) -> ProtobufReader { ProtobufReader(bytes, range: range) }
}
