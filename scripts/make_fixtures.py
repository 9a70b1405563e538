#!/usr/bin/python3
"""Regenerates Ember's PyTorch reference fixtures in Tests/Fixtures/.

How to run (from the repository root, with Debian's PyTorch 1.13):

    /usr/bin/python3 scripts/make_fixtures.py

Each op family is written to one safetensors file, `Tests/Fixtures/<family>.safetensors`.
A case named e.g. `add.bcast` in family `binary` stores:

    add.bcast.<input>       every input, as created (leaf tensors)
    add.bcast.out           the op's first output (`out1`, `out2`, ... for further outputs,
                            e.g. the indices of `max(dim=)`)
    add.bcast.w             a fixed random weight with out's shape (differentiable cases)
    add.bcast.grad_<input>  d/d input of `(out * w).sum()` for each differentiable input

The `grad2` family checks second derivatives instead: each case also stores `v_<input>` and
`grad2_<input>`, the gradient of `sum_k (grad_k * v_k).sum()` with the first gradients taken
with `create_graph=True`.

The file's `__metadata__` holds `cases`: a JSON object mapping each case name to its
`inputs` (in the order the Swift test passes them to the op), `grads` (the inputs that
require grad) and `outputs` (how many outputs were stored). The Swift tests in
Tests/EmberTests/*AgainstPyTorchTests.swift run the same op on the stored inputs and check
outputs and gradients; their case tables must name exactly the cases written here.

Determinism: every case seeds torch's generator from a CRC32 of its own name, so adding or
reordering cases never changes another case's data, and the files come out byte for byte the
same on every run. Inputs are float64 unless the case name ends in `.f32` (or is a cast
case), so comparisons can be tight. The safetensors writer is the format itself (8-byte
little-endian header length, JSON header padded with spaces to a multiple of 8, then the raw
little-endian bytes), with keys and tensors in sorted order.
"""

import json
import os
import struct
import zlib

import torch
import torch.nn.functional as F

torch.set_num_threads(1)
torch.set_default_dtype(torch.float64)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT_DIR = os.path.join(ROOT, "Tests", "Fixtures")

DTYPE_CODES = {
    torch.float64: "F64",
    torch.float32: "F32",
    torch.float16: "F16",
    torch.bfloat16: "BF16",
    torch.int64: "I64",
    torch.int32: "I32",
    torch.uint8: "U8",
    torch.bool: "BOOL",
}


def tensor_bytes(t):
    """Raw little-endian bytes of a tensor in row-major order."""
    t = t.detach().contiguous()
    if t.dtype in (torch.float16, torch.bfloat16):
        t = t.view(torch.int16)
    data = t.numpy().tobytes()
    assert len(data) == t.numel() * t.element_size()
    return data


def write_safetensors(path, tensors, metadata):
    """Writes `tensors` (name -> tensor) and string `metadata` as a safetensors file."""
    header = {"__metadata__": metadata}
    blobs = []
    offset = 0
    for name in sorted(tensors):
        t = tensors[name]
        data = tensor_bytes(t)
        header[name] = {
            "dtype": DTYPE_CODES[t.dtype],
            "shape": list(t.shape),
            "data_offsets": [offset, offset + len(data)],
        }
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, sort_keys=True, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)
    os.replace(tmp, path)


class Family:
    """Collects the cases of one op family and writes them to one file."""

    def __init__(self, name):
        self.name = name
        self.tensors = {}
        self.cases = {}

    def case(self, name, fn, make_inputs, grads=None):
        """Adds a case: `make_inputs()` returns an ordered dict of leaf inputs (called after
        seeding), `fn(*inputs)` returns a tensor or a tuple of tensors. `grads` lists the
        differentiable inputs (default: every floating-point input)."""
        assert name not in self.cases, name
        torch.manual_seed(zlib.crc32(f"{self.name}.{name}".encode()))
        inputs = make_inputs()
        if grads is None:
            grads = [k for k, v in inputs.items() if v.is_floating_point()]
        leaves = {}
        for k, v in inputs.items():
            leaf = v.detach().clone()
            if k in grads:
                leaf.requires_grad_(True)
            leaves[k] = leaf
            self.tensors[f"{name}.{k}"] = v.detach().clone()
        result = fn(*leaves.values())
        outs = list(result) if isinstance(result, (tuple, list)) else [result]
        for i, o in enumerate(outs):
            self.tensors[f"{name}.out" + (str(i) if i else "")] = o.detach().clone()
        if grads:
            out = outs[0]
            assert out.is_floating_point(), name
            g = torch.Generator().manual_seed(zlib.crc32(f"{self.name}.{name}.w".encode()))
            w = torch.randn(out.shape, generator=g, dtype=torch.float64).to(out.dtype)
            (out * w).sum().backward()
            self.tensors[f"{name}.w"] = w
            for k in grads:
                gr = leaves[k].grad
                if gr is None:
                    gr = torch.zeros_like(leaves[k])
                self.tensors[f"{name}.grad_{k}"] = gr.detach().clone()
        self.cases[name] = {"inputs": list(inputs), "grads": list(grads), "outputs": len(outs)}

    def case2(self, name, fn, make_inputs):
        """Adds a second-order case: every (floating) input requires grad; stores the first
        gradients `grad_<input>` of `(out * w).sum()` (taken with create_graph) and the
        gradients `grad2_<input>` of `sum_k (grad_k * v_k).sum()` for fixed random `v_<input>`."""
        assert name not in self.cases, name
        torch.manual_seed(zlib.crc32(f"{self.name}.{name}".encode()))
        inputs = make_inputs()
        leaves = [v.detach().clone().requires_grad_(True) for v in inputs.values()]
        for k, v in inputs.items():
            self.tensors[f"{name}.{k}"] = v.detach().clone()
        out = fn(*leaves)
        self.tensors[f"{name}.out"] = out.detach().clone()
        g = torch.Generator().manual_seed(zlib.crc32(f"{self.name}.{name}.w".encode()))
        w = torch.randn(out.shape, generator=g, dtype=torch.float64).to(out.dtype)
        grads = torch.autograd.grad((out * w).sum(), leaves, create_graph=True)
        total = 0
        for k, gr in zip(inputs, grads):
            v = torch.randn(gr.shape, generator=g, dtype=torch.float64).to(gr.dtype)
            self.tensors[f"{name}.v_{k}"] = v
            self.tensors[f"{name}.grad_{k}"] = gr.detach().clone()
            total = total + (gr * v).sum()
        total.backward()
        self.tensors[f"{name}.w"] = w
        for k, leaf in zip(inputs, leaves):
            gr = leaf.grad if leaf.grad is not None else torch.zeros_like(leaf)
            self.tensors[f"{name}.grad2_{k}"] = gr.detach().clone()
        self.cases[name] = {"inputs": list(inputs), "grads": list(inputs), "outputs": 1}

    def write(self):
        meta = {
            "family": self.name,
            "generator": "scripts/make_fixtures.py",
            "torch": torch.__version__,
            "cases": json.dumps(self.cases, sort_keys=True, separators=(",", ":")),
        }
        path = os.path.join(OUT_DIR, f"{self.name}.safetensors")
        write_safetensors(path, self.tensors, meta)
        return path, len(self.cases)


