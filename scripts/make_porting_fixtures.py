#!/usr/bin/env python3
"""PyTorch references for the ops a port needs (issue 16, part 3): rounding division and the
remainders, clamp with tensor bounds, amin/aminmax, tril/triu/diag/trace, normalize, cosine
similarity, cdist, einsum, isclose, unique, bincount, histc, searchsorted.

Writes Tests/Fixtures/porting.safetensors in the format and seeding of scripts/make_fixtures.py
(inputs, outputs and the gradients of (out * w).sum()). Run with Debian's PyTorch:

    /usr/bin/python3 scripts/make_porting_fixtures.py
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from make_fixtures import Family, ins, randn, away_from_zero, ROOT  # noqa: E402


def porting_family():
    f = Family("porting")

    # Rounding division and remainders (floats: gradients; integers: exact values).
    two = lambda: ins(a=randn(3, 4) * 3, b=away_from_zero(3, 4))  # noqa: E731
    f.case("div.floor", lambda a, b: torch.div(a, b, rounding_mode="floor"), two)
    f.case("div.trunc", lambda a, b: torch.div(a, b, rounding_mode="trunc"), two)
    f.case("remainder", torch.remainder, two)
    f.case("fmod", torch.fmod, two)
    f.case("remainder.bcast", torch.remainder, lambda: ins(a=randn(3, 4) * 3, b=away_from_zero(4)))
    ints = lambda: ins(a=torch.randint(-20, 20, (3, 5)), b=torch.tensor([3, -3, 7, -2, 5]))  # noqa: E731
    f.case("div.floor_int", lambda a, b: torch.div(a, b, rounding_mode="floor"), ints)
    f.case("div.trunc_int", lambda a, b: torch.div(a, b, rounding_mode="trunc"), ints)
    f.case("remainder.int", torch.remainder, ints)
    f.case("fmod.int", torch.fmod, ints)
    f.case("floor_divide.int", torch.floor_divide, ints)

    # Clamp with tensor bounds (some lo > hi, where max wins), clamp_min / clamp_max.
    def bounds():
        lo = randn(4, 5) - 0.5
        return ins(x=randn(4, 5) * 2, lo=lo, hi=lo + torch.rand(4, 5, dtype=torch.float64) * 2 - 0.3)
    f.case("clamp.tensors", lambda x, lo, hi: torch.clamp(x, min=lo, max=hi), bounds)
    f.case("clamp.bcast", lambda x, lo, hi: torch.clamp(x, min=lo, max=hi),
           lambda: ins(x=randn(4, 5) * 2, lo=randn(5) - 1, hi=randn(4, 1) + 1))
    f.case("clamp_min.tensor", torch.clamp_min, lambda: ins(x=randn(4, 5), m=randn(4, 5)))
    f.case("clamp_max.tensor", torch.clamp_max, lambda: ins(x=randn(4, 5), m=randn(5)))

    # amin with ties (the gradient is shared), aminmax.
    def ties():
        x = torch.randint(0, 3, (4, 6)).double()
        return ins(x=x)
    f.case("amin.ties", lambda x: torch.amin(x, dim=1), ties)
    f.case("amin.dims_keep", lambda x: torch.amin(x, dim=(0, 2), keepdim=True), lambda: ins(x=randn(3, 4, 5)))
    f.case("aminmax.dim", lambda x: torch.aminmax(x, dim=0), lambda: ins(x=randn(4, 5)), grads=[])  # no derivative in 1.13

    # Triangles, diagonals, trace (an infinity outside the kept triangle stays out of it).
    def with_inf():
        x = randn(2, 3, 4)
        x[0, 0, 3] = float("inf")
        return ins(x=x)
    f.case("tril", lambda x: torch.tril(x), with_inf)
    f.case("tril.k1", lambda x: torch.tril(x, 1), lambda: ins(x=randn(3, 4)))
    f.case("triu", lambda x: torch.triu(x), lambda: ins(x=randn(2, 3, 4)))
    f.case("triu.km1", lambda x: torch.triu(x, -1), lambda: ins(x=randn(4, 3)))
    f.case("diag.vector", lambda x: torch.diag(x), lambda: ins(x=randn(4)))
    f.case("diag.vector_k2", lambda x: torch.diag(x, 2), lambda: ins(x=randn(3)))
    f.case("diag.vector_km1", lambda x: torch.diag(x, -1), lambda: ins(x=randn(3)))
    f.case("diag.matrix", lambda x: torch.diag(x), lambda: ins(x=randn(3, 5)))
    f.case("diag.matrix_k1", lambda x: torch.diag(x, 1), lambda: ins(x=randn(4, 3)))
    f.case("diag.matrix_km2", lambda x: torch.diag(x, -2), lambda: ins(x=randn(4, 3)))
    f.case("trace", torch.trace, lambda: ins(x=randn(4, 3)))

    # Normalization and distances (a zero row, and a pair at distance 0).
    def rows_with_zero():
        x = randn(4, 5)
        x[2] = 0
        return ins(x=x)
    f.case("normalize", lambda x: F.normalize(x, dim=1), rows_with_zero)
    f.case("normalize.p1_dim0", lambda x: F.normalize(x, p=1, dim=0), lambda: ins(x=randn(4, 5)))
    f.case("cosine_similarity", lambda a, b: F.cosine_similarity(a, b, dim=1), lambda: ins(a=randn(4, 6), b=randn(4, 6)))
    f.case("cosine_similarity.bcast", lambda a, b: F.cosine_similarity(a, b, dim=-1), lambda: ins(a=randn(3, 1, 6), b=randn(5, 6)))

    def near_pairs():
        a, b = randn(4, 3), randn(5, 3)
        b[1] = a[2]
        return ins(a=a, b=b)
    f.case("cdist.p2", lambda a, b: torch.cdist(a, b), near_pairs)
    f.case("cdist.p1", lambda a, b: torch.cdist(a, b, p=1), lambda: ins(a=randn(4, 3), b=randn(5, 3)))
    f.case("cdist.batched_p3", lambda a, b: torch.cdist(a, b, p=3), lambda: ins(a=randn(2, 4, 3), b=randn(2, 5, 3)))

    # einsum: the common contractions.
    f.case("einsum.matmul", lambda a, b: torch.einsum("ij,jk->ik", a, b), lambda: ins(a=randn(3, 4), b=randn(4, 5)))
    f.case("einsum.bmm", lambda a, b: torch.einsum("bij,bjk->bik", a, b), lambda: ins(a=randn(2, 3, 4), b=randn(2, 4, 5)))
    f.case("einsum.transpose", lambda a: torch.einsum("ij->ji", a), lambda: ins(a=randn(3, 4)))
    f.case("einsum.dot", lambda a, b: torch.einsum("i,i->", a, b), lambda: ins(a=randn(5), b=randn(5)))
    f.case("einsum.outer", lambda a, b: torch.einsum("i,j->ij", a, b), lambda: ins(a=randn(3), b=randn(4)))
    f.case("einsum.attention", lambda q, k: torch.einsum("bhqd,bhkd->bhqk", q, k), lambda: ins(q=randn(2, 3, 4, 5), k=randn(2, 3, 6, 5)))
    f.case("einsum.sum_dim", lambda a: torch.einsum("ijk->j", a), lambda: ins(a=randn(2, 3, 4)))
    f.case("einsum.implicit", lambda a, b: torch.einsum("ij,jk", a, b), lambda: ins(a=randn(3, 4), b=randn(4, 2)))
    f.case("einsum.chain", lambda a, b, c: torch.einsum("ij,jk,kl->il", a, b, c), lambda: ins(a=randn(2, 3), b=randn(3, 4), c=randn(4, 5)))
    # einsum: diagonals of repeated labels, '...' (right-aligned, broadcast), size-1 broadcast.
    f.case("einsum.diagonal", lambda a: torch.einsum("ii->i", a), lambda: ins(a=randn(4, 4)))
    f.case("einsum.trace", lambda a: torch.einsum("ii", a), lambda: ins(a=randn(4, 4)))
    f.case("einsum.batch_diagonal", lambda a: torch.einsum("bii->bi", a), lambda: ins(a=randn(2, 3, 3)))
    f.case("einsum.diagonal_contract", lambda a, b: torch.einsum("iij,jk->ik", a, b), lambda: ins(a=randn(3, 3, 4), b=randn(4, 2)))
    f.case("einsum.ellipsis_matmul", lambda a, b: torch.einsum("...ij,...jk->...ik", a, b), lambda: ins(a=randn(2, 3, 4), b=randn(2, 4, 5)))
    f.case("einsum.ellipsis_broadcast", lambda a, b: torch.einsum("...ij,...jk->...ik", a, b), lambda: ins(a=randn(2, 1, 3, 4), b=randn(5, 4, 2)))
    f.case("einsum.ellipsis_implicit", lambda a, b: torch.einsum("...i,i", a, b), lambda: ins(a=randn(2, 3, 4), b=randn(4)))
    f.case("einsum.ellipsis_summed", lambda a: torch.einsum("...ij->j", a), lambda: ins(a=randn(2, 3, 4)))
    f.case("einsum.ellipsis_middle", lambda a, b: torch.einsum("ij...,jk->ik...", a, b), lambda: ins(a=randn(3, 4, 2), b=randn(4, 5)))
    f.case("einsum.size1_broadcast", lambda a, b: torch.einsum("bij,j->bi", a, b), lambda: ins(a=randn(2, 3, 4), b=randn(1)))
    f.case("einsum.bilinear", lambda x, weight, y: torch.einsum("bi,oij,bj->bo", x, weight, y), lambda: ins(x=randn(3, 4), weight=randn(2, 4, 5), y=randn(3, 5)))

    # Comparing, counting, searching (values only).
    def closeness():
        a = randn(12)
        b = a.clone()
        b[0:4] += torch.tensor([1e-9, 1e-3, -1e-7, 5e-6], dtype=torch.float64)
        a[4], b[4] = float("inf"), float("inf")
        a[5], b[5] = float("nan"), float("nan")
        a[6], b[6] = float("inf"), float("-inf")
        return ins(a=a, b=b)
    f.case("isclose", lambda a, b: torch.isclose(a, b), closeness, grads=[])
    f.case("isclose.nan_loose", lambda a, b: torch.isclose(a, b, rtol=1e-3, atol=0, equal_nan=True), closeness, grads=[])
    f.case("unique", lambda x: torch.unique(x, return_inverse=True, return_counts=True),
           lambda: ins(x=torch.randint(0, 5, (3, 4)).double()), grads=[])
    f.case("bincount", lambda x: torch.bincount(x, minlength=8), lambda: ins(x=torch.randint(0, 6, (20,))))
    f.case("bincount.weights", lambda x, w: torch.bincount(x, weights=w),
           lambda: ins(x=torch.randint(0, 6, (20,)), weights=randn(20)), grads=[])
    f.case("histc", lambda x: torch.histc(x, bins=7, min=-2, max=2), lambda: ins(x=randn(50)), grads=[])
    f.case("histc.range", lambda x: torch.histc(x, bins=5), lambda: ins(x=randn(30)), grads=[])
    f.case("searchsorted", lambda s, v: torch.searchsorted(s, v),
           lambda: ins(s=torch.tensor([1.0, 2.0, 2.0, 4.0, 7.0], dtype=torch.float64), v=torch.tensor([[0.5, 2.0], [4.0, 9.0]], dtype=torch.float64)), grads=[])
    f.case("searchsorted.right_rows", lambda s, v: torch.searchsorted(s, v, right=True),
           lambda: ins(s=torch.sort(randn(3, 6), dim=1).values, v=randn(3, 4)), grads=[])
    return f


def main():
    path, n = porting_family().write()
    print(f"{os.path.relpath(path, ROOT)}: {n} cases, {os.path.getsize(path)} bytes")


if __name__ == "__main__":
    main()
