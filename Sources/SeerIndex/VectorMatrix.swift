import SeerTensor
/// `count` vectors of `dimension` floats, one contiguous row-major block (what BLAS and the
/// graph walk want), with the caller's identifier for each row.
public struct VectorMatrix: Sendable {
    public let dimension: Int
    public private(set) var values: [Float]
    public private(set) var ids: [Int64]

    public var count: Int { ids.count }

    public init(dimension: Int, values: [Float] = [], ids: [Int64]? = nil) {
        precondition(dimension > 0 && values.count % dimension == 0, "values must hold whole rows")
        self.dimension = dimension
        self.values = values
        self.ids = ids ?? (0..<Int64(values.count / dimension)).map { $0 }
        precondition(self.ids.count * dimension == values.count, "one id per row")
    }

    /// Catalog entries as unit-length rows, ids from the catalog.
    public init(entries: [CatalogEntry], dimension: Int) {
        self.dimension = dimension
        values = []
        values.reserveCapacity(entries.count * dimension)
        ids = []
        ids.reserveCapacity(entries.count)
        for entry in entries { append(unitLength(entry.vector), id: entry.id ?? Int64(ids.count)) }
    }

    public mutating func append(_ vector: [Float], id: Int64) {
        precondition(vector.count == dimension, "vector has \(vector.count) dimensions, matrix \(dimension)")
        values.append(contentsOf: vector)
        ids.append(id)
    }

    public mutating func append(_ rows: VectorMatrix) {
        precondition(rows.dimension == dimension, "rows have \(rows.dimension) dimensions, matrix \(dimension)")
        if ids.isEmpty {
            values = rows.values
            ids = rows.ids
        } else {
            values.append(contentsOf: rows.values)
            ids.append(contentsOf: rows.ids)
        }
    }

    public func row(_ i: Int) -> ArraySlice<Float> { values[i * dimension ..< (i + 1) * dimension] }

    /// Scales every row to unit length in place (zero rows stay zero).
    public mutating func normalizeRows() {
        let d = dimension
        values.withUnsafeMutableBufferPointer { buffer in
            for i in 0..<(buffer.count / d) {
                let row = buffer.baseAddress! + i * d
                let norm = dotProduct(row, row, d).squareRoot()
                if norm > 0 { for j in 0..<d { row[j] /= norm } }
            }
        }
    }
}

/// A search hit: the row's position in its matrix and its cosine (inner product of unit vectors).
public struct Neighbor: Sendable, Equatable {
    public var index: Int
    public var score: Float

    public init(index: Int, score: Float) {
        self.index = index
        self.score = score
    }
}