# Input makers. All float64 unless a dtype is given.
def randn(*shape, dtype=torch.float64):
    return torch.randn(*shape, dtype=torch.float64).to(dtype)


def positive(*shape, dtype=torch.float64):
    """Values in [0.5, 2.5): safe for log, sqrt, division."""
    return (torch.rand(*shape, dtype=torch.float64) * 2 + 0.5).to(dtype)


def away_from_zero(*shape, dtype=torch.float64):
    """Either sign, magnitude in [0.5, 2): safe divisors."""
    sign = torch.where(torch.rand(*shape) < 0.5, -1.0, 1.0)
    return (sign * (torch.rand(*shape) * 1.5 + 0.5)).to(dtype)


def ins(**kw):
    return dict(kw)


def binary_family():
    f = Family("binary")
    ops = {"add": torch.add, "sub": torch.sub, "mul": torch.mul, "div": torch.div}
    for name, op in ops.items():
        divisor = away_from_zero if name == "div" else randn
        f.case(f"{name}.bcast", op, lambda: ins(a=randn(3, 1, 4), b=divisor(2, 4)))
        f.case(f"{name}.scalar_lhs", op, lambda: ins(a=randn(()), b=divisor(3, 4)))
        f.case(f"{name}.scalar_rhs", op, lambda: ins(a=randn(3, 4), b=divisor(())))
        f.case(f"{name}.transposed", lambda at, b, op=op: op(at.t(), b), lambda: ins(at=randn(4, 3), b=divisor(3, 4)))
        f.case(f"{name}.f32", op, lambda: ins(a=randn(2, 3, 4, dtype=torch.float32), b=divisor(3, 1, dtype=torch.float32)))
    f.case("add.alpha", lambda a, b: torch.add(a, b, alpha=2.5), lambda: ins(a=randn(3, 4), b=randn(4)))
    f.case("sub.alpha", lambda a, b: torch.sub(a, b, alpha=-0.5), lambda: ins(a=randn(3, 4), b=randn(3, 4)))
    f.case("scalar.add", lambda x: x + 1.25, lambda: ins(x=randn(3, 4)))
    f.case("scalar.rsub", lambda x: 2.0 - x, lambda: ins(x=randn(3, 4)))
    f.case("scalar.mul", lambda x: x * -3.5, lambda: ins(x=randn(3, 4)))
    f.case("scalar.rdiv", lambda x: 2.0 / x, lambda: ins(x=away_from_zero(3, 4)))
    f.case("scalar.div", lambda x: x / 4.0, lambda: ins(x=randn(3, 4)))
    f.case("pow.tensor", torch.pow, lambda: ins(a=positive(3, 4), b=randn(3, 4)))
    f.case("pow.bcast", torch.pow, lambda: ins(a=positive(3, 4), b=randn(4)))
    f.case("pow.scalar3", lambda x: x.pow(3.0), lambda: ins(x=randn(3, 4)))
    f.case("pow.scalar_half", lambda x: x.pow(0.5), lambda: ins(x=positive(3, 4)))
    f.case("pow.scalar_neg", lambda x: x.pow(-1.5), lambda: ins(x=positive(3, 4)))
    f.case("pow.zero_base", torch.pow,
           lambda: ins(a=torch.tensor([0.0, 0.0, 0.0, 1.5, 2.0, 0.5]), b=torch.tensor([0.0, 2.0, 1.0, 0.0, 3.0, -1.0])))
    for name, op in (("maximum", torch.maximum), ("minimum", torch.minimum)):
        f.case(f"{name}.bcast", op, lambda: ins(a=randn(3, 1, 4), b=randn(2, 4)))

        def ties():
            a = randn(3, 4)
            b = randn(3, 4)
            b[0] = a[0]
            b[2, 1] = a[2, 1]
            return ins(a=a, b=b)
        f.case(f"{name}.ties", op, ties)
    return f


