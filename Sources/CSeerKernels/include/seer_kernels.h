#ifndef SEER_KERNELS_H
#define SEER_KERNELS_H

#include <stddef.h>

/* Elementwise and row kernels for SeerTensor. Written in C so the compiler vectorizes them for
   the machine at hand (AVX-512, AVX2 or baseline, picked at load time), which Swift's generic
   SIMD types do not do reliably. All pointers may alias only where stated. */

void seer_quick_gelu(float *x, size_t n);        /* x · σ(1.702x), in place */
void seer_gelu_erf(float *x, size_t n);          /* 0.5x(1 + erf(x/√2)), in place */
void seer_gelu_tanh(float *x, size_t n);         /* tanh approximation, in place */
void seer_relu(float *x, size_t n);
void seer_softmax(float *x, size_t n);           /* in place, numerically stable */
void seer_add(float *x, const float *y, size_t n); /* x += y */
/* out = (x − mean) / √(var + eps) · gamma + beta over one row; out may equal x. */
void seer_layer_norm_row(const float *x, float *out, const float *gamma, const float *beta, size_t width, float eps);
/* Inner product of two vectors (vector search: one call per candidate, so it must be cheap). */
float seer_dot(const float *a, const float *b, size_t n);
/* out[i] = q · row(index[i]) for rows of `n` floats spaced `stride` apart in `base`: four rows
   at a time, with the next rows prefetched, so their cache misses overlap (graph search visits
   rows in random order, and waits on memory more than it computes). */
void seer_dot_gather(const float *q, const float *base, size_t stride, const int *index, size_t count,
                     size_t n, float *out);
/* e^x for each element (exposed for tests). */
void seer_exp(const float *x, float *out, size_t n);

#endif
