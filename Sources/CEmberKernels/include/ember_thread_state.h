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
/// The modules whose forward this thread is running, outermost first, each with the file and
/// line it was called from (unretained pointers to the module and to the caller's static file
/// name; the depth keeps counting past the capacity, the entries beyond it are not kept), so a
/// failed check can name the layer it happened in and the user's line that ran it.
#define EMBER_SCOPE_CAPACITY 64
typedef struct {
    const void *scope;
    const unsigned char *file;
    long fileLength;
    unsigned long line;
} ember_scope_entry;
extern _Thread_local long ember_tls_scope_depth;
extern _Thread_local ember_scope_entry ember_tls_scopes[EMBER_SCOPE_CAPACITY];
static inline void ember_scope_push(const void *scope, const unsigned char *file, long fileLength, unsigned long line) {
    const long depth = ember_tls_scope_depth++;
    if (depth < EMBER_SCOPE_CAPACITY) {
        ember_scope_entry *entry = &ember_tls_scopes[depth];
        entry->scope = scope;
        entry->file = file;
        entry->fileLength = fileLength;
        entry->line = line;
    }
}
static inline void ember_scope_pop(void) { ember_tls_scope_depth--; }
static inline long ember_scope_depth(void) { return ember_tls_scope_depth; }
/// Entry `i` (0 = outermost), or an empty entry past the capacity.
static inline ember_scope_entry ember_scope_at(long i) {
    ember_scope_entry none = {0, 0, 0, 0};
    return i >= 0 && i < EMBER_SCOPE_CAPACITY ? ember_tls_scopes[i] : none;
}

static inline long ember_backward_depth(void) { return ember_tls_backward_depth; }
static inline void ember_set_backward_depth(long depth) { ember_tls_backward_depth = depth; }

#endif