def unary_family():
    f = Family("unary")

    def spread(dtype=torch.float64):
        """[3, 5] values in about [-3, 3] including exact 0, ±0.5 and ±1."""
        x = randn(3, 5, dtype=torch.float64) * 1.5
        x[0, :5] = torch.tensor([0.0, 0.5, -0.5, 1.0, -1.0])
        return x.to(dtype)

    ops = {
        "neg": torch.neg, "abs": torch.abs, "exp": torch.exp, "sin": torch.sin, "cos": torch.cos,
        "tanh": torch.tanh, "sigmoid": torch.sigmoid, "relu": torch.relu,
        "leaky_relu": lambda x: F.leaky_relu(x, 0.1), "elu": F.elu, "gelu": F.gelu,
        "gelu_tanh": lambda x: F.gelu(x, approximate="tanh"), "silu": F.silu, "softplus": F.softplus,
        "clamp": lambda x: torch.clamp(x, -0.5, 0.5), "square": torch.square, "erf": torch.erf,
        "expm1": torch.expm1,
    }
    positive_ops = {"log": torch.log, "log1p": torch.log1p, "sqrt": torch.sqrt, "rsqrt": torch.rsqrt,
                    "reciprocal": torch.reciprocal}
    for name, op in ops.items():
        f.case(name, op, lambda: ins(x=spread()))
    for name, op in positive_ops.items():
        f.case(name, op, lambda: ins(x=positive(3, 5)))
    f.case("log1p.small", torch.log1p, lambda: ins(x=torch.tensor([1e-10, -1e-12, 3e-8, 0.0])))
    f.case("expm1.small", torch.expm1, lambda: ins(x=torch.tensor([1e-10, -1e-12, 3e-8, 0.0])))

    def wide():
        x = randn(4, 6) * 10
        x[0, :4] = torch.tensor([25.0, -25.0, 19.5, 20.5])
        return ins(x=x)
    f.case("softplus.wide", F.softplus, wide)
    f.case("sigmoid.wide", torch.sigmoid, wide)
    f.case("tanh.wide", torch.tanh, wide)
    f.case("exp.wide", torch.exp, wide)
    # float32: long enough rows (40) for the SIMD exp and vector loops.
    f32_ops = {"exp": torch.exp, "tanh": torch.tanh, "sigmoid": torch.sigmoid, "gelu": F.gelu,
               "silu": F.silu, "softplus": F.softplus, "erf": torch.erf, "relu": torch.relu}
    for name, op in f32_ops.items():
        f.case(f"{name}.f32", op, lambda: ins(x=randn(3, 40, dtype=torch.float32) * 2))
    f.case("log.f32", torch.log, lambda: ins(x=positive(3, 40, dtype=torch.float32)))
    f.case("sqrt.f32", torch.sqrt, lambda: ins(x=positive(3, 40, dtype=torch.float32)))
    f.case("exp.transposed", lambda xt: torch.exp(xt.t()), lambda: ins(xt=randn(5, 3)))
    f.case("exp.f32_transposed", lambda xt: torch.exp(xt.t()), lambda: ins(xt=randn(40, 3, dtype=torch.float32)))
    return f


