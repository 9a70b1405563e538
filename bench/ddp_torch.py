"""PyTorch 1.13 DDP with Gloo: the same training step as `EmberDistributedBench ddp mlp|cnn`
(Adam, per-rank batch 64, synthetic inputs, one compute thread per rank), launched by mpirun:
    mpirun -np 2 --bind-to none python3 bench/ddp_torch.py mlp
"""
import os
import sys
import time

import torch
import torch.distributed as dist
import torch.nn as nn
import torch.nn.functional as F

from fashion_cnn import FashionCNN as CNN


def main():
    kind = sys.argv[1] if len(sys.argv) > 1 else "mlp"
    rank = int(os.environ["OMPI_COMM_WORLD_RANK"])
    world = int(os.environ["OMPI_COMM_WORLD_SIZE"])
    torch.set_num_threads(1)
    dist.init_process_group("gloo", init_method="tcp://127.0.0.1:29533", rank=rank, world_size=world)
    torch.manual_seed(0)
    if kind == "cnn":
        model, x, steps = CNN(), torch.randn(64, 1, 28, 28), 20
    else:
        model = nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 256), nn.ReLU(), nn.Linear(256, 10))
        x, steps = torch.randn(64, 784), 60
    y = torch.randint(0, 10, (64,))
    ddp = nn.parallel.DistributedDataParallel(model)
    optimizer = torch.optim.Adam(ddp.parameters(), lr=1e-3)

    def step():
        optimizer.zero_grad()
        F.cross_entropy(ddp(x), y).backward()
        optimizer.step()

    for _ in range(5):
        step()
    dist.barrier()
    start = time.perf_counter()
    for _ in range(steps):
        step()
    dist.barrier()
    seconds = (time.perf_counter() - start) / steps
    if rank == 0:
        print(f"torch ddp {kind} gloo ranks={world} global_batch={64 * world} step_ms={seconds * 1e3:.2f} samples_per_s={64 * world / seconds:.0f}")
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
