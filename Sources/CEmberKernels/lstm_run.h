// The state that the worker threads of one LSTM recurrence call share (lstm_impl.inc holds
// the per-instruction-set workers, ember_kernels.c starts them).
#ifndef EMBER_LSTM_RUN_H
#define EMBER_LSTM_RUN_H
#include "ember_kernels.h"
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>

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
    /// Set once `workers` and the ranges are final; helper threads wait for it.
    _Atomic int go;
    /// With the rows split, the packed weights all workers read: forward `[ceil(4H/16)·16,
    /// H + I]` floats, backward `[ceil((H + I)/16)·16, 4H]` (enough for any vector width).
    float *shared_packed;
} lstm_run;

/// Waits until every worker of `run` has arrived: spins briefly (a step takes tens of
/// microseconds), then yields the core so that a descheduled worker can catch up.
static inline void lstm_barrier_wait(lstm_run *run) {
    if (run->workers == 1) return;
    const long round = atomic_load_explicit(&run->round, memory_order_acquire);
    if (atomic_fetch_add_explicit(&run->arrived, 1, memory_order_acq_rel) == run->workers - 1) {
        atomic_store_explicit(&run->arrived, 0, memory_order_relaxed);
        atomic_fetch_add_explicit(&run->round, 1, memory_order_release);
        return;
    }
    for (long spins = 0; atomic_load_explicit(&run->round, memory_order_acquire) == round; spins++) {
        if (spins < 4000) {
#if defined(__x86_64__)
            __builtin_ia32_pause();
#endif
        } else {
            sched_yield();
        }
    }
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