def reduce_family():
    f = Family("reduce")
    x345 = lambda: ins(x=randn(3, 4, 5))
    f.case("sum.all", lambda x: x.sum(), x345)
    f.case("sum.dim1_keep", lambda x: x.sum(1, keepdim=True), x345)
    f.case("sum.dims02", lambda x: x.sum((0, 2)), x345)
    f.case("sum.dim0", lambda x: x.sum(0), x345)
    f.case("sum.dim_neg1", lambda x: x.sum(-1), x345)
    f.case("sum.transposed", lambda x: x.transpose(0, 2).sum(1), x345)
    f.case("sum.f32", lambda x: x.sum(), lambda: ins(x=randn(7, 50, dtype=torch.float32)))
    f.case("sum.f32_dim1", lambda x: x.sum(1), lambda: ins(x=randn(7, 50, dtype=torch.float32)))
    f.case("mean.all", lambda x: x.mean(), x345)
    f.case("mean.dim1_keep", lambda x: x.mean(1, keepdim=True), x345)
    f.case("mean.dims02", lambda x: x.mean((0, 2)), x345)
    f.case("mean.f32", lambda x: x.mean(-1), lambda: ins(x=randn(4, 30, dtype=torch.float32)))
    near_one = lambda: ins(x=away_from_zero(3, 4))
    f.case("prod.dim1", lambda x: x.prod(1), near_one)
    f.case("prod.dim0_keep", lambda x: x.prod(0, keepdim=True), near_one)
    f.case("prod.all", lambda x: x.prod(), near_one)

    def with_zeros():
        x = away_from_zero(4, 3)
        x[1, 0] = 0.0  # one zero in row 1
        x[2, 0] = 0.0  # two zeros in row 2
        x[2, 2] = 0.0
        return ins(x=x)
    f.case("prod.zeros", lambda x: x.prod(1), with_zeros)
    for name in ("max", "min"):
        f.case(f"{name}.dim1", lambda x, n=name: getattr(x, n)(1), x345)
        f.case(f"{name}.dim0_keep", lambda x, n=name: getattr(x, n)(0, keepdim=True), x345)
        f.case(f"{name}.dim_neg1", lambda x, n=name: getattr(x, n)(-1), x345)
        f.case(f"{name}.all", lambda x, n=name: getattr(x, n)(), x345)

        def ties(n=name):
            x = randn(3, 4)
            x[1, 1] = x[2, 3] = (x.max() + 1) if n == "max" else (x.min() - 1)
            return ins(x=x)
        f.case(f"{name}.all_ties", lambda x, n=name: getattr(x, n)(), ties)
    f.case("amax.dim1", lambda x: x.amax(1), x345)
    f.case("amax.dims02_keep", lambda x: x.amax((0, 2), keepdim=True), x345)

    def amax_ties():
        x = torch.tensor([[1.0, 3.0, 3.0, 0.0], [2.0, 2.0, 2.0, 2.0], [-1.0, 5.0, 0.0, 5.0]])
        return ins(x=x)
    f.case("amax.ties", lambda x: x.amax(1), amax_ties)
    for corr in (0, 1):
        f.case(f"var.dim1_c{corr}", lambda x, c=corr: torch.var(x, 1, correction=c), x345)
        f.case(f"std.dim1_c{corr}", lambda x, c=corr: torch.std(x, 1, correction=c), x345)
    f.case("var.dim0_keep", lambda x: torch.var(x, 0, keepdim=True), x345)
    f.case("var.all", lambda x: torch.var(x), x345)
    f.case("std.dims02_c0", lambda x: torch.std(x, (0, 2), correction=0), x345)
    f.case("var.f32", lambda x: torch.var(x, 1), lambda: ins(x=randn(4, 30, dtype=torch.float32)))
    f.case("logsumexp.dim1", lambda x: torch.logsumexp(x, 1), x345)
    f.case("logsumexp.dims02", lambda x: torch.logsumexp(x, (0, 2)), x345)
    f.case("logsumexp.large", lambda x: torch.logsumexp(x, -1), lambda: ins(x=randn(3, 5) + 1000))
    f.case("logsumexp.keep", lambda x: torch.logsumexp(x, 0, keepdim=True), x345)
    for p, tag in ((2, "p2"), (1, "p1"), (float("inf"), "pinf"), (3, "p3")):
        f.case(f"norm.{tag}", lambda x, p=p: torch.linalg.vector_norm(x, p), x345)
        f.case(f"norm.{tag}_dim1", lambda x, p=p: torch.linalg.vector_norm(x, p, dim=1), x345)

    def zero_row():
        x = randn(3, 4)
        x[1] = 0.0
        return ins(x=x)
    f.case("norm.p2_zero_row", lambda x: torch.linalg.vector_norm(x, 2, dim=1), zero_row)
    f.case("norm.p3_zero_row", lambda x: torch.linalg.vector_norm(x, 3, dim=1), zero_row)
    f.case("norm.p2_all_zero", lambda x: torch.linalg.vector_norm(x), lambda: ins(x=torch.zeros(2, 3)))
    f.case("cumsum.dim0", lambda x: torch.cumsum(x, 0), x345)
    f.case("cumsum.dim1", lambda x: torch.cumsum(x, 1), x345)
    f.case("cumsum.dim_neg1", lambda x: torch.cumsum(x, -1), x345)
    f.case("cumsum.f32", lambda x: torch.cumsum(x, 1), lambda: ins(x=randn(3, 20, dtype=torch.float32)))
    return f


def softmax_family():
    f = Family("softmax")
    for name, op in (("softmax", torch.softmax), ("log_softmax", torch.log_softmax)):
        f.case(f"{name}.dim0", lambda x, op=op: op(x, 0), lambda: ins(x=randn(3, 5)))
        f.case(f"{name}.dim_neg1", lambda x, op=op: op(x, -1), lambda: ins(x=randn(3, 5)))
        f.case(f"{name}.dim1_3d", lambda x, op=op: op(x, 1), lambda: ins(x=randn(2, 3, 4)))
        f.case(f"{name}.large", lambda x, op=op: op(x, -1), lambda: ins(x=randn(3, 5) * 3 + 1000))
        f.case(f"{name}.large_dim0", lambda x, op=op: op(x, 0), lambda: ins(x=randn(4, 3) * 3 - 1000))

        def masked():
            x = randn(3, 5)
            x[0, 1] = x[2, 0] = x[2, 4] = float("-inf")
            return ins(x=x)
        f.case(f"{name}.masked", lambda x, op=op: op(x, -1), masked, )
        f.case(f"{name}.f32", lambda x, op=op: op(x, -1), lambda: ins(x=randn(3, 40, dtype=torch.float32) * 2))
        f.case(f"{name}.f32_large", lambda x, op=op: op(x, -1), lambda: ins(x=randn(2, 33, dtype=torch.float32) * 3 + 1000))
        f.case(f"{name}.f32_dim0", lambda x, op=op: op(x, 0), lambda: ins(x=randn(20, 3, dtype=torch.float32)))
    return f


