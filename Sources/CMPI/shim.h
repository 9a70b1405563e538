// MPI from Debian's Open MPI (libopenmpi-dev; pkg-config ompi-c). Open MPI's predefined handles
// (MPI_COMM_WORLD, MPI_FLOAT, MPI_SUM, ...) are macros over the addresses of global objects,
// which Swift cannot import; these inline functions hand them over.
#include <mpi.h>

static inline MPI_Comm ember_mpi_comm_world(void) { return MPI_COMM_WORLD; }
static inline MPI_Datatype ember_mpi_float(void) { return MPI_FLOAT; }
static inline MPI_Datatype ember_mpi_double(void) { return MPI_DOUBLE; }
static inline MPI_Datatype ember_mpi_byte(void) { return MPI_BYTE; }
static inline MPI_Datatype ember_mpi_int64(void) { return MPI_INT64_T; }
static inline MPI_Op ember_mpi_sum(void) { return MPI_SUM; }
static inline MPI_Op ember_mpi_max(void) { return MPI_MAX; }
static inline MPI_Errhandler ember_mpi_errors_return(void) { return MPI_ERRORS_RETURN; }
static inline int ember_mpi_thread_multiple(void) { return MPI_THREAD_MULTIPLE; }
static inline int ember_mpi_max_error_string(void) { return MPI_MAX_ERROR_STRING; }
static inline void *ember_mpi_in_place(void) { return MPI_IN_PLACE; }
