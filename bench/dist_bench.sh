#!/bin/sh
# The distributed benchmarks of bench/RESULTS.md, on this machine, 2 ranks:
#   allreduce: Open MPI's MPI_Allreduce from C vs ProcessGroup.allReduce and allReduceInFixedOrder,
#              and the two interleaved in one process (MPI_Allreduce called directly, same buffer)
#   ddp: a DDP training step (MLP, CNN) in Ember vs PyTorch 1.13 DDP with Gloo, 1 thread per rank
# Usage: sh bench/dist_bench.sh [repeats]   (after `swift build -c release -Xswiftc -enable-testing`)
set -e
repeats=${1:-3}
bin=.build/release
mpirun="mpirun --allow-run-as-root --bind-to none --mca btl_vader_single_copy_mechanism none -np 2"
mpicc -O2 -o /tmp/ember_mpi_allreduce bench/mpi_allreduce.c
for i in $(seq "$repeats"); do
    $mpirun --mca mpi_yield_when_idle 1 /tmp/ember_mpi_allreduce
    $mpirun $bin/EmberDistributedBench allreduce
    $mpirun $bin/EmberDistributedBench interleaved
done
for i in $(seq "$repeats"); do
    for model in mlp cnn; do
        $mpirun $bin/EmberDistributedBench ddp $model
        if /usr/bin/python3 -c "import torch" 2>/dev/null; then $mpirun /usr/bin/python3 bench/ddp_torch.py $model; fi
    done
done