def linalg_family():
    f = Family("linalg")
    f.case("matmul.1d_1d", torch.matmul, lambda: ins(a=randn(4), b=randn(4)))
    f.case("matmul.2d_2d", torch.matmul, lambda: ins(a=randn(3, 4), b=randn(4, 5)))
    f.case("matmul.1d_2d", torch.matmul, lambda: ins(a=randn(4), b=randn(4, 5)))
    f.case("matmul.2d_1d", torch.matmul, lambda: ins(a=randn(3, 4), b=randn(4)))
    f.case("matmul.batched_2d", torch.matmul, lambda: ins(a=randn(2, 3, 4, 5), b=randn(5, 6)))
    f.case("matmul.bcast_batch", torch.matmul, lambda: ins(a=randn(2, 1, 3, 4), b=randn(3, 4, 5)))
    f.case("matmul.batched_1d", torch.matmul, lambda: ins(a=randn(2, 3, 4), b=randn(4)))
    f.case("matmul.1d_batched", torch.matmul, lambda: ins(a=randn(4), b=randn(2, 4, 5)))
    f.case("matmul.2d_batched", torch.matmul, lambda: ins(a=randn(3, 4), b=randn(2, 4, 5)))
    f.case("matmul.transposed_batch", lambda at, b: torch.matmul(at.transpose(-1, -2), b),
           lambda: ins(at=randn(2, 4, 3), b=randn(4, 5)))
    f.case("matmul.f32", torch.matmul, lambda: ins(a=randn(3, 4, dtype=torch.float32), b=randn(4, 5, dtype=torch.float32)))
    f.case("matmul.f32_batched", torch.matmul,
           lambda: ins(a=randn(2, 3, 7, dtype=torch.float32), b=randn(2, 7, 5, dtype=torch.float32)))
    f.case("mm.plain", torch.mm, lambda: ins(a=randn(3, 4), b=randn(4, 5)))
    f.case("mm.ta", lambda at, b: torch.mm(at.t(), b), lambda: ins(at=randn(4, 3), b=randn(4, 5)))
    f.case("mm.tb", lambda a, bt: torch.mm(a, bt.t()), lambda: ins(a=randn(3, 4), bt=randn(5, 4)))
    f.case("mm.tab", lambda at, bt: torch.mm(at.t(), bt.t()), lambda: ins(at=randn(4, 3), bt=randn(5, 4)))
    f.case("mm.sliced", lambda a, b: torch.mm(a[:, ::2], b), lambda: ins(a=randn(3, 8), b=randn(4, 5)))
    f.case("bmm.plain", torch.bmm, lambda: ins(a=randn(2, 3, 4), b=randn(2, 4, 5)))
    f.case("bmm.tb", lambda a, bt: torch.bmm(a, bt.transpose(1, 2)), lambda: ins(a=randn(2, 3, 4), bt=randn(2, 5, 4)))
    f.case("addmm.plain", lambda c, a, b: torch.addmm(c, a, b), lambda: ins(c=randn(3, 5), a=randn(3, 4), b=randn(4, 5)))
    f.case("addmm.beta_alpha", lambda c, a, b: torch.addmm(c, a, b, beta=0.5, alpha=2.0),
           lambda: ins(c=randn(3, 5), a=randn(3, 4), b=randn(4, 5)))
    f.case("addmm.bias", lambda c, a, b: torch.addmm(c, a, b), lambda: ins(c=randn(5), a=randn(3, 4), b=randn(4, 5)))
    f.case("outer", torch.outer, lambda: ins(a=randn(3), b=randn(4)))
    f.case("dot", torch.dot, lambda: ins(a=randn(5), b=randn(5)))
    return f


