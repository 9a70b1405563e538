#include "ember_kernels.h"
#include <math.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <pthread.h>
#include <stdio.h>
#include <time.h>
#include "lstm_run.h"

// The blocks of k and of columns of `ember_gemm_f32` (gemm_impl.inc).
#define EMBER_GEMM_KC 256
#define EMBER_GEMM_NC 512

// The same kernel source compiled three times on x86-64: AVX-512, AVX2+FMA, and the x86-64
// baseline. Elsewhere (arm64) only the portable build exists: the kernels are written with
// clang's vector extensions, which compile to NEON there.
#if defined(__x86_64__) || defined(__i386__)
#define EMBER_X86 1
#pragma clang attribute push(__attribute__((target("avx512f,avx512dq,avx512vl,avx2,fma"))), apply_to = function)
#define VW 16
#define SUFFIX _avx512
#include "kernels_impl.inc"
#include "gemm_impl.inc"
#include "winograd_impl.inc"
#include "batchnorm_impl.inc"
#include "lstm_impl.inc"
#undef VW
#undef SUFFIX
#pragma clang attribute pop

#pragma clang attribute push(__attribute__((target("avx2,fma"))), apply_to = function)
#define VW 8
#define SUFFIX _avx2
#include "kernels_impl.inc"
#include "winograd_impl.inc"
#include "batchnorm_impl.inc"
#include "lstm_impl.inc"
#undef VW
#undef SUFFIX
#pragma clang attribute pop
#else
#define EMBER_X86 0
#endif

#define VW 4
#define SUFFIX _base
#include "kernels_impl.inc"
#include "winograd_impl.inc"
#include "batchnorm_impl.inc"
#include "lstm_impl.inc"
#undef VW
#undef SUFFIX

/// The best level this CPU runs: 2 = AVX-512, 1 = AVX2+FMA, 0 = baseline (always 0 off x86).
static int isa_supported(void) {
#if EMBER_X86
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl"))
        return 2;
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") ? 1 : 0;
#else
    return 0;
#endif
}

static int isa_chosen = 0;
static pthread_once_t isa_once = PTHREAD_ONCE_INIT;

/// Decides the level once: the CPU's best, lowered (never raised) by `EMBER_ISA` =
/// `avx512` | `avx2` | `base`, so tests can run every build of the kernels on one machine.
static void isa_decide(void) {
    const int supported = isa_supported();
    int level = supported;
    const char *forced = getenv("EMBER_ISA");
    if (forced && *forced) {
        int requested = -1;
        if (strcmp(forced, "avx512") == 0) requested = 2;
        else if (strcmp(forced, "avx2") == 0) requested = 1;
        else if (strcmp(forced, "base") == 0) requested = 0;
        if (requested < 0)
            fprintf(stderr, "Ember: EMBER_ISA=%s is not one of avx512, avx2, base; using the CPU's best\n", forced);
        else if (requested > supported)
            fprintf(stderr, "Ember: EMBER_ISA=%s is beyond what this CPU runs; using %s\n", forced,
                    supported == 2 ? "avx512" : supported == 1 ? "avx2" : "base");
        else
            level = requested;
    }
    isa_chosen = level;
}

/// 2 = AVX-512, 1 = AVX2+FMA, 0 = baseline; decided once, safe from any thread.
static inline int isa_level(void) {
    pthread_once(&isa_once, isa_decide);
    return isa_chosen;
}

int ember_isa_level(void) { return isa_level(); }

/// Calls the build of kernel `name` for the chosen instruction set.
#if EMBER_X86
#define EMBER_DISPATCH(name, ...) \
    switch (isa_level()) { \
    case 2: name##_avx512(__VA_ARGS__); break; \
    case 1: name##_avx2(__VA_ARGS__); break; \
    default: name##_base(__VA_ARGS__); break; \
    }
#else
#define EMBER_DISPATCH(name, ...) name##_base(__VA_ARGS__);
#endif

void ember_exp_f32(const float *x, float *y, long n) {
    EMBER_DISPATCH(exp_f32, x, y, n)
}

void ember_sum_rows_f32(const float *x, float *out, long rows, long cols) {
    EMBER_DISPATCH(sum_rows_f32, x, out, rows, cols)
}

void ember_softmax_rows_f32(const float *x, float *y, long rows, long cols, int log_softmax) {
    EMBER_DISPATCH(softmax_rows_f32, x, y, rows, cols, log_softmax)
}

void ember_to_channels_last_f32(const float *src, float *dst, long channels, long plane, long cp) {
    EMBER_DISPATCH(to_channels_last, src, dst, channels, plane, cp)
}

