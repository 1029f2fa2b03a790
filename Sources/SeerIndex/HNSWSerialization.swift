import Foundation

/// The graph as bytes (little-endian): magic, sizes, then the row ids, levels, upper-layer
/// offsets, the layer-0 block and the upper block. The vectors are not included: they live in
/// the catalog, and loading checks that the catalog's rows are the ones the graph was built on.
extension HNSWIndex {
    static let magic = Data("SEERHNS1".utf8)

    public func serialized() -> Data {
        var data = Self.magic
        for field in [dimension, parameters.m, parameters.efConstruction, Int(bitPattern: UInt(parameters.seed)), count,
                      Int(entryPoint), maxLevel, upperCount] {
            withUnsafeBytes(of: Int64(field).littleEndian) { data.append(contentsOf: $0) }
        }
        matrix.ids.withUnsafeBytes { data.append(contentsOf: $0) }
        levels.withUnsafeBytes { data.append(contentsOf: $0) }
        upperStart.withUnsafeBytes { data.append(contentsOf: $0) }
        data.append(UnsafeBufferPointer(start: layer0, count: count * (1 + m0)))
        data.append(UnsafeBufferPointer(start: upper, count: upperCount))
        return data
    }

    /// Rebuilds a graph saved by `serialized()` over `matrix`, which must hold the same rows
    /// (same ids, same order) it was built on. Throws on any inconsistency instead of trusting it.
    public convenience init(serialized data: Data, matrix: VectorMatrix) throws {
        var reader = ByteReader(data: data)
        guard try reader.bytes(8) == Self.magic else { throw IndexError.corrupt("not a seer HNSW graph") }
        let header = try (0..<8).map { _ in Int(try reader.int64()) }
        let (dimension, m, efConstruction, seed, count, entry, maxLevel, upperCount) =
            (header[0], header[1], header[2], header[3], header[4], header[5], header[6], header[7])
        guard dimension == matrix.dimension, count == matrix.count, m >= 2, m <= 512, efConstruction >= 1,
              upperCount >= 0, (count == 0) == (entry < 0), entry < count, maxLevel <= 15
        else { throw IndexError.mismatch("the saved graph does not fit the catalog's vectors") }
        self.init(dimension: dimension, parameters: HNSWParameters(m: m, efConstruction: efConstruction, seed: UInt64(bitPattern: Int64(seed))))
        let ids: [Int64] = try reader.array(count)
        guard ids == matrix.ids else { throw IndexError.mismatch("the saved graph was built on other rows") }
        self.matrix = matrix
        levels = try reader.array(count)
        upperStart = try reader.array(count)
        let layer0Values: [Int32] = try reader.array(count * (1 + self.m0))
        let upperValues: [Int32] = try reader.array(upperCount)
        guard reader.isAtEnd else { throw IndexError.corrupt("trailing bytes after the graph") }
        layer0.deallocate()
        layer0 = .allocate(capacity: max(1, layer0Values.count))
        layer0.initialize(from: layer0Values, count: layer0Values.count)
        layer0Capacity = layer0Values.count
        upper.deallocate()
        upper = .allocate(capacity: max(1, upperValues.count))
        upper.initialize(from: upperValues, count: upperValues.count)
        upperCapacity = upperValues.count
        self.upperCount = upperCount
        entryPoint = Int32(entry)
        self.maxLevel = maxLevel
        try validate()
        convertHalfRows(from: 0)
    }

    /// Every offset and link in range, so a damaged blob cannot make a search read out of bounds.
    private func validate() throws {
        func check(_ list: UnsafeMutablePointer<Int32>, _ degree: Int) throws {
            let n = Int(list[0])
            guard n >= 0, n <= degree else { throw IndexError.corrupt("graph link list too long") }
            for i in 0..<n where list[1 + i] < 0 || Int(list[1 + i]) >= count {
                throw IndexError.corrupt("graph link out of range")
            }
        }
        for node in 0..<count {
            let level = Int(levels[node])
            guard level <= maxLevel else { throw IndexError.corrupt("node above the top level") }
            try check(layer0 + node * (1 + m0), m0)
            if level > 0 {
                let start = Int(upperStart[node])
                guard start >= 0, start + level * (1 + m) <= upperCount else { throw IndexError.corrupt("graph offset out of range") }
                for layer in 1...level { try check(links(Int32(node), layer), m) }
            }
        }
    }
}

/// Sequential reads of little-endian values from Data, throwing at the end instead of trapping.
struct ByteReader {
    let data: Data
    var offset = 0

    var isAtEnd: Bool { offset == data.count }

    mutating func bytes(_ n: Int) throws -> Data {
        guard n >= 0, offset + n <= data.count else { throw IndexError.corrupt("graph data is truncated") }
        defer { offset += n }
        return data.subdata(in: data.startIndex + offset ..< data.startIndex + offset + n)
    }

    mutating func int64() throws -> Int64 {
        Int64(littleEndian: try bytes(8).withUnsafeBytes { $0.loadUnaligned(as: Int64.self) })
    }

    mutating func array<T: FixedWidthInteger>(_ n: Int) throws -> [T] {
        guard n >= 0, n <= data.count else { throw IndexError.corrupt("graph data is truncated") }
        let chunk = try bytes(n * MemoryLayout<T>.size)
        return chunk.withUnsafeBytes { raw in (0..<n).map { T(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * MemoryLayout<T>.size, as: T.self)) } }
    }
}
