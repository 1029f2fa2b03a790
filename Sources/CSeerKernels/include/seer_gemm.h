#ifndef SEER_GEMM_H
#define SEER_GEMM_H

#include <stddef.h>

/* Matrix multiply against weights packed once, at load time: y = x · Wᵀ + bias for a Linear
   weight W [n, k]. BLAS repacks W on every call; for a model that runs the same weights
   millions of times, packing them once saves that pass (a fifth of ViT-B/32's time at batch 1).

   Packed layout: ceil(n/16) panels, panel p holding W[16p .. 16p+15][0..k) transposed, k rows
   of 16 floats (zero past n). */

#define SEER_GEMM_PANEL 16

/* Non-zero when this CPU has a kernel here (x86-64 with AVX2+FMA or AVX-512); otherwise callers
   use BLAS. */
int seer_gemm_supported(void);

/* Floats needed for packing a [n, k] weight. */
size_t seer_gemm_packed_size(size_t n, size_t k);

/* Packs panels [panel_begin, panel_end) of W [n, k] (row stride ldw) into `packed`, so threads
   can share the work. */
void seer_gemm_pack(const float *w, size_t ldw, size_t n, size_t k, float *packed,
                    size_t panel_begin, size_t panel_end);

/* c[m, n] (row stride ldc) = a[m, k] (row stride lda) · Wᵀ + bias (bias may be NULL), for the
   output columns of panels [panel_begin, panel_end) only, so threads can split the panels. */
void seer_gemm_packed(size_t m, size_t n, size_t k, const float *a, size_t lda, const float *packed,
                      const float *bias, float *c, size_t ldc, size_t panel_begin, size_t panel_end);

#endif