void ember_from_channels_last_f32(const float *src, float *dst, long channels, long plane, long cp, const float *bias) {
    EMBER_DISPATCH(from_channels_last, src, dst, channels, plane, cp, bias)
}

void ember_wino_input_f32(const float *xh, float *v, long samples, long in_h, long in_w, long pad_h, long pad_w,
                          long ty0, long ty1, long tiles_w, long cp, long slice) {
    EMBER_DISPATCH(wino_input, xh, v, samples, in_h, in_w, pad_h, pad_w, ty0, ty1, tiles_w, cp, slice)
}

void ember_wino_input_adjoint_f32(const float *v, float *dxh, long samples, long in_h, long in_w, long pad_h, long pad_w,
                                  long ty0, long ty1, long tiles_w, long cp, long slice) {
    EMBER_DISPATCH(wino_input_adjoint, v, dxh, samples, in_h, in_w, pad_h, pad_w, ty0, ty1, tiles_w, cp, slice)
}

void ember_wino_output_f32(const float *m, float *yh, long samples, long out_h, long out_w,
                           long ty0, long ty1, long tiles_w, long op, long slice) {
    EMBER_DISPATCH(wino_output, m, yh, samples, out_h, out_w, ty0, ty1, tiles_w, op, slice)
}

void ember_wino_output_adjoint_f32(const float *gyh, float *m, long samples, long out_h, long out_w,
                                   long ty0, long ty1, long tiles_w, long op, long slice) {
    EMBER_DISPATCH(wino_output_adjoint, gyh, m, samples, out_h, out_w, ty0, ty1, tiles_w, op, slice)
}

void ember_bn_affine_f32(const float *x, float *y, long r0, long r1, long l, long c, const float *scale, const float *shift) {
    EMBER_DISPATCH(bn_affine, x, y, r0, r1, l, c, scale, shift)
}

void ember_bn_dx_f32(const float *g, const float *x, float *dx, long r0, long r1, long l, long c,
                     const float *k1, const float *k2, const float *k3, const float *mean) {
    EMBER_DISPATCH(bn_dx, g, x, dx, r0, r1, l, c, k1, k2, k3, mean)
}

void ember_bn_sums_f32(const float *a, const float *x, long r0, long r1, long l, long c, const float *center, double *acc) {
    EMBER_DISPATCH(bn_sums, a, x, r0, r1, l, c, center, acc)
}

void ember_softmax_backward_rows_f32(const float *y, const float *g, float *dx, long rows, long cols, float scale) {
    EMBER_DISPATCH(softmax_backward_rows_f32, y, g, dx, rows, cols, scale)
}

void ember_gelu_f32(const float *x, float *y, float *cdf, long n) {
    EMBER_DISPATCH(gelu_f32, x, y, cdf, n)
}

void ember_gelu_backward_f32(const float *x, const float *g, const float *cdf, float *dx, long n) {
    EMBER_DISPATCH(gelu_backward_f32, x, g, cdf, dx, n)
}

int ember_gemm_f32_available(void) { return isa_level() == 2; }

#if EMBER_X86
/// Each thread's buffer for a packed block of a transposed B, made on its first use and
/// freed when the thread exits.
static pthread_key_t gemm_pack_key;
static pthread_once_t gemm_pack_once = PTHREAD_ONCE_INIT;
static void gemm_pack_key_make(void) { pthread_key_create(&gemm_pack_key, free); }

static float *gemm_pack_buffer(void) {
    pthread_once(&gemm_pack_once, gemm_pack_key_make);
    float *pack = pthread_getspecific(gemm_pack_key);
    if (!pack) {
        pack = aligned_alloc(64, sizeof(float) * EMBER_GEMM_KC * EMBER_GEMM_NC);
        if (pack && pthread_setspecific(gemm_pack_key, pack) != 0) { free(pack); pack = NULL; }
    }
    return pack;
}

int ember_gemm_f32(int trans_a, int trans_b, long m, long n, long k, float alpha, const float *a, long lda,
                   const float *b, long ldb, int accumulate, const float *bias, float *c, long ldc) {
    if (isa_level() != 2 || m <= 0 || n <= 0 || k <= 0 || n % 16 != 0) return 0;
    if ((double)m * (double)n * (double)k > (double)(1L << 28)) return 0;
    float *pack = NULL;
    if (trans_b) {
        if (m < 256 || !(pack = gemm_pack_buffer())) return 0;
    }
    gemm_f32_avx512(trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, accumulate, bias, c, ldc, pack);
    return 1;
}
#else
/// Off x86 the kernel is not built: every product goes to BLAS.
int ember_gemm_f32(int trans_a, int trans_b, long m, long n, long k, float alpha, const float *a, long lda,
                   const float *b, long ldb, int accumulate, const float *bias, float *c, long ldc) {
    (void)trans_a; (void)trans_b; (void)m; (void)n; (void)k; (void)alpha; (void)a; (void)lda;
    (void)b; (void)ldb; (void)accumulate; (void)bias; (void)c; (void)ldc;
    return 0;
}
#endif

