#include "ember_kernels.h"
#include <math.h>
#include <stdint.h>
#include <string.h>

// The same kernel source compiled three times: AVX-512, AVX2+FMA, and the x86-64 baseline.
#pragma clang attribute push(__attribute__((target("avx512f,avx512dq,avx512vl,avx2,fma"))), apply_to = function)
#define VW 16
#define SUFFIX _avx512
#include "kernels_impl.inc"
#undef VW
#undef SUFFIX
#pragma clang attribute pop

#pragma clang attribute push(__attribute__((target("avx2,fma"))), apply_to = function)
#define VW 8
#define SUFFIX _avx2
#include "kernels_impl.inc"
#undef VW
#undef SUFFIX
#pragma clang attribute pop

#define VW 4
#define SUFFIX _base
#include "kernels_impl.inc"
#undef VW
#undef SUFFIX

/// 2 = AVX-512, 1 = AVX2+FMA, 0 = baseline; decided once.
static int isa_level(void) {
    static int level = -1;
    if (level < 0) {
        __builtin_cpu_init();
        level = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl") ? 2
              : (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") ? 1 : 0);
    }
    return level;
}

void ember_exp_f32(const float *x, float *y, long n) {
    switch (isa_level()) {
    case 2: exp_f32_avx512(x, y, n); break;
    case 1: exp_f32_avx2(x, y, n); break;
    default: exp_f32_base(x, y, n); break;
    }
}

void ember_softmax_rows_f32(const float *x, float *y, long rows, long cols, int log_softmax) {
    switch (isa_level()) {
    case 2: softmax_rows_f32_avx512(x, y, rows, cols, log_softmax); break;
    case 1: softmax_rows_f32_avx2(x, y, rows, cols, log_softmax); break;
    default: softmax_rows_f32_base(x, y, rows, cols, log_softmax); break;
    }
}

void ember_softmax_backward_rows_f32(const float *y, const float *g, float *dx, long rows, long cols, float scale) {
    switch (isa_level()) {
    case 2: softmax_backward_rows_f32_avx512(y, g, dx, rows, cols, scale); break;
    case 1: softmax_backward_rows_f32_avx2(y, g, dx, rows, cols, scale); break;
    default: softmax_backward_rows_f32_base(y, g, dx, rows, cols, scale); break;
    }
}

void ember_gelu_f32(const float *x, float *y, float *cdf, long n) {
    switch (isa_level()) {
    case 2: gelu_f32_avx512(x, y, cdf, n); break;
    case 1: gelu_f32_avx2(x, y, cdf, n); break;
    default: gelu_f32_base(x, y, cdf, n); break;
    }
}

void ember_gelu_backward_f32(const float *x, const float *g, const float *cdf, float *dx, long n) {
    switch (isa_level()) {
    case 2: gelu_backward_f32_avx512(x, g, cdf, dx, n); break;
    case 1: gelu_backward_f32_avx2(x, g, cdf, dx, n); break;
    default: gelu_backward_f32_base(x, g, cdf, dx, n); break;
    }
}
