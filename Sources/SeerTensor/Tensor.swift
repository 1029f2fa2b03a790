#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Memory behind a tensor: either a 64-byte-aligned allocation of our own, or a region of a
/// memory-mapped weights file kept alive by `owner`.
public final class TensorStorage: @unchecked Sendable {
    // @unchecked: the pointer is written only by the code that created the storage (model
    // forward passes own their activation buffers); shared weights are read-only after loading.
    public let pointer: UnsafeMutablePointer<Float>
    public let count: Int
    private let owner: AnyObject?

    /// A zero-filled allocation of `count` floats.
    public convenience init(count: Int) {
        self.init(uninitializedCount: count)
        pointer.initialize(repeating: 0, count: max(count, 1))
    }

    /// An allocation the caller fills completely before reading it (saves touching every page
    /// twice when the next step overwrites it anyway).
    public init(uninitializedCount count: Int) {
        precondition(count >= 0, "negative tensor size")
        let bytes = max(count, 1) * MemoryLayout<Float>.stride
        let raw = Self.allocate(bytes: bytes)
        self.pointer = raw.bindMemory(to: Float.self, capacity: max(count, 1))
        self.count = count
        self.owner = nil
    }

    private static func allocate(bytes: Int) -> UnsafeMutableRawPointer {
        // Large buffers (packed weights, batch activations) are aligned to 2 MiB and offered to
        // the kernel as huge pages: one page fault instead of 512 when they are first written.
        let hugePage = 2 << 20
        let raw = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: bytes >= hugePage ? hugePage : 64)
        #if os(Linux)
        if bytes >= hugePage { _ = madvise(raw, bytes / hugePage * hugePage, MADV_HUGEPAGE) }
        #endif
        return raw
    }

    /// Borrow memory that `owner` keeps alive (e.g. a mapped file).
    public init(borrowing pointer: UnsafeMutablePointer<Float>, count: Int, owner: AnyObject) {
        self.pointer = pointer
        self.count = count
        self.owner = owner
    }

    /// Whether the memory belongs to a mapped file rather than to this storage.
    var isMapped: Bool { owner is MappedFile }

    deinit {
        if owner == nil { UnsafeMutableRawPointer(pointer).deallocate() }
    }
}

/// A dense, row-major float32 tensor. Like a PyTorch tensor it is a *view*: copies share storage,
/// and writing through `pointer` is visible to every copy. Model code allocates its outputs and
/// treats shared weights as read-only.
public struct Tensor: Sendable {
    public let shape: [Int]
    public let storage: TensorStorage

    public init(shape: [Int], storage: TensorStorage) {
        precondition(shape.reduce(1, *) <= storage.count, "shape \(shape) exceeds storage of \(storage.count) floats")
        self.shape = shape
        self.storage = storage
    }

    /// A zero-filled tensor.
    public init(zeros shape: [Int]) {
        self.init(shape: shape, storage: TensorStorage(count: shape.reduce(1, *)))
    }

    /// A tensor whose values the caller writes, every one, before reading any.
    public init(uninitialized shape: [Int]) {
        self.init(shape: shape, storage: TensorStorage(uninitializedCount: shape.reduce(1, *)))
    }

    public init(shape: [Int], values: [Float]) {
        precondition(shape.reduce(1, *) == values.count, "shape \(shape) does not hold \(values.count) values")
        self.init(zeros: shape)
        values.withUnsafeBufferPointer { pointer.update(from: $0.baseAddress!, count: values.count) }
    }

    public var pointer: UnsafeMutablePointer<Float> { storage.pointer }
    public var count: Int { shape.reduce(1, *) }
    public var rank: Int { shape.count }

    /// Same storage, new shape with the same element count.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        precondition(newShape.reduce(1, *) == count, "cannot reshape \(shape) to \(newShape)")
        return Tensor(shape: newShape, storage: storage)
    }

    /// A copy of the values. (Reading `pointer` of a temporary is unsafe: the storage may be
    /// freed as soon as the temporary's last use, so copy out through these accessors instead.)
    public var scalars: [Float] { withExtendedLifetime(storage) { Array(UnsafeBufferPointer(start: pointer, count: count)) } }

    /// The first value: the value of a scalar tensor.
    public var scalar: Float { withExtendedLifetime(storage) { pointer[0] } }

    /// Row `i` of a tensor viewed as [rows, lastDim].
    public func row(_ i: Int) -> [Float] {
        let width = shape.last ?? 1
        return withExtendedLifetime(storage) { Array(UnsafeBufferPointer(start: pointer + i * width, count: width)) }
    }
}
