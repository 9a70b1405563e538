/* Open MPI's own MPI_Allreduce from C: the baseline for EmberDistributedBench's allreduce sweep.
 * Same sizes, same iteration counts, same in-place float32 sum, timed the same way.
 *   mpicc -O2 -o /tmp/mpi_allreduce bench/mpi_allreduce.c
 *   mpirun -np 2 --bind-to none /tmp/mpi_allreduce                                          */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    int rank, n;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &n);
    for (long bytes = 1024; bytes <= 64L << 20; bytes *= 4) {
        long count = bytes / 4;
        float *buf = aligned_alloc(64, bytes);
        for (long i = 0; i < count; i++) buf[i] = 1.0f;
        long iters = (256L << 20) / bytes;
        if (iters > 1000) iters = 1000;
        if (iters < 5) iters = 5;
        for (int w = 0; w < 3; w++) MPI_Allreduce(MPI_IN_PLACE, buf, (int)count, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
        MPI_Barrier(MPI_COMM_WORLD);
        double t0 = MPI_Wtime();
        for (long it = 0; it < iters; it++) MPI_Allreduce(MPI_IN_PLACE, buf, (int)count, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
        double seconds = (MPI_Wtime() - t0) / iters;
        double busbw = bytes * 2.0 * (n - 1) / n / seconds / 1e9;
        if (rank == 0) printf("c-mpi allreduce bytes=%ld us=%.2f busbw_GBps=%.3f\n", bytes, seconds * 1e6, busbw);
        free(buf);
    }
    MPI_Finalize();
    return 0;
}
