#ifndef EMBER_KERNELS_H
#define EMBER_KERNELS_H
// Hot float32 kernels in C so they can be compiled for several instruction sets and picked at
// load time (AVX-512, AVX2+FMA, or baseline SSE), as PyTorch's CPU-capability dispatch does.
// Swift cannot target one function at a newer ISA without building everything for it.

/// y[i] = exp(x[i]) for i in [0, n), within 2 ulp of libm (NaN kept, overflow to inf).
void ember_exp_f32(const float *x, float *y, long n);

/// out[r] = the sum of row r of `rows` contiguous rows of `cols` floats, in 32 lanes of partial
/// sums folded in a fixed order: the same bits at every instruction-set level.
void ember_sum_rows_f32(const float *x, float *out, long rows, long cols);

/// Softmax (or log-softmax when `log_softmax` != 0) of each of `rows` contiguous rows of `cols`.
void ember_softmax_rows_f32(const float *x, float *y, long rows, long cols, int log_softmax);

/// Winograd F(2×2, 3×3) helpers for float32 (Sources/Ember/CPU/Winograd.swift has the generic
/// versions and the layouts): `[channels, plane]` ↔ channels-last `[plane, cp]` (lanes past
/// `channels` zeroed; `bias`, if not NULL, added on the way back), and the four tile transforms
/// over one step of `samples` samples, tile rows `ty0..<ty1`, `tiles_w` tiles per row, tile `t`
/// of the step at `t·cp` (or `t·op`) in each of the 16 slices `slice` floats apart.
void ember_to_channels_last_f32(const float *src, float *dst, long channels, long plane, long cp);
void ember_from_channels_last_f32(const float *src, float *dst, long channels, long plane, long cp, const float *bias);
/// V = Bᵀ d B from channels-last `[samples, in_h, in_w, cp]` input (zero outside the plane).
void ember_wino_input_f32(const float *xh, float *v, long samples, long in_h, long in_w, long pad_h, long pad_w,
                          long ty0, long ty1, long tiles_w, long cp, long slice);
/// dX += B dV Bᵀ into channels-last `[samples, in_h, in_w, cp]`, dropping taps in the padding.
void ember_wino_input_adjoint_f32(const float *v, float *dxh, long samples, long in_h, long in_w, long pad_h, long pad_w,
                                  long ty0, long ty1, long tiles_w, long cp, long slice);
/// Y = Aᵀ M A into channels-last `[samples, out_h, out_w, op]`.
void ember_wino_output_f32(const float *m, float *yh, long samples, long out_h, long out_w,
                           long ty0, long ty1, long tiles_w, long op, long slice);
/// dM = A dY Aᵀ from channels-last `[samples, out_h, out_w, op]`.
void ember_wino_output_adjoint_f32(const float *gyh, float *m, long samples, long out_h, long out_w,
                                   long ty0, long ty1, long tiles_w, long op, long slice);

/// Batch-norm passes for float32 over rows `r0..<r1` of a contiguous `[N·C, l]` input, row `r`
/// in channel `r % c` (Sources/Ember/CPU/BatchNormKernels.swift has the generic versions).
/// y = x·scale[ch] + shift[ch].
void ember_bn_affine_f32(const float *x, float *y, long r0, long r1, long l, long c, const float *scale, const float *shift);
/// dx = g·k1[ch] + (x - mean[ch])·k2[ch] + k3[ch].
void ember_bn_dx_f32(const float *g, const float *x, float *dx, long r0, long r1, long l, long c,
                     const float *k1, const float *k2, const float *k3, const float *mean);
/// x NULL: acc[ch] += Σ (a - center[ch]), acc[c + ch] += Σ (a - center[ch])²;
/// else:   acc[ch] += Σ a,                acc[c + ch] += Σ a·(x - center[ch]).
void ember_bn_sums_f32(const float *a, const float *x, long r0, long r1, long l, long c, const float *center, double *acc);

/// The softmax backward of each of `rows` contiguous rows of `cols`, given the softmax output
/// `y` and the output gradient `g`: dx = scale * y * (g - sum(g * y)). `dx` may alias `g`.
void ember_softmax_backward_rows_f32(const float *y, const float *g, float *dx, long rows, long cols, float scale);

