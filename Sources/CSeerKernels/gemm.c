#include "seer_gemm.h"
#include <stdlib.h>
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

#include <immintrin.h>

typedef float v8 __attribute__((vector_size(32), aligned(4)));

/* AVX2: rows of A per micro-tile, 6 rows × 2 ymm, all accumulators in registers for the whole
   k loop. (AVX-512 has its own blocked driver below.) */
#define MR_AVX2 6

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

#define TAIL_CASES(TILE) TAIL(TILE, 1) TAIL(TILE, 2) TAIL(TILE, 3) TAIL(TILE, 4) TAIL(TILE, 5)
DEFINE_DRIVER(gemm_avx2, "avx2,fma", tile_avx2, MR_AVX2)
#undef TAIL_CASES


/* AVX-512: a blocked driver (the GotoBLAS/BLIS loop order). k is cut into blocks of KC, rows
   into blocks of MC; each row block is copied ("packed") into MR-row slivers, k-major, so the
   kernel's broadcasts read one sequential stream; the kernel computes MR rows × 32 columns
   (two panels: 24 zmm accumulators, 2 vector loads and 12 broadcasts per 24 FMAs, where a
   16-column tile needs 1 load and 12 broadcasts per 12 FMAs). Each output element is still
   accumulated in k order with one FMA per term, starting from zero, bias added last, so the
   results are bitwise those of the unblocked kernel. Measured on Zen 4, one thread: fc2-shaped
   products (k = 3072) went from 54-62 to ~91 GFLOPS; k = 768 shapes from ~90 to 92-100. */
#define MR_AVX512 12
#define KC_AVX512 768
#define MC_AVX512 96

/* Rows [0, rows) × k-range [0, kc) of A (row stride lda) into slivers of MR rows: sliver s
   holds kc steps of MR floats; rows past `rows` are zero (their results are not stored). */
static void pack_rows(const float *a, size_t lda, size_t rows, size_t kc, float *out) {
    for (size_t s = 0; s < rows; s += MR_AVX512) {
        size_t live = rows - s < MR_AVX512 ? rows - s : MR_AVX512;
        float *dst = out + s * kc;
        for (size_t r = 0; r < live; r++) {
            const float *src = a + (s + r) * lda;
            for (size_t i = 0; i < kc; i++) dst[i * MR_AVX512 + r] = src[i];
        }
        for (size_t r = live; r < MR_AVX512; r++)
            for (size_t i = 0; i < kc; i++) dst[i * MR_AVX512 + r] = 0.0f;
    }
}

/* MR rows (the first `rows` stored) × one or two panels (`two`) over kc steps of a packed
   sliver. `first`: start from zero, else continue from C; `last`: add the bias. m0/m1 mask the
   columns of each panel that exist. */
__attribute__((target("avx512f"), always_inline)) static inline void
kernel_avx512(const int two, size_t kc, const float *sliver, const float *b0p, const float *b1p,
              const float *bias, float *c, size_t ldc, size_t rows, __mmask16 m0, __mmask16 m1,
              int first, int last) {
    __m512 acc0[MR_AVX512], acc1[MR_AVX512];
    for (int r = 0; r < MR_AVX512; r++) {
        int fresh = first || r >= (int)rows;
        acc0[r] = fresh ? _mm512_setzero_ps() : _mm512_maskz_loadu_ps(m0, c + r * ldc);
        if (two) acc1[r] = fresh ? _mm512_setzero_ps() : _mm512_maskz_loadu_ps(m1, c + r * ldc + PANEL);
    }
    for (size_t i = 0; i < kc; i++) {
        __m512 b0 = _mm512_loadu_ps(b0p + i * PANEL);
        __m512 b1 = two ? _mm512_loadu_ps(b1p + i * PANEL) : b0;
        for (int r = 0; r < MR_AVX512; r++) {
            __m512 x = _mm512_set1_ps(sliver[i * MR_AVX512 + r]);
            acc0[r] = _mm512_fmadd_ps(x, b0, acc0[r]);
            if (two) acc1[r] = _mm512_fmadd_ps(x, b1, acc1[r]);
        }
    }
    int add_bias = last && bias;
    __m512 bias0 = add_bias ? _mm512_maskz_loadu_ps(m0, bias) : _mm512_setzero_ps();
    __m512 bias1 = add_bias && two ? _mm512_maskz_loadu_ps(m1, bias + PANEL) : _mm512_setzero_ps();
    for (int r = 0; r < (int)rows; r++) {
        _mm512_mask_storeu_ps(c + r * ldc, m0, add_bias ? _mm512_add_ps(acc0[r], bias0) : acc0[r]);
        if (two) _mm512_mask_storeu_ps(c + r * ldc + PANEL, m1, add_bias ? _mm512_add_ps(acc1[r], bias1) : acc1[r]);
    }
}

__attribute__((target("avx512f"))) static void kernel_avx512_two(size_t kc, const float *sliver, const float *b0p,
    const float *b1p, const float *bias, float *c, size_t ldc, size_t rows, __mmask16 m0, __mmask16 m1, int first, int last) {
    kernel_avx512(1, kc, sliver, b0p, b1p, bias, c, ldc, rows, m0, m1, first, last);
}

__attribute__((target("avx512f"))) static void kernel_avx512_one(size_t kc, const float *sliver, const float *b0p,
    const float *bias, float *c, size_t ldc, size_t rows, __mmask16 m0, int first, int last) {
    kernel_avx512(0, kc, sliver, b0p, b0p, bias, c, ldc, rows, m0, 0, first, last);
}

static __mmask16 column_mask(size_t cols) { return cols >= PANEL ? (__mmask16)0xFFFF : (__mmask16)((1u << cols) - 1); }

__attribute__((target("avx512f"))) static void gemm_avx512(size_t m, size_t n, size_t k, const float *a, size_t lda,
    const float *packed, const float *bias, float *c, size_t ldc, size_t p0, size_t p1) {
    float *slivers = aligned_alloc(64, (MC_AVX512 + MR_AVX512) * KC_AVX512 * sizeof(float));
    if (!slivers) abort();
    for (size_t k0 = 0; k0 < k; k0 += KC_AVX512) {
        size_t kc = k - k0 < KC_AVX512 ? k - k0 : KC_AVX512;
        int first = k0 == 0, last = k0 + kc == k;
        for (size_t m0 = 0; m0 < m; m0 += MC_AVX512) {
            size_t rows = m - m0 < MC_AVX512 ? m - m0 : MC_AVX512;
            pack_rows(a + m0 * lda + k0, lda, rows, kc, slivers);
            for (size_t p = p0; p < p1; p += 2) {
                size_t col = p * PANEL;
                const float *b0 = packed + p * PANEL * k + k0 * PANEL;
                const float *pbias = bias ? bias + col : 0;
                __mmask16 mask0 = column_mask(n - col);
                for (size_t r = 0; r < rows; r += MR_AVX512) {
                    size_t live = rows - r < MR_AVX512 ? rows - r : MR_AVX512;
                    float *tile = c + (m0 + r) * ldc + col;
                    if (p + 1 < p1)
                        kernel_avx512_two(kc, slivers + r * kc, b0, b0 + PANEL * k, pbias, tile, ldc, live,
                                          mask0, column_mask(n - col - PANEL), first, last);
                    else
                        kernel_avx512_one(kc, slivers + r * kc, b0, pbias, tile, ldc, live, mask0, first, last);
                }
            }
        }
    }
    free(slivers);
}

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
