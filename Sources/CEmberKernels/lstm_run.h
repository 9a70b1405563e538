// The state that the worker threads of one LSTM recurrence call share (lstm_impl.inc holds
// the per-instruction-set workers, ember_kernels.c borrows their threads from the caller's pool).
#ifndef EMBER_LSTM_RUN_H
#define EMBER_LSTM_RUN_H
#include "ember_kernels.h"
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>

/// Where threads that waited past their spin sleep: waiters count themselves in `sleepers`
/// before taking the lock, and a thread that changed a watched word wakes them only when
/// that count is non-zero (so a step whose partner arrived while spinning makes no call).
typedef struct {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    _Atomic int sleepers;
} lstm_waitset;

/// Pause instructions a waiter spins through before it sleeps: tens of microseconds, longer
/// than a step of the `lstm` benchmark takes, so the meetings between steps seldom sleep.
#define LSTM_SPINS 4000

static inline void lstm_pause(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

/// Waits until `*word` differs from `seen`: spins, then sleeps on `ws` (idle threads block).
static inline void lstm_wait_change(lstm_waitset *ws, _Atomic long *word, long seen) {
    for (int spins = 0; spins < LSTM_SPINS; spins++) {
        if (atomic_load_explicit(word, memory_order_acquire) != seen) return;
        lstm_pause();
    }
    atomic_fetch_add(&ws->sleepers, 1);
    pthread_mutex_lock(&ws->lock);
    while (atomic_load(word) == seen) pthread_cond_wait(&ws->cond, &ws->lock);
    pthread_mutex_unlock(&ws->lock);
    atomic_fetch_sub(&ws->sleepers, 1);
}

/// Wakes the sleepers of `ws` after a watched word changed (the change made sequentially
/// consistent, as `atomic_fetch_add` does, so that a sleeper either sees it or is counted).
static inline void lstm_wake_all(lstm_waitset *ws) {
    if (atomic_load(&ws->sleepers) == 0) return;
    pthread_mutex_lock(&ws->lock);
    pthread_cond_broadcast(&ws->cond);
    pthread_mutex_unlock(&ws->lock);
}

/// One call of the LSTM recurrence.
typedef struct {
    const ember_lstm_forward_args *forward;   // exactly one of forward and backward is set
    const ember_lstm_backward_args *backward;
    int workers;
    /// 1 when the workers split the batch rows (each runs whole rows through all steps: forward
    /// they never meet, backward once per group of steps), 0 when they split the hidden units
    /// (and meet once per step).
    int split_rows;
    /// Worker w owns rows row_lo[w] ..< row_hi[w], hidden units unit_lo[w] ..< unit_hi[w], and
    /// backward the input features input_lo[w] ..< input_hi[w] (either the rows are split
    /// and the units and features whole, or the other way round; backward with the rows split
    /// still splits the units, whose weight and bias gradients each worker forms).
    long row_lo[64], row_hi[64], unit_lo[64], unit_hi[64], input_lo[64], input_hi[64];
    /// Backward: worker w's bias gradient (float64, its units' four gates, gate-major).
    double *bias_parts[64];
    /// A reusable barrier: arrivals in this round, and the round number.
    _Atomic int arrived;
    _Atomic long round;
    /// Set when a worker could not allocate its buffers; read after a barrier.
    _Atomic int failed;
    /// Set to 1 once `workers` and the ranges are final; helper threads wait for it.
    _Atomic long go;
    /// Where the barrier and `go` sleep (the helpers' team's; unused with one worker).
    lstm_waitset *waits;
    /// With the rows split, the packed weights all workers read: forward `[ceil(4H/16)·16,
    /// H + I]` floats, backward `[ceil((H + I)/16)·16, 4H]` (enough for any vector width).
    float *shared_packed;
} lstm_run;

/// Waits until every worker of `run` has arrived: spins briefly (a step takes tens of
/// microseconds), then sleeps until the last one arrives.
static inline void lstm_barrier_wait(lstm_run *run) {
    if (run->workers == 1) return;
    const long round = atomic_load_explicit(&run->round, memory_order_acquire);
    if (atomic_fetch_add_explicit(&run->arrived, 1, memory_order_acq_rel) == run->workers - 1) {
        atomic_store_explicit(&run->arrived, 0, memory_order_relaxed);
        atomic_fetch_add(&run->round, 1);
        lstm_wake_all(run->waits);
        return;
    }
    lstm_wait_change(run->waits, &run->round, round);
}

/// Where the workers meet between steps when they split the units (every worker needs all
/// of the previous step's units); nothing when they split the rows.
static inline void lstm_step_barrier(lstm_run *run) {
    if (!run->split_rows) lstm_barrier_wait(run);
}

/// Marks the run as failed (a worker is out of memory); the others see it after a barrier.
static inline void lstm_fail(lstm_run *run) { atomic_store(&run->failed, 1); }

/// `count` floats aligned to a cache line, or NULL.
static inline float *lstm_alloc(long count) {
    size_t bytes = ((size_t)(count > 0 ? count : 1) * sizeof(float) + 63) & ~(size_t)63;
    return aligned_alloc(64, bytes);
}

#endif
