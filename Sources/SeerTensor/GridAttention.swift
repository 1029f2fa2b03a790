import CSeerKernels

extension Ops {
    /// Multi-head self-attention inside square windows of `side`×`side` tokens, with
    /// decomposed relative position embeddings (MViTv2; the ViT of Segment Anything):
    /// score(q, k) = q·k/√headDim + q·Rh[qy − ky + side − 1] + q·Rw[qx − kx + side − 1].
    ///
    /// - qkv: [windows, side², 3·width]; each token holds its query heads, then key heads,
    ///   then value heads (transformers' `qkv` Linear output).
    /// - relPosH, relPosW: [2·side − 1, headDim], or nil for plain attention.
    /// - out: [windows, side², width], heads side by side.
    ///
    /// Each task is one (window, head, block of queries); a block's scores stay in cache, and
    /// the [side², side²] bias is never materialized (PyTorch builds it for every head).
    public static func gridAttention(qkv: Tensor, windows: Int, side: Int, heads: Int,
                                     relPosH: Tensor?, relPosW: Tensor?, into out: Tensor) {
        let tokens = side * side
        precondition(qkv.rank == 3 && qkv.shape[0] == windows && qkv.shape[1] == tokens && qkv.shape[2] % (3 * heads) == 0,
                     "gridAttention: qkv \(qkv.shape) is not [\(windows), \(tokens), 3·heads·headDim]")
        let width = qkv.shape[2] / 3, headDim = width / heads, ld = 3 * width
        precondition(out.shape == [windows, tokens, width], "gridAttention: out \(out.shape) is not [\(windows), \(tokens), \(width)]")
        let relLength = 2 * side - 1
        precondition((relPosH == nil) == (relPosW == nil), "gridAttention: give both relative tables or neither")
        if let h = relPosH, let w = relPosW {
            precondition(h.shape == [relLength, headDim] && w.shape == [relLength, headDim],
                         "gridAttention: relative tables \(h.shape), \(w.shape) are not [\(relLength), \(headDim)]")
        }
        let scale = 1 / Float(headDim).squareRoot()
        // Up to 256 K scores (1 MiB) per block, at least 16 queries.
        let block = min(tokens, max(16, (1 << 18) / tokens))
        let blocks = (tokens + block - 1) / block
        let (base, o) = (qkv.pointer, out.pointer)
        let (rh, rw) = (relPosH?.pointer, relPosW?.pointer)
        parallelChunks(windows * heads * blocks, grain: 1) { range in
            let scores = UnsafeMutablePointer<Float>.allocate(capacity: block * tokens)
            let relH = UnsafeMutablePointer<Float>.allocate(capacity: block * relLength)
            let relW = UnsafeMutablePointer<Float>.allocate(capacity: block * relLength)
            let columnBias = UnsafeMutablePointer<Float>.allocate(capacity: side)
            defer { scores.deallocate(); relH.deallocate(); relW.deallocate(); columnBias.deallocate() }
            for task in range {
                let window = task / (heads * blocks), head = (task / blocks) % heads, part = task % blocks
                let q0 = part * block, rows = min(block, tokens - q0)
                let windowBase = base + window * tokens * ld
                let q = windowBase + q0 * ld + head * headDim
                let k = windowBase + width + head * headDim
                let v = windowBase + 2 * width + head * headDim
                sgemm(transposeB: true, m: rows, n: tokens, k: headDim, alpha: scale, a: q, lda: ld, b: k, ldb: ld, c: scores, ldc: tokens)
                if let rh, let rw {
                    // q·R[j] for every relative offset j, then each score picks its two offsets.
                    sgemm(transposeB: true, m: rows, n: relLength, k: headDim, a: q, lda: ld, b: rh, ldb: headDim, c: relH, ldc: relLength)
                    sgemm(transposeB: true, m: rows, n: relLength, k: headDim, a: q, lda: ld, b: rw, ldb: headDim, c: relW, ldc: relLength)
                    for r in 0..<rows {
                        let t = q0 + r, y = t / side, x = t % side
                        let hRow = relH + r * relLength + y + side - 1, wRow = relW + r * relLength + x + side - 1
                        for kx in 0..<side { columnBias[kx] = wRow[-kx] }
                        let row = scores + r * tokens
                        for ky in 0..<side {
                            let rowBias = hRow[-ky]
                            let segment = row + ky * side
                            for kx in 0..<side { segment[kx] += rowBias + columnBias[kx] }
                        }
                    }
                }
                for r in 0..<rows { seer_softmax(scores + r * tokens, tokens) }
                sgemm(m: rows, n: headDim, k: tokens, a: scores, lda: tokens, b: v, ldb: ld,
                      c: o + (window * tokens + q0) * width + head * headDim, ldc: width)
            }
        }
        withExtendedLifetime((qkv, out, relPosH, relPosW)) {}
    }
}
