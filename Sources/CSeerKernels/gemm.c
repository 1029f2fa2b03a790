#include "seer_gemm.h"
#include <string.h>

#define PANEL SEER_GEMM_PANEL

size_t seer_gemm_packed_size(size_t n, size_t k) {
    return ((n + PANEL - 1) / PANEL) * PANEL * k;
}

void seer_gemm_pack(const float *w, size_t ldw, size_t n, size_t k, float *packed,
                    size_t panel_begin, size_t panel_end) {
    for (size_t p = panel_begin; p < panel_end; p++) {
        float *dst = packed + p * PANEL * k;
        for (size_t j = 0; j < PANEL; j++) {
            size_t row = p * PANEL + j;
            if (row < n) {
                const float *src = w + row * ldw;
                for (size_t i = 0; i < k; i++) dst[i * PANEL + j] = src[i];
            } else {
                for (size_t i = 0; i < k; i++) dst[i * PANEL + j] = 0.0f;
            }
        }
    }
}

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))

typedef float v16 __attribute__((vector_size(64), aligned(4)));
typedef float v8 __attribute__((vector_size(32), aligned(4)));

/* Rows of A per micro-tile: all accumulators stay in registers for the whole k loop
   (AVX-512: 12 zmm of 16 columns; AVX2: 6 rows × 2 ymm). */
#define MR_AVX512 12
#define MR_AVX2 6

/* Stores one row of a micro-tile: the first `cols` of 16 values, plus bias. */
#define STORE_ROW(VEC, out, cols, bias_ptr)                                               \
    do {                                                                                  \
        float tmp_[16];                                                                   \
        memcpy(tmp_, &(VEC), 64);                                                         \
        for (size_t j_ = 0; j_ < (cols); j_++) (out)[j_] = tmp_[j_] + ((bias_ptr) ? (bias_ptr)[j_] : 0.0f); \
    } while (0)

__attribute__((target("avx512f"), always_inline)) static inline void
tile_avx512(const int rows, size_t k, const float *a, size_t lda, const float *panel,
            const float *bias, float *c, size_t ldc, size_t cols) {
    v16 acc[MR_AVX512];
    for (int r = 0; r < rows; r++) acc[r] = (v16){0};
    for (size_t i = 0; i < k; i++) {
        v16 b;
        memcpy(&b, panel + i * PANEL, 64);
        for (int r = 0; r < rows; r++) acc[r] += a[r * lda + i] * b;
    }
    if (cols == PANEL) {
        v16 bv = (v16){0};
        if (bias) memcpy(&bv, bias, 64);
        for (int r = 0; r < rows; r++) { v16 v = acc[r] + bv; memcpy(c + r * ldc, &v, 64); }
    } else {
        for (int r = 0; r < rows; r++) STORE_ROW(acc[r], c + r * ldc, cols, bias);
    }
}

__attribute__((target("avx2,fma"), always_inline)) static inline void
tile_avx2(const int rows, size_t k, const float *a, size_t lda, const float *panel,
          const float *bias, float *c, size_t ldc, size_t cols) {
    v8 lo[MR_AVX2], hi[MR_AVX2];
    for (int r = 0; r < rows; r++) { lo[r] = (v8){0}; hi[r] = (v8){0}; }
    for (size_t i = 0; i < k; i++) {
        v8 b0, b1;
        memcpy(&b0, panel + i * PANEL, 32);
        memcpy(&b1, panel + i * PANEL + 8, 32);
        for (int r = 0; r < rows; r++) {
            float x = a[r * lda + i];
            lo[r] += x * b0;
            hi[r] += x * b1;
        }
    }
    for (int r = 0; r < rows; r++) {
        float row[16];
        memcpy(row, &lo[r], 32);
        memcpy(row + 8, &hi[r], 32);
        for (size_t j = 0; j < cols; j++) c[r * ldc + j] = row[j] + (bias ? bias[j] : 0.0f);
    }
}

/* Rows of A per block: the block (rows × k floats) is reused across every panel, so it should
   stay in the L2 cache (≈ 512 KB budget). */
static size_t row_block(size_t k, size_t mr) {
    size_t rows = (128 * 1024) / (k ? k : 1);
    rows -= rows % mr;
    return rows < mr ? mr : rows;
}

/* One driver per instruction set; `tile` is inlined with a constant row count so each case
   keeps its accumulators in registers. */
#define DEFINE_DRIVER(NAME, TARGET, TILE, MR)                                                         \
    __attribute__((target(TARGET))) static void NAME(size_t m, size_t n, size_t k, const float *a,    \
        size_t lda, const float *packed, const float *bias, float *c, size_t ldc, size_t p0, size_t p1) { \
        size_t block = row_block(k, MR);                                                              \
        for (size_t m0 = 0; m0 < m; m0 += block) {                                                    \
            size_t m1 = m0 + block < m ? m0 + block : m;                                              \
            for (size_t p = p0; p < p1; p++) {                                                        \
                const float *panel = packed + p * PANEL * k;                                          \
                size_t col = p * PANEL, cols = n - col < PANEL ? n - col : PANEL;                     \
                const float *pbias = bias ? bias + col : 0;                                           \
                size_t r = m0;                                                                        \
                for (; r + MR <= m1; r += MR)                                                         \
                    TILE(MR, k, a + r * lda, lda, panel, pbias, c + r * ldc + col, ldc, cols);        \
                switch (m1 - r) {                                                                     \
                    case 0: break;                                                                    \
                    TAIL_CASES(TILE)                                                                  \
                }                                                                                     \
            }                                                                                         \
        }                                                                                             \
    }

#define TAIL(TILE, R) case R: TILE(R, k, a + r * lda, lda, panel, pbias, c + r * ldc + col, ldc, cols); break;

#define TAIL_CASES(TILE) TAIL(TILE, 1) TAIL(TILE, 2) TAIL(TILE, 3) TAIL(TILE, 4) TAIL(TILE, 5) \
    TAIL(TILE, 6) TAIL(TILE, 7) TAIL(TILE, 8) TAIL(TILE, 9) TAIL(TILE, 10) TAIL(TILE, 11)
DEFINE_DRIVER(gemm_avx512, "avx512f", tile_avx512, MR_AVX512)
#undef TAIL_CASES

#define TAIL_CASES(TILE) TAIL(TILE, 1) TAIL(TILE, 2) TAIL(TILE, 3) TAIL(TILE, 4) TAIL(TILE, 5)
DEFINE_DRIVER(gemm_avx2, "avx2,fma", tile_avx2, MR_AVX2)
#undef TAIL_CASES

int seer_gemm_supported(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") || (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"));
}

void seer_gemm_packed(size_t m, size_t n, size_t k, const float *a, size_t lda, const float *packed,
                      const float *bias, float *c, size_t ldc, size_t panel_begin, size_t panel_end) {
    if (__builtin_cpu_supports("avx512f"))
        gemm_avx512(m, n, k, a, lda, packed, bias, c, ldc, panel_begin, panel_end);
    else
        gemm_avx2(m, n, k, a, lda, packed, bias, c, ldc, panel_begin, panel_end);
}

#else

int seer_gemm_supported(void) { return 0; }

void seer_gemm_packed(size_t m, size_t n, size_t k, const float *a, size_t lda, const float *packed,
                      const float *bias, float *c, size_t ldc, size_t panel_begin, size_t panel_end) {
    (void)m; (void)n; (void)k; (void)a; (void)lda; (void)packed; (void)bias; (void)c; (void)ldc;
    (void)panel_begin; (void)panel_end;
}

#endif