static void lstm_worker(lstm_run *run, int w) {
    EMBER_DISPATCH(lstm_worker, run, w)
}

/// The helpers one LSTM call asked its pool for. It lives on the heap, counted by `refs`,
/// because a helper may start after the call has given up waiting for it and returned: such
/// a helper finds the team sealed, touches nothing else, and drops its reference. A helper
/// that joined touches the call's `run` only until it counts itself in `finished`.
typedef struct {
    /// Bit LSTM_TEAM_SEALED once the caller stopped taking helpers; below it, how many joined.
    _Atomic int state;
    /// The caller and each helper not yet gone; the last one frees the team.
    _Atomic int refs;
    /// Helpers that have finished their share; the caller waits for all that joined.
    _Atomic long finished;
    /// Where the caller and the helpers sleep when a wait outlasts its spin.
    lstm_waitset waits;
    /// The call, valid for helpers that joined.
    lstm_run *run;
} lstm_team;

#define LSTM_TEAM_SEALED (1 << 30)
/// How long the caller waits for its helpers to join: 2 ms. A helper that a busy pool starts
/// later than that is not used (it returns at once), so a saturated pool cannot stall the call.
#define LSTM_JOIN_NANOSECONDS 2000000L

static void lstm_team_release(lstm_team *team) {
    if (atomic_fetch_sub(&team->refs, 1) != 1) return;
    pthread_cond_destroy(&team->waits.cond);
    pthread_mutex_destroy(&team->waits.lock);
    free(team);
}

/// A helper's task on a pool thread: join as the next worker unless the team is sealed, wait
/// for the go, run that worker's share, and count itself finished.
static void lstm_helper(void *p) {
    lstm_team *team = p;
    int state = atomic_load(&team->state);
    while (!(state & LSTM_TEAM_SEALED)) {
        if (atomic_compare_exchange_weak(&team->state, &state, state + 1)) {
            lstm_run *run = team->run;
            if (!atomic_load_explicit(&run->go, memory_order_acquire)) lstm_wait_change(&team->waits, &run->go, 0);
            lstm_worker(run, state + 1);
            atomic_fetch_add(&team->finished, 1);
            lstm_wake_all(&team->waits);
            break;
        }
    }
    lstm_team_release(team);
}

static long lstm_nanoseconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long)ts.tv_sec * 1000000000L + ts.tv_nsec;
}

/// Asks `submit`'s pool for `wanted` helpers, waits briefly for them to join, and seals the
/// team; returns it (NULL for none) with the number that joined in *joined.
static lstm_team *lstm_team_gather(lstm_run *run, ember_submit_fn submit, int wanted, int *joined) {
    *joined = 0;
    if (wanted < 1 || !submit) return NULL;
    lstm_team *team = malloc(sizeof(lstm_team));
    if (!team) return NULL;
    atomic_init(&team->state, 0);
    atomic_init(&team->refs, 1 + wanted);
    atomic_init(&team->finished, 0);
    atomic_init(&team->waits.sleepers, 0);
    pthread_mutex_init(&team->waits.lock, NULL);
    pthread_cond_init(&team->waits.cond, NULL);
    team->run = run;
    run->waits = &team->waits;
    for (int i = 0; i < wanted; i++) submit(lstm_helper, team);
    const long deadline = lstm_nanoseconds() + LSTM_JOIN_NANOSECONDS;
    for (int round = 0; atomic_load(&team->state) < wanted; round++) {
        for (int spin = 0; spin < 32 && atomic_load(&team->state) < wanted; spin++) lstm_pause();
        if (lstm_nanoseconds() > deadline) break;
        if (round >= 64) sched_yield();
    }
    *joined = atomic_fetch_or(&team->state, LSTM_TEAM_SEALED) & (LSTM_TEAM_SEALED - 1);
    return team;
}

/// The start of worker w's share when `count` items are split in blocks of `block` among `workers`.
static long lstm_share_start(long count, long block, long w, long workers) {
    const long start = (count + block - 1) / block * w / workers * block;
    return start < count ? start : count;
}

