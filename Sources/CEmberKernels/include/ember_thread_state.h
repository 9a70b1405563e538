#ifndef EMBER_THREAD_STATE_H
#define EMBER_THREAD_STATE_H
// Per-thread autograd switches (no-grad depth, anomaly-detection depth, whether this thread is
// inside a backward pass) as C thread-locals:
// Swift has no thread-local storage of its own, and these are read by every op, so they
// must cost a load, not a pthread_getspecific call.

extern _Thread_local long ember_tls_grad_disabled_depth;
extern _Thread_local long ember_tls_anomaly_depth;
extern _Thread_local long ember_tls_backward_depth;

static inline long ember_grad_disabled_depth(void) { return ember_tls_grad_disabled_depth; }
static inline void ember_set_grad_disabled_depth(long depth) { ember_tls_grad_disabled_depth = depth; }
static inline long ember_anomaly_depth(void) { return ember_tls_anomaly_depth; }
static inline void ember_set_anomaly_depth(long depth) { ember_tls_anomaly_depth = depth; }
static inline long ember_backward_depth(void) { return ember_tls_backward_depth; }
static inline void ember_set_backward_depth(long depth) { ember_tls_backward_depth = depth; }

#endif
