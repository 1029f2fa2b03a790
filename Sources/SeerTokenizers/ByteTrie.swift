/// A trie over byte strings with an `Int32` value per key, for walking every vocabulary piece that
/// starts at a position (unigram Viterbi) and for longest-prefix matching (user-defined pieces,
/// added tokens). Edges live in one open-addressing table keyed by (node, byte), so a step is one
/// multiply-and-probe with no allocation.
struct ByteTrie: Sendable {
    private var keys: [UInt64]
    private var children: [Int32]
    /// Value of the key ending at each node, or -1.
    private(set) var values: [Int32] = [-1]
    private var mask: Int
    private var edgeCount = 0
    private static let empty = UInt64.max

    init<S: Sequence>(_ entries: S) where S.Element == ([UInt8], Int32) {
        keys = [UInt64](repeating: Self.empty, count: 64)
        children = [Int32](repeating: 0, count: 64)
        mask = 63
        for (key, value) in entries { insert(key, value) }
    }

    var nodeCount: Int { values.count }

    @inline(__always)
    private static func edgeKey(_ node: Int32, _ byte: UInt8) -> UInt64 { UInt64(UInt32(node)) << 8 | UInt64(byte) }

    @inline(__always)
    private func slot(_ key: UInt64) -> Int { Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> 29) & mask }

    /// Inserts `key` with `value`; an existing key keeps its first value.
    mutating func insert(_ key: [UInt8], _ value: Int32) {
        var node: Int32 = 0
        for byte in key {
            if let next = child(node, byte) {
                node = next
            } else {
                let next = Int32(values.count)
                values.append(-1)
                addEdge(node, byte, next)
                node = next
            }
        }
        if values[Int(node)] < 0 { values[Int(node)] = value }
    }

    private mutating func addEdge(_ node: Int32, _ byte: UInt8, _ target: Int32) {
        if (edgeCount + 1) * 2 > keys.count { grow() }
        let k = Self.edgeKey(node, byte)
        var i = slot(k)
        while keys[i] != Self.empty { i = (i + 1) & mask }
        keys[i] = k
        children[i] = target
        edgeCount += 1
    }

    private mutating func grow() {
        let oldKeys = keys, oldChildren = children
        keys = [UInt64](repeating: Self.empty, count: oldKeys.count * 2)
        children = [Int32](repeating: 0, count: oldKeys.count * 2)
        mask = keys.count - 1
        for (i, k) in oldKeys.enumerated() where k != Self.empty {
            var j = slot(k)
            while keys[j] != Self.empty { j = (j + 1) & mask }
            keys[j] = k
            children[j] = oldChildren[i]
        }
    }

    /// The child of `node` along `byte`, or nil.
    @inline(__always)
    func child(_ node: Int32, _ byte: UInt8) -> Int32? {
        let k = Self.edgeKey(node, byte)
        var i = slot(k)
        while true {
            let stored = keys[i]
            if stored == k { return children[i] }
            if stored == Self.empty { return nil }
            i = (i + 1) & mask
        }
    }

    /// Unchecked access for hot loops: the trie's tables as raw buffers, valid inside `body`.
    struct View {
        let keys: UnsafeBufferPointer<UInt64>
        let children: UnsafeBufferPointer<Int32>
        let values: UnsafeBufferPointer<Int32>
        let mask: Int

        @inline(__always)
        func child(_ node: Int32, _ byte: UInt8) -> Int32 {
            let k = UInt64(UInt32(node)) << 8 | UInt64(byte)
            var i = Int(truncatingIfNeeded: (k &* 0x9E37_79B9_7F4A_7C15) >> 29) & mask
            while true {
                let stored = keys[i]
                if stored == k { return children[i] }
                if stored == UInt64.max { return -1 }
                i = (i + 1) & mask
            }
        }
    }

    func withView<R>(_ body: (View) throws -> R) rethrows -> R {
        try keys.withUnsafeBufferPointer { k in
            try children.withUnsafeBufferPointer { c in
                try values.withUnsafeBufferPointer { v in try body(View(keys: k, children: c, values: v, mask: mask)) }
            }
        }
    }

    /// Value stored at `node` (-1 if no key ends there).
    @inline(__always)
    func value(at node: Int32) -> Int32 { values[Int(node)] }

    /// The longest key that is a prefix of `input[start...]`: its length and value.
    func longestPrefix(_ input: UnsafeBufferPointer<UInt8>, from start: Int) -> (length: Int, value: Int32)? {
        var node: Int32 = 0
        var best: (Int, Int32)?
        var i = start
        while i < input.count, let next = child(node, input[i]) {
            node = next
            i += 1
            let v = values[Int(node)]
            if v >= 0 { best = (i - start, v) }
        }
        return best
    }

    /// The value of exactly `key`, or nil.
    func lookup<C: Collection>(_ key: C) -> Int32? where C.Element == UInt8 {
        var node: Int32 = 0
        for byte in key {
            guard let next = child(node, byte) else { return nil }
            node = next
        }
        let v = values[Int(node)]
        return v >= 0 ? v : nil
    }
}