def indexing_family():
    f = Family("indexing")

    def unique_rows(n_index, n_size, n_other, dim):
        """Index with distinct entries along `dim` (scatter is only deterministic then)."""
        cols = [torch.randperm(n_size)[:n_index] for _ in range(n_other)]
        idx = torch.stack(cols, dim=1)  # [n_index, n_other]
        return idx if dim == 0 else idx.t().contiguous()

    f.case("gather.dim0", lambda x, index: torch.gather(x, 0, index),
           lambda: ins(x=randn(3, 4), index=torch.randint(0, 3, (2, 4))))
    f.case("gather.dim1", lambda x, index: torch.gather(x, 1, index),
           lambda: ins(x=randn(3, 4), index=torch.randint(0, 4, (3, 6))))
    f.case("gather.repeated", lambda x, index: torch.gather(x, 1, index),
           lambda: ins(x=randn(2, 3), index=torch.tensor([[0, 2], [1, 1]])))
    f.case("scatter.dim0", lambda x, index, src: torch.scatter(x, 0, index, src),
           lambda: ins(x=randn(3, 4), index=unique_rows(2, 3, 4, 0), src=randn(2, 4)))
    f.case("scatter.dim1", lambda x, index, src: torch.scatter(x, 1, index, src),
           lambda: ins(x=randn(3, 5), index=unique_rows(3, 5, 3, 1), src=randn(3, 3)))
    f.case("scatter_add.dim0", lambda x, index, src: torch.scatter_add(x, 0, index, src),
           lambda: ins(x=randn(3, 4), index=torch.randint(0, 3, (5, 4)), src=randn(5, 4)))
    f.case("scatter_add.dim1", lambda x, index, src: torch.scatter_add(x, 1, index, src),
           lambda: ins(x=randn(3, 4), index=torch.randint(0, 4, (3, 6)), src=randn(3, 6)))
    f.case("index_select.dim0", lambda x, index: torch.index_select(x, 0, index),
           lambda: ins(x=randn(4, 3), index=torch.tensor([3, 0, 3, 1])))
    f.case("index_select.dim1", lambda x, index: torch.index_select(x, 1, index),
           lambda: ins(x=randn(2, 5, 3), index=torch.tensor([4, 4, 0])))
    f.case("index_add.dim0", lambda x, index, src: torch.index_add(x, 0, index, src),
           lambda: ins(x=randn(4, 3), index=torch.tensor([1, 3, 1]), src=randn(3, 3)))
    f.case("index_add.dim1_alpha", lambda x, index, src: torch.index_add(x, 1, index, src, alpha=2.5),
           lambda: ins(x=randn(2, 4), index=torch.tensor([0, 0, 2]), src=randn(2, 3)))
    f.case("masked_fill.full", lambda x, mask: x.masked_fill(mask, -1.5),
           lambda: ins(x=randn(3, 4), mask=torch.rand(3, 4) < 0.5))
    f.case("masked_fill.bcast", lambda x, mask: x.masked_fill(mask, 7.0),
           lambda: ins(x=randn(3, 4), mask=torch.tensor([True, False, False, True])))
    f.case("where.full", torch.where, lambda: ins(cond=torch.rand(3, 4) < 0.5, a=randn(3, 4), b=randn(3, 4)))
    f.case("where.bcast", torch.where, lambda: ins(cond=torch.rand(3, 1) < 0.5, a=randn(4), b=randn(())))
    return f


def shape_family():
    f = Family("shape")
    f.case("cat.dim0", lambda a, b, c: torch.cat([a, b, c], 0), lambda: ins(a=randn(2, 3), b=randn(1, 3), c=randn(3, 3)))
    f.case("cat.dim1", lambda a, b: torch.cat([a, b], 1), lambda: ins(a=randn(2, 3), b=randn(2, 2)))
    f.case("cat.dim_neg1_3d", lambda a, b: torch.cat([a, b], -1), lambda: ins(a=randn(2, 2, 3), b=randn(2, 2, 1)))
    f.case("cat.transposed", lambda at, b: torch.cat([at.t(), b], 0), lambda: ins(at=randn(3, 2), b=randn(1, 3)))
    f.case("stack.dim0", lambda a, b, c: torch.stack([a, b, c], 0), lambda: ins(a=randn(2, 3), b=randn(2, 3), c=randn(2, 3)))
    f.case("stack.dim_neg1", lambda a, b: torch.stack([a, b], -1), lambda: ins(a=randn(2, 3), b=randn(2, 3)))
    f.case("flip.dim0", lambda x: torch.flip(x, [0]), lambda: ins(x=randn(3, 4)))
    f.case("flip.dims01", lambda x: torch.flip(x, [0, 1]), lambda: ins(x=randn(2, 3, 4)))
    f.case("repeat.more_dims", lambda x: x.repeat(2, 1, 3), lambda: ins(x=randn(2, 3)))
    f.case("repeat.same_dims", lambda x: x.repeat(3, 2), lambda: ins(x=randn(2, 3)))
    f.case("expand.lead", lambda x: x.expand(2, 3, 4), lambda: ins(x=randn(3, 1)))
    f.case("expand.keep", lambda x: x.expand(-1, 5), lambda: ins(x=randn(3, 1)))
    f.case("narrow.dim1", lambda x: x.narrow(1, 1, 2), lambda: ins(x=randn(3, 4)))
    f.case("select.dim1", lambda x: x.select(1, 2), lambda: ins(x=randn(3, 4)))
    f.case("select.neg", lambda x: x.select(0, -1), lambda: ins(x=randn(3, 4)))
    f.case("slice.step", lambda x: x[1:6:2], lambda: ins(x=randn(6, 5)))
    f.case("slice.step_dim1", lambda x: x[:, ::2], lambda: ins(x=randn(3, 5)))
    f.case("slice.neg_start", lambda x: x[:, -3:], lambda: ins(x=randn(3, 5)))
    f.case("subscript.int_range", lambda x: x[0, 1:3], lambda: ins(x=randn(3, 4)))
    f.case("subscript.range_int", lambda x: x[1:3, 2], lambda: ins(x=randn(3, 4, 2)))
    f.case("permute.201", lambda x: x.permute(2, 0, 1), lambda: ins(x=randn(2, 3, 4)))
    f.case("transpose.02", lambda x: x.transpose(0, 2), lambda: ins(x=randn(2, 3, 4)))
    f.case("reshape.view", lambda x: x.reshape(4, 6), lambda: ins(x=randn(2, 3, 4)))
    f.case("reshape.infer", lambda x: x.reshape(-1, 2), lambda: ins(x=randn(2, 3, 4)))
    f.case("reshape.copy", lambda x: x.t().reshape(-1), lambda: ins(x=randn(3, 4)))
    f.case("unflatten.dim1", lambda x: x.unflatten(1, (2, 4)), lambda: ins(x=randn(3, 8)))
    f.case("squeeze_unsqueeze", lambda x: x.squeeze(1).unsqueeze(0), lambda: ins(x=randn(3, 1, 4)))
    # Views followed by arithmetic: kernels must honour strides.
    f.case("permute.then_mul", lambda x, y: x.permute(1, 0, 2) * y, lambda: ins(x=randn(2, 3, 4), y=randn(3, 2, 4)))
    f.case("flip.then_exp", lambda x: torch.flip(x, [1]).exp(), lambda: ins(x=randn(3, 4)))
    return f