/// C[m, n] = alpha·op(A)·op(B) (+ bias[j] in column j of every row, unless `bias` is NULL), or
/// C += the same when `accumulate`, in float32, row-major, on the calling thread: op(A) is A [m, k] (row stride lda ≥ k) or, with
/// `trans_a`, the transpose of A [k, m] (lda ≥ m); op(B) is B [k, n] (ldb ≥ n) or, with
/// `trans_b`, the transpose of B [n, k] (ldb ≥ k); ldc ≥ n, and C must not overlap A or B
/// (C is written before A and B are read for the last time). Without `accumulate` C's old
/// values are never read (as BLAS with beta 0). A register-blocked kernel that reads op(A)
/// where it lies (no copy of the activations a Linear layer multiplies) and packs only a
/// transposed B. Returns 1 when it ran, 0 when it declined and the caller should use BLAS:
/// shapes where it did not measure faster than OpenBLAS on one core (n not a multiple of 16,
/// k = 0, a transposed B with fewer than 256 rows of A, more than 2^28 multiply-adds), no
/// AVX-512 (see `ember_gemm_f32_available`), or no memory for the packed B.
int ember_gemm_f32(int trans_a, int trans_b, long m, long n, long k, float alpha, const float *a, long lda,
                   const float *b, long ldb, int accumulate, const float *bias, float *c, long ldc);

/// 1 when this CPU runs `ember_gemm_f32` (it has AVX-512), 0 when every call declines.
int ember_gemm_f32_available(void);

/// The instruction set the kernels run: 2 = AVX-512, 1 = AVX2+FMA, 0 = the portable build (the
/// only one off x86-64). The CPU's best, unless the environment variable `EMBER_ISA`
/// (`avx512`, `avx2` or `base`) asks for a lower one; decided on the first call of any kernel.
int ember_isa_level(void);

/// The number of CPUs this process may run on: its affinity mask (as `taskset` or a
/// container's cpuset sets it), else the online CPU count; at least 1.
long ember_usable_cpu_count(void);

/// Exact GELU, y = x·Φ(x), with Φ from a Chebyshev erfc (relative error below 1.2e-7); Φ(x) is
/// also written to `cdf` unless it is NULL.
void ember_gelu_f32(const float *x, float *y, float *cdf, long n);

/// GELU backward given Φ(x) from the forward pass: dx = g·(Φ(x) + x·φ(x)).
void ember_gelu_backward_f32(const float *x, const float *g, const float *cdf, float *dx, long n);

/// Starts `task(arg)` later on a thread of a pool: how a kernel that needs several threads
/// at once borrows them from the caller's pool instead of starting its own.
typedef void (*ember_submit_fn)(void (*task)(void *), void *arg);

/// One LSTM layer and direction over a time-major sequence: T steps, batch B, hidden size H,
/// input size I, and the weights W_hh `[4H, H]` and W_ih `[4H, I]` (gates i f g o stacked as
/// PyTorch's weight_hh and weight_ih). All buffers of the LSTM calls are contiguous float32.
typedef struct {
    long steps, batch, hidden, input_size;
    const float *whh, *wih;
} ember_lstm_layer;