/// Runs the workers of `run`: worker 0 on the calling thread, the others on threads of the
/// caller's pool (`submit`), as many as join within a short wait. With at least 16 batch rows
/// per worker the workers split the rows: forward, whole rows
/// through all steps with no meeting (measured 7.6 vs 8.1 ms for the `lstm` benchmark's
/// layer); backward, the rows for the recurrence and the hidden units for the weight and bias
/// gradients, meeting once per group of 8 steps (11.7-12.9 vs 12.5-13.4 ms for that layer fed
/// by an embedding, and less CPU time). Otherwise the hidden units and input features are split
/// in blocks of 16 and the workers meet once per step. One worker when a step is too small to
/// share (below 2^17 multiply-adds).
static int lstm_run_workers(lstm_run *run, long batch, long hidden, long input_size, int threads, ember_submit_fn submit) {
    long planned = threads < 1 ? 1 : threads;
    if (planned > 64) planned = 64;
    if (batch * (hidden + input_size) * 4 * hidden < (1L << 17)) planned = 1;
    const int split_rows = batch / planned >= 16;
    (void)isa_level();  // decided here, before any helper thread reads it
    const long limit = split_rows ? batch : (hidden + 15) / 16;
    if (planned > limit) planned = limit;
    atomic_init(&run->arrived, 0);
    atomic_init(&run->round, 0);
    atomic_init(&run->failed, 0);
    atomic_init(&run->go, 0);
    int joined;
    lstm_team *team = lstm_team_gather(run, submit, (int)planned - 1, &joined);
    const int started = 1 + joined;
    run->workers = started;
    // The split follows the planned count, not how many helpers came: the rows and the units
    // each give every value the same sums in the same order for any number of workers, so a
    // call's results are the same bits however busy the pool was (a resumed run depends on it).
    run->split_rows = split_rows && planned > 1;
    for (long w = 0; w < started; w++) {
        const int rows = run->split_rows;
        // Backward with the rows split still shares the units out, for the weight gradients.
        const int units = !rows || run->backward;
        run->row_lo[w] = rows ? lstm_share_start(batch, 1, w, started) : 0;
        run->row_hi[w] = rows ? lstm_share_start(batch, 1, w + 1, started) : batch;
        run->unit_lo[w] = units ? lstm_share_start(hidden, 16, w, started) : 0;
        run->unit_hi[w] = units ? lstm_share_start(hidden, 16, w + 1, started) : hidden;
        run->input_lo[w] = rows ? 0 : lstm_share_start(input_size, 16, w, started);
        run->input_hi[w] = rows ? input_size : lstm_share_start(input_size, 16, w + 1, started);
    }
    if (run->split_rows) {
        // Forward: [W_hh, W_ih] for all gate columns; backward: the columns of W_hh and W_ih
        // (4H rows each), padded to whole panels of any vector width.
        const long count = run->forward ? (4 * hidden + 15) / 16 * 16 * (hidden + input_size)
                                        : (hidden + input_size + 15) / 16 * 16 * 4 * hidden;
        run->shared_packed = lstm_alloc(count);
        if (!run->shared_packed) lstm_fail(run);
    }
    atomic_fetch_add(&run->go, 1);
    if (team) lstm_wake_all(&team->waits);
    lstm_worker(run, 0);
    if (team) {
        for (long done = atomic_load(&team->finished); done < joined; done = atomic_load(&team->finished))
            lstm_wait_change(&team->waits, &team->finished, done);
        lstm_team_release(team);
    }
    free(run->shared_packed);
    return atomic_load(&run->failed) ? -1 : 0;
}

int ember_lstm_forward_f32(const ember_lstm_forward_args *args) {
    lstm_run run = {0};
    run.forward = args;
    return lstm_run_workers(&run, args->layer.batch, args->layer.hidden, args->layer.input_size, args->threads, args->submit);
}

int ember_lstm_backward_f32(const ember_lstm_backward_args *args) {
    lstm_run run = {0};
    run.backward = args;
    int status = lstm_run_workers(&run, args->layer.batch, args->layer.hidden, args->layer.input_size, args->threads, args->submit);
    if (args->d_bias) {
        // Each worker summed its rows for its units; add the parts per unit.
        const long gw = 4 * args->layer.hidden;
        double *total = calloc((size_t)gw, sizeof(double));
        if (!total) status = -1;
        for (int w = 0; w < run.workers; w++) {
            const double *part = run.bias_parts[w];
            const long u0 = run.unit_lo[w], units = run.unit_hi[w] - u0;
            if (!part) continue;
            if (total)
                for (int q = 0; q < 4; q++)
                    for (long u = 0; u < units; u++) total[q * args->layer.hidden + u0 + u] += part[q * units + u];
            free(run.bias_parts[w]);
        }
        if (total) for (long j = 0; j < gw; j++) args->d_bias[j] = (float)total[j];
        free(total);
    }
    return status;
}