def sort_family():
    f = Family("sort")
    f.case("sort.dim_neg1", lambda x: torch.sort(x, -1), lambda: ins(x=randn(3, 5)))
    f.case("sort.desc", lambda x: torch.sort(x, -1, descending=True), lambda: ins(x=randn(3, 5)))
    f.case("sort.dim0", lambda x: torch.sort(x, 0), lambda: ins(x=randn(4, 3)))

    def with_nan():
        x = randn(2, 5)
        x[0, 1] = x[1, 3] = float("nan")
        return ins(x=x)
    f.case("sort.nan", lambda x: torch.sort(x, -1), with_nan)
    f.case("sort.nan_desc", lambda x: torch.sort(x, -1, descending=True), with_nan)

    def ties():
        return ins(x=torch.tensor([[3.0, 1.0, 3.0, 2.0, 1.0, 3.0], [0.0, 0.0, -1.0, 0.0, 5.0, -1.0]]))
    f.case("sort.stable", lambda x: torch.sort(x, dim=-1, stable=True), ties)
    f.case("sort.stable_desc", lambda x: torch.sort(x, dim=-1, descending=True, stable=True), ties)
    f.case("argsort.stable", lambda x: torch.sort(x, dim=-1, stable=True).indices, ties, grads=[])
    f.case("argsort.stable_desc", lambda x: torch.sort(x, dim=-1, descending=True, stable=True).indices, ties, grads=[])
    f.case("argsort.dim0", lambda x: torch.sort(x, dim=0, stable=True).indices, lambda: ins(x=randn(4, 3)), grads=[])
    f.case("topk.k2", lambda x: torch.topk(x, 2), lambda: ins(x=randn(3, 5)))
    f.case("topk.smallest", lambda x: torch.topk(x, 3, largest=False), lambda: ins(x=randn(3, 5)))
    f.case("topk.dim0", lambda x: torch.topk(x, 2, dim=0), lambda: ins(x=randn(4, 3)))
    argties = lambda: ins(x=torch.tensor([[1.0, 4.0, 4.0, -2.0], [-2.0, 0.0, -2.0, 3.0], [5.0, 5.0, 5.0, 5.0]]))
    f.case("argmax.dim1", lambda x: torch.argmax(x, 1), argties, grads=[])
    f.case("argmax.all", lambda x: torch.argmax(x), argties, grads=[])
    f.case("argmax.dim0_keep", lambda x: torch.argmax(x, 0, keepdim=True), argties, grads=[])
    f.case("argmin.dim1", lambda x: torch.argmin(x, 1), argties, grads=[])
    f.case("argmin.all", lambda x: torch.argmin(x), argties, grads=[])
    f.case("argmax.random", lambda x: torch.argmax(x, -1), lambda: ins(x=randn(4, 6)), grads=[])
    return f