/// The arguments of `ember_lstm_forward_f32` (input projection included). Time index t of
/// step s is s, or steps-1-s when `reverse`.
typedef struct {
    ember_lstm_layer layer;
    /// b_ih + b_hh, `[4H]`, or NULL for none.
    const float *bias;
    /// `[T, B, H + I]`: row (t, b) holds the hidden state before step t, then the input at
    /// step t. On entry the inputs and the hidden state of the first time index processed
    /// (h0) are set; the other hidden states are filled in.
    float *hx;
    /// `[T, B, H]`: the cell state before every step; on entry the first time index's slot
    /// holds c0.
    float *c_prev;
    /// `[T, B, 4H]`: the activated gates i f g o of every step.
    float *gates;
    /// `[T, B, H]`: tanh of the new cell state; `[T, B, H]`: the output (zeros past a length).
    float *tanh_c, *output;
    /// `[B, H]`: the final states.
    float *h_n, *c_n;
    /// `[B]` valid steps per row, or NULL when every row has all of them: a row past its
    /// length keeps its states and outputs zeros.
    const long *lengths;
    /// Precomputed input gates, or NULL: `[R, 4H]` rows of W_ih·x (+ bias), and for every row
    /// (t, b) of the sequence (`[T·B]`) the row of `x_gates` to add to its pre-activations.
    /// Used when the input is a lookup into a table (an embedding): the projection is then
    /// computed once per distinct table row, and the layer runs with `input_size` 0.
    const float *x_gates;
    const long *x_gate_rows;
    int reverse;
    /// How many threads may work on it (the calling thread is one of them).
    int threads;
    /// Starts `task(arg)` on an idle thread of the caller's thread pool; NULL runs the layer on
    /// the calling thread alone. The other threads are its pool's (Ember's: see `Parallel`).
    ember_submit_fn submit;
} ember_lstm_forward_args;

/// The arguments of `ember_lstm_backward_f32` (the tape is what the forward call filled).
typedef struct {
    ember_lstm_layer layer;
    /// `[T, B, 4H]` activated gates, `[T, B, H]` cell states before each step and tanh after.
    const float *gates, *c_prev, *tanh_c;
    /// `[T, B, H]` gradient of the output, or NULL for zeros.
    const float *d_output;
    /// `[B, H]` each: on entry the gradients of the final states (zeros for none), on return
    /// those of the initial states (dh only when `need_dh0`).
    float *dh, *dc;
    /// `[T, B, 4H]`: the gradients of the gates' pre-activations (zeros past a length).
    float *d_gates;
    /// `[T, B, I]`: the input's gradient, or NULL when not wanted.
    float *dx;
    /// `[4H]`: the bias gradient (the sum of d_gates over steps and rows), or NULL.
    float *d_bias;
    /// `[4H, H]` and `[4H, I]`: the weight gradients (d_gatesᵀ·h and d_gatesᵀ·x over all
    /// steps), each NULL when not wanted; formed in the loop from `hx`, the forward's
    /// `[T, B, H + I]` buffer, a few steps at a time while their gate gradients are in cache.
    float *d_whh, *d_wih;
    const float *hx;
    const long *lengths;
    /// With the forward's `x_gate_rows`: `[R, 4H]`, zeros on entry; each row's gate gradients
    /// are added to row x_gate_rows[(t, b)] (the gradient of the forward's `x_gates`), or NULL.
    float *d_x_gates;
    const long *x_gate_rows;
    int reverse, need_dh0, threads;
    /// As the forward's `submit`.
    ember_submit_fn submit;
} ember_lstm_backward_args;

/// The LSTM layer forward (PyTorch: the loop inside `torch._VF.lstm`): per step
/// gates = [h, x]·[W_hh, W_ih]ᵀ + bias, activations, c' = f·c + i·g, h' = o·tanh(c'). With at
/// least 16 batch rows per thread, each of up to `threads` threads runs its own rows through
/// every step; otherwise each owns a range of hidden units, keeps its packed share of the
/// weights in its own cache, computes those units' gates and states, and the threads meet
/// once per step. Needs `steps` ≥ 1 (h_n and c_n are written by the last step).
/// Returns 0, or -1 when memory for the packed weights could not be allocated.
int ember_lstm_forward_f32(const ember_lstm_forward_args *args);

/// The LSTM layer backward: per step (in reverse) the gates' gradients from dh, dc and the
/// tape, then [dh, dx] = d_gates·[W_hh, W_ih]. With at least 16 batch rows per thread each
/// thread runs its own rows through the steps; otherwise each owns a range of hidden units and
/// of input features, and the threads meet once per step. Every 8 or 16 steps each thread
/// adds those steps' share of its units to the weight and bias gradients (and `d_x_gates`).
/// Returns 0, or -1 when out of memory.
int ember_lstm_backward_f32(const ember_lstm_backward_args *args);

#endif
