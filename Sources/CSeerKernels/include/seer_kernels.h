#ifndef SEER_KERNELS_H
#define SEER_KERNELS_H

#include <stddef.h>
#include <stdint.h>

/* Elementwise and row kernels for SeerTensor. Written in C so the compiler vectorizes them for
   the machine at hand (AVX-512, AVX2 or baseline, picked at load time), which Swift's generic
   SIMD types do not do reliably. All pointers may alias only where stated. */

void seer_quick_gelu(float *x, size_t n);        /* x · σ(1.702x), in place */
void seer_gelu_erf(float *x, size_t n);          /* 0.5x(1 + erf(x/√2)), in place */
void seer_gelu_tanh(float *x, size_t n);         /* tanh approximation, in place */
void seer_relu(float *x, size_t n);
void seer_softmax(float *x, size_t n);           /* in place, numerically stable */
void seer_add(float *x, const float *y, size_t n); /* x += y */
/* x += y ⊙ scale (a LayerScale branch added to its residual: DINOv2). */
void seer_add_scaled(float *x, const float *y, const float *scale, size_t n);
/* SwiGLU over `rows` rows of `2·width` values [gate ‖ up]: out[r, j] = silu(gate[r, j]) · up[r, j],
   out [rows, width] (must not alias in). */
void seer_swiglu(const float *in, float *out, size_t rows, size_t width);
/* out = (x − mean) / √(var + eps) · gamma + beta over one row; out may equal x. */
void seer_layer_norm_row(const float *x, float *out, const float *gamma, const float *beta, size_t width, float eps);
/* Inner product of two vectors (vector search: one call per candidate, so it must be cheap). */
float seer_dot(const float *a, const float *b, size_t n);
/* out[i] = q · row(index[i]) for rows of `n` floats spaced `stride` apart in `base`, four rows
   at a time. With `prefetch`, every row is requested from memory first, so that their cache
   misses overlap (graph search visits rows in random order, and waits on memory more than it
   computes); without, for rows that are already in cache. */
void seer_dot_gather(const float *q, const float *base, size_t stride, const int *index, size_t count,
                     size_t n, float *out, int prefetch);
/* IEEE half precision (round to nearest even) of each element, as bits. */
void seer_f32_to_f16(const float *x, uint16_t *out, size_t n);
/* seer_dot_gather over rows stored in half precision (bits), with a float32 query. */
void seer_dot_gather_f16(const float *q, const uint16_t *base, size_t stride, const int *index,
                         size_t count, size_t n, float *out);
/* scores[r·query_count + j] = query j · row r, for `count` rows of `n` floats spaced `stride` apart
   and `query_count` contiguous queries: each row is read from memory once for all the queries
   (exact search with a few queries is a scan bound by memory bandwidth). */
void seer_dot_rows(const float *queries, size_t query_count, const float *rows, size_t stride,
                   size_t count, size_t n, float *scores);
/* Writes every i < n with scores[i] > thresholds[i] to `hits` (ascending); returns how many. */
size_t seer_above(const float *scores, const float *thresholds, size_t n, uint32_t *hits);
/* Asks the memory system for the cache line holding `p` (a hint: never faults). */
static inline void seer_prefetch(const void *p) { __builtin_prefetch(p); }
/* e^x for each element (exposed for tests). */
void seer_exp(const float *x, float *out, size_t n);

#endif
