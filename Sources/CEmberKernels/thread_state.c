#include "ember_thread_state.h"

_Thread_local long ember_tls_grad_disabled_depth = 0;
_Thread_local long ember_tls_anomaly_depth = 0;
_Thread_local long ember_tls_backward_depth = 0;
_Thread_local long ember_tls_scope_depth = 0;
_Thread_local ember_scope_entry ember_tls_scopes[EMBER_SCOPE_CAPACITY];
