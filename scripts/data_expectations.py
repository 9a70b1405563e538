#!/usr/bin/python3
"""Prints the PyTorch 1.13 values that Tests/EmberDataTests hard-code.

Run: /usr/bin/python3 scripts/data_expectations.py
- DistributedSampler index lists (DistributedSamplerTests.swift)
- torch.randperm with a seeded generator (DistributedSamplerTests.swift)
- random_split lengths for fractions (DatasetTests.swift)
- Fashion-MNIST first labels and pixel sums (FashionMNISTTests.swift)
"""
import gzip
import torch
from torch.utils.data import DistributedSampler, random_split

class Sized:
    def __init__(self, n): self.n = n
    def __len__(self): return self.n

print("// DistributedSampler: (n, worldSize, shuffle, seed, dropLast, epoch) -> per-rank indices")
for n, w, shuffle, seed, drop, epoch in [
    (10, 3, False, 0, False, 0), (10, 3, False, 0, True, 0), (10, 4, True, 0, False, 0),
    (10, 4, True, 0, False, 1), (11, 3, True, 42, True, 0), (2, 4, False, 0, False, 0),
    (2, 5, True, 7, False, 3), (7, 2, True, 123, True, 5), (1, 3, False, 0, True, 0)]:
    per = []
    for r in range(w):
        s = DistributedSampler(Sized(n), num_replicas=w, rank=r, shuffle=shuffle, seed=seed, drop_last=drop)
        s.set_epoch(epoch)
        per.append(list(iter(s)))
    print(f"({n}, {w}, {str(shuffle).lower()}, {seed}, {str(drop).lower()}, {epoch}, {per}),")

print("// torch.randperm(n, generator=torch.Generator().manual_seed(seed))")
for n, seed in [(10, 0), (10, 42), (16, 2**32 + 3), (100, 5)]:
    g = torch.Generator(); g.manual_seed(seed)
    print(f"({n}, {seed}, {torch.randperm(n, generator=g).tolist()}),")

print("// random_split lengths for fractions")
for n, fr in [(10, [0.5, 0.5]), (10, [0.33, 0.33, 0.34]), (150, [0.7, 0.3]), (7, [0.1, 0.2, 0.3, 0.4]), (3, [0.2, 0.2, 0.2, 0.2, 0.2])]:
    parts = random_split(range(n), fr, generator=torch.Generator().manual_seed(0))
    print(f"({n}, {fr}, {[len(p) for p in parts]}),")

print("// Fashion-MNIST")
root = "/usr/share/datasets/fashion-mnist"
for split in ["train", "t10k"]:
    lab = gzip.open(f"{root}/{split}-labels-idx1-ubyte.gz").read()[8:]
    img = gzip.open(f"{root}/{split}-images-idx3-ubyte.gz").read()[16:]
    print(split, "labels", list(lab[:10]), "count", len(lab), "class counts", [lab.count(c) for c in range(10)])
    print(split, "image 0 byte sum", sum(img[:784]), "last image byte sum", sum(img[-784:]), "all bytes sum", sum(img))
    t = torch.tensor(list(img[:784]), dtype=torch.uint8).float().div(255)
    print(split, "image 0 float sum", t.sum().item(), "pixel [0,14,14]", t[14 * 28 + 14].item())
