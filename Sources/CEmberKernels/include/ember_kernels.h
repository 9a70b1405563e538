#ifndef EMBER_KERNELS_H
#define EMBER_KERNELS_H
// Hot float32 kernels in C so they can be compiled for several instruction sets and picked at
// load time (AVX-512, AVX2+FMA, or baseline SSE), as PyTorch's CPU-capability dispatch does.
// Swift cannot target one function at a newer ISA without building everything for it.

/// y[i] = exp(x[i]) for i in [0, n), within 2 ulp of libm (NaN kept, overflow to inf).
void ember_exp_f32(const float *x, float *y, long n);

/// Softmax (or log-softmax when `log_softmax` != 0) of each of `rows` contiguous rows of `cols`.
void ember_softmax_rows_f32(const float *x, float *y, long rows, long cols, int log_softmax);

/// The softmax backward of each of `rows` contiguous rows of `cols`, given the softmax output
/// `y` and the output gradient `g`: dx = scale * y * (g - sum(g * y)). `dx` may alias `g`.
void ember_softmax_backward_rows_f32(const float *y, const float *g, float *dx, long rows, long cols, float scale);

/// Exact GELU, y = x·Φ(x), with Φ from a Chebyshev erfc (relative error below 1.2e-7); Φ(x) is
/// also written to `cdf` unless it is NULL.
void ember_gelu_f32(const float *x, float *y, float *cdf, long n);

/// GELU backward given Φ(x) from the forward pass: dx = g·(Φ(x) + x·φ(x)).
void ember_gelu_backward_f32(const float *x, const float *g, const float *cdf, float *dx, long n);

#endif