def cast_family():
    f = Family("cast")
    trunc = [-2.7, -2.5, -1.0, -0.5, -0.0, 0.0, 0.5, 0.99, 1.5, 2.5, 2.99, 1e10, -1e10, 123456789.9, 2.0**53 + 2]
    f.case("f64_to_i64", lambda x: x.to(torch.int64), lambda: ins(x=torch.tensor(trunc, dtype=torch.float64)), grads=[])
    f.case("f32_to_i64", lambda x: x.to(torch.int64), lambda: ins(x=torch.tensor(trunc[:-1], dtype=torch.float32)), grads=[])
    half_vals = [
        0.1, -0.0, 1.0 / 3.0, 65504.0, 65519.0, 65520.0, 70000.0, -65536.0, 2049.0, 2051.0, 2050.0,
        1.0 + 2.0**-11, 1.0 + 3 * 2.0**-11, 5.96e-8, 2.98e-8, 2.99e-8, 1e-8, 6.1e-5, 6.0e-5, 1e-3,
        float("inf"), float("-inf"), float("nan"),
    ]
    f.case("f32_to_f16", lambda x: x.to(torch.float16), lambda: ins(x=torch.tensor(half_vals, dtype=torch.float32)), grads=[])
    # 1 + 2^-11 + 2^-40: rounds up in one step, to 1 through float32 (double rounding).
    f.case("f64_to_f16", lambda x: x.to(torch.float16),
           lambda: ins(x=torch.tensor(half_vals + [1.0 + 2.0**-11 + 2.0**-40], dtype=torch.float64)), grads=[])
    bf_vals = [
        0.1, -0.0, 1.0 / 3.0, 1.00390625, 1.01171875, 1.00390637, 1.00390613, 3.3895e38, 3.3961e38, 3.4e38,
        1e-40, 1e-38, -2.5e-39, 255.5, 256.5, 257.0, 65535.0,
        float("inf"), float("-inf"), float("nan"),
    ]
    f.case("f32_to_bf16", lambda x: x.to(torch.bfloat16), lambda: ins(x=torch.tensor(bf_vals, dtype=torch.float32)), grads=[])
    f.case("f64_to_bf16", lambda x: x.to(torch.bfloat16), lambda: ins(x=torch.tensor(bf_vals, dtype=torch.float64)), grads=[])
    f.case("f16_to_f32", lambda x: x.to(torch.float32),
           lambda: ins(x=torch.tensor(half_vals, dtype=torch.float32).to(torch.float16)), grads=[])
    f.case("bf16_to_f32", lambda x: x.to(torch.float32),
           lambda: ins(x=torch.tensor(bf_vals, dtype=torch.float32).to(torch.bfloat16)), grads=[])
    f.case("f64_to_f32", lambda x: x.to(torch.float32),
           lambda: ins(x=torch.tensor([0.1, 1.0 + 2.0**-24, 1.0 + 3 * 2.0**-24, 1e-46, 3.5e38, 1e300, -1e300], dtype=torch.float64)))
    f.case("i64_to_f32", lambda x: x.to(torch.float32),
           lambda: ins(x=torch.tensor([2**24 + 1, 2**24 + 3, -(2**31) - 1, 2**53 + 1, 9007199254740993, 7], dtype=torch.int64)))
    f.case("i64_to_f64", lambda x: x.to(torch.float64),
           lambda: ins(x=torch.tensor([2**53 + 1, 2**53 + 3, -(2**62) - 1, 3], dtype=torch.int64)))
    f.case("f64_to_bool", lambda x: x.to(torch.bool),
           lambda: ins(x=torch.tensor([0.0, -0.0, 0.1, float("nan"), -3.0, 1e-300, float("inf")])), grads=[])
    f.case("bool_to_f32", lambda x: x.to(torch.float32), lambda: ins(x=torch.tensor([True, False, True])))
    f.case("f32_to_f64", lambda x: x.to(torch.float64), lambda: ins(x=randn(3, 4, dtype=torch.float32)))
    f.case("f64_to_f32_grad", lambda x: x.to(torch.float32) * 2, lambda: ins(x=randn(3, 4)))
    return f


def grad2_family():
    """Second derivatives: backward formulas are built from differentiable ops, so
    `createGraph: true` must give PyTorch's double-backward."""
    f = Family("grad2")
    x34 = lambda: ins(x=randn(3, 4))
    f.case2("tanh", torch.tanh, x34)
    f.case2("sigmoid", torch.sigmoid, x34)
    f.case2("exp", torch.exp, x34)
    f.case2("log", torch.log, lambda: ins(x=positive(3, 4)))
    f.case2("sqrt", torch.sqrt, lambda: ins(x=positive(3, 4)))
    f.case2("gelu", F.gelu, x34)
    f.case2("silu", F.silu, x34)
    f.case2("softplus", F.softplus, x34)
    f.case2("mul", torch.mul, lambda: ins(a=randn(3, 4), b=randn(4)))
    f.case2("div", torch.div, lambda: ins(a=randn(3, 4), b=away_from_zero(3, 4)))
    f.case2("pow", torch.pow, lambda: ins(a=positive(3, 4), b=randn(3, 4)))
    f.case2("matmul", torch.matmul, lambda: ins(a=randn(3, 4), b=randn(4, 2)))
    f.case2("softmax", lambda x: torch.softmax(x, -1), x34)
    f.case2("log_softmax", lambda x: torch.log_softmax(x, 0), x34)
    f.case2("logsumexp", lambda x: torch.logsumexp(x, 1), x34)
    f.case2("var", lambda x: torch.var(x, 1), x34)
    f.case2("norm.p2", lambda x: torch.linalg.vector_norm(x, dim=1), x34)
    f.case2("norm.p3", lambda x: torch.linalg.vector_norm(x, 3, dim=1), x34)
    f.case2("prod", lambda x: x.prod(1), lambda: ins(x=away_from_zero(3, 4)))
    def with_zeros():
        x = away_from_zero(4, 3)
        x[1, 0] = 0.0
        x[2, 0] = x[2, 2] = 0.0
        return ins(x=x)
    f.case2("prod.zeros", lambda x: x.prod(1), with_zeros)
    f.case2("max.dim", lambda x: x.max(1).values ** 2, x34)
    f.case2("slice.cat", lambda x: torch.cat([x[:, ::2] ** 2, x[:, 1:2].exp()], 1), x34)
    return f


def main():
    os.makedirs(OUT_DIR, exist_ok=True)
    total = 0
    for make in (binary_family, unary_family, reduce_family, softmax_family, linalg_family,
                 indexing_family, shape_family, sort_family, cast_family, grad2_family):
        path, n = make().write()
        size = os.path.getsize(path)
        total += size
        print(f"{os.path.relpath(path, ROOT)}: {n} cases, {size} bytes")
    print(f"total {total} bytes")
    assert total < 2 * 1024 * 1024, "fixtures must stay under 2 MB"


if __name__ == "__main__":
    main()
