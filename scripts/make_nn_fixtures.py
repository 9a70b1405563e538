#!/usr/bin/python3
"""Regenerates EmberNN's PyTorch reference fixtures in Tests/Fixtures/nn_*.safetensors, and
checks that state dicts saved by Ember load into PyTorch.

How to run (from the repository root, with Debian's PyTorch 1.13):

    /usr/bin/python3 scripts/make_nn_fixtures.py           # write fixtures, then check Ember's files
    /usr/bin/python3 scripts/make_nn_fixtures.py --check   # only check Ember's files

Files written (all float32 models unless noted; see Tests/EmberNNTests for the readers):

    nn_mlp_state            an MLP's state_dict (fc1: Linear(20, 32), fc2: Linear(32, 10)),
                            exactly as model.state_dict(); __metadata__ holds the keys in
                            order (`keys`) and `print(model)`'s text (`repr`)
    nn_mlp_io               its input, target, output, cross-entropy loss, and the gradient of
                            every parameter (`grad.<name>`)
    nn_all_state            the state_dict of `AllLayers` below: every EmberNN layer
    nn_all_io               its inputs (`ids`, `img`, `target`); in train mode (Dropout layers
                            switched to eval, so the comparison is deterministic) the output
                            `out_train`, the loss, every parameter's gradient (`grad.<name>`) and
                            every buffer after the step (`after.<name>`); then `out_eval`
    nn_norm                 BatchNorm variants in float64: BatchNorm1d on [N, C, L], cumulative
                            momentum (momentum=None) over two batches, affine=False,
                            track_running_stats=False (keys `<case>.<tensor>`)
    nn_functional           activation functions and functional layers, float64, in the case
                            format of scripts/make_fixtures.py (checked by OpCase tables)
    nn_losses               every loss with every reduction, class weights, ignore_index,
                            label smoothing and probability targets, same case format

The check: Tests/EmberNNTests writes `nn_ember_mlp.safetensors` / `nn_ember_all.safetensors`
(state dicts saved by Ember) with `nn_ember_mlp_io` / `nn_ember_all_io` (a fixed input and
Ember's output). This script loads each state dict into the same PyTorch model with
`load_state_dict(strict=True)` and compares PyTorch's output with Ember's.
"""

import json
import os
import struct
import sys
import zlib

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_fixtures import Family, OUT_DIR, ROOT, away_from_zero, ins, positive, randn, write_safetensors  # noqa: E402

torch.set_num_threads(1)


# ---------------------------------------------------------------------------------------------
# Models (the Swift tests declare the same modules, in the same order, with the same names)

class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(20, 32)
        self.fc2 = nn.Linear(32, 10)

    def forward(self, x):
        return self.fc2(F.relu(self.fc1(x)))


class AllLayers(nn.Module):
    """One of every EmberNN layer: token branch (Embedding, Linear, Bilinear, BatchNorm1d,
    LayerNorm, PReLU, each activation, Dropout) and image branch (BatchNorm2d, GroupNorm,
    Dropout2d, Flatten, Linear, Unflatten, Identity), joined by a Sequential head."""

    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(12, 8, padding_idx=0)
        self.fc = nn.Linear(8, 16)
        self.bil = nn.Bilinear(16, 8, 12)
        self.bn1 = nn.BatchNorm1d(12)
        self.ln = nn.LayerNorm(12)
        self.prelu = nn.PReLU(12)
        self.acts = nn.ModuleList([
            nn.ReLU(), nn.LeakyReLU(0.2), nn.ELU(0.7), nn.GELU(), nn.GELU(approximate="tanh"), nn.SiLU(),
            nn.Sigmoid(), nn.Tanh(), nn.Softmax(dim=1), nn.LogSoftmax(dim=1), nn.Softplus(beta=2, threshold=5),
            nn.Hardtanh(-0.5, 0.5),
        ])
        self.drop = nn.Dropout(0.3)
        self.bn2 = nn.BatchNorm2d(4)
        self.gn = nn.GroupNorm(2, 4)
        self.drop2d = nn.Dropout2d(0.25)
        self.flat = nn.Flatten()
        self.proj = nn.Linear(4 * 3 * 3, 6)
        self.unflat = nn.Unflatten(1, (2, 3))
        self.ident = nn.Identity()
        self.head = nn.Sequential(nn.Linear(12 * 13 + 6, 16), nn.ReLU(), nn.Linear(16, 5))

    def forward(self, ids, img):
        e = self.emb(ids).mean(1)
        h = self.fc(e)
        b = self.ln(self.bn1(self.bil(h, e)))
        h = self.drop(torch.cat([self.prelu(b)] + [a(b) for a in self.acts], dim=1))
        i = self.drop2d(self.gn(self.bn2(img)))
        i = self.ident(self.flat(self.unflat(self.proj(self.flat(i)))))
        return self.head(torch.cat([h, i], dim=1))


def all_inputs():
    g = torch.Generator().manual_seed(2024)
    ids = torch.randint(0, 12, (6, 5), generator=g)
    ids[0, 3:] = 0
    ids[2, 0] = 0
    ids[4, :] = 0
    img = torch.randn(6, 4, 3, 3, generator=g) * 1.5 + 0.3
    target = torch.randint(0, 5, (6,), generator=g)
    return ids, img, target


def mlp_inputs():
    g = torch.Generator().manual_seed(99)
    return torch.randn(8, 20, generator=g), torch.randint(0, 10, (8,), generator=g)


def state_file(model, name):
    state = model.state_dict()
    write_safetensors(os.path.join(OUT_DIR, f"{name}.safetensors"), dict(state),
                      {"keys": json.dumps(list(state)), "repr": repr(model), "generator": "scripts/make_nn_fixtures.py",
                       "torch": torch.__version__})


def io_file(name, tensors):
    write_safetensors(os.path.join(OUT_DIR, f"{name}.safetensors"), tensors,
                      {"generator": "scripts/make_nn_fixtures.py", "torch": torch.__version__})


def make_mlp():
    torch.manual_seed(1)
    model = MLP()
    state_file(model, "nn_mlp_state")
    x, t = mlp_inputs()
    out = model(x)
    loss = F.cross_entropy(out, t)
    loss.backward()
    io = {"input": x, "target": t, "out": out.detach(), "loss": loss.detach()}
    for name, p in model.named_parameters():
        io[f"grad.{name}"] = p.grad
    io_file("nn_mlp_io", io)


def make_all():
    torch.manual_seed(2)
    model = AllLayers()
    with torch.no_grad():
        # Start the statistics away from their defaults, so loading them is visible.
        for bn in (model.bn1, model.bn2):
            bn.running_mean.uniform_(-0.5, 0.5)
            bn.running_var.uniform_(0.5, 2.0)
            bn.num_batches_tracked.fill_(3)
            bn.weight.uniform_(0.5, 1.5)
            bn.bias.uniform_(-0.5, 0.5)
        for m in (model.ln, model.gn):
            m.weight.uniform_(0.5, 1.5)
            m.bias.uniform_(-0.5, 0.5)
        model.prelu.weight.uniform_(0.0, 0.5)
    state_file(model, "nn_all_state")
    ids, img, target = all_inputs()
    model.train()
    model.drop.eval()
    model.drop2d.eval()
    out = model(ids, img)
    loss = F.cross_entropy(out, target)
    loss.backward()
    io = {"ids": ids, "img": img, "target": target, "out_train": out.detach(), "loss": loss.detach()}
    for name, p in model.named_parameters():
        io[f"grad.{name}"] = p.grad
    for name, b in model.named_buffers():
        io[f"after.{name}"] = b.clone()
    model.eval()
    with torch.no_grad():
        io["out_eval"] = model(ids, img)
    io_file("nn_all_io", io)


def make_norm():
    t = {}
    torch.manual_seed(3)
    # BatchNorm1d on [N, C, L], float64: output, input/weight/bias gradients, statistics.
    bn = nn.BatchNorm1d(3).double()
    with torch.no_grad():
        bn.weight.uniform_(0.5, 1.5)
        bn.bias.uniform_(-0.5, 0.5)
    x = (torch.randn(4, 3, 5, dtype=torch.float64) * 2 + 1).requires_grad_()
    w = torch.randn(4, 3, 5, dtype=torch.float64)
    t.update({"bn1d3d.weight": bn.weight.detach().clone(), "bn1d3d.bias": bn.bias.detach().clone(),
              "bn1d3d.x": x.detach().clone(), "bn1d3d.w": w})
    out = bn(x)
    (out * w).sum().backward()
    t.update({"bn1d3d.out": out.detach(), "bn1d3d.grad_x": x.grad, "bn1d3d.grad_weight": bn.weight.grad,
              "bn1d3d.grad_bias": bn.bias.grad, "bn1d3d.running_mean": bn.running_mean,
              "bn1d3d.running_var": bn.running_var})
    bn.eval()
    with torch.no_grad():
        t["bn1d3d.out_eval"] = bn(x)
    # Cumulative moving average (momentum=None) over two batches, BatchNorm2d.
    bn = nn.BatchNorm2d(2, momentum=None).double()
    x1 = torch.randn(3, 2, 2, 2, dtype=torch.float64)
    x2 = torch.randn(3, 2, 2, 2, dtype=torch.float64) * 3 - 1
    bn(x1)
    out = bn(x2)
    t.update({"cma.x1": x1, "cma.x2": x2, "cma.out": out.detach(), "cma.running_mean": bn.running_mean,
              "cma.running_var": bn.running_var, "cma.num_batches_tracked": bn.num_batches_tracked})
    # affine=False: no parameters; train then eval.
    bn = nn.BatchNorm1d(3, affine=False, momentum=0.3).double()
    x = torch.randn(5, 3, dtype=torch.float64)
    t.update({"noaffine.x": x, "noaffine.out": bn(x).detach()})
    bn.eval()
    t["noaffine.out_eval"] = bn(x).detach()
    # track_running_stats=False: batch statistics in eval too.
    bn = nn.BatchNorm1d(3, track_running_stats=False).double()
    bn.eval()
    x = torch.randn(5, 3, dtype=torch.float64)
    t.update({"notrack.x": x, "notrack.out_eval": bn(x).detach()})
    io_file("nn_norm", t)


# ---------------------------------------------------------------------------------------------
# Functional cases (float64), in make_fixtures.py's case format

def functional_family():
    torch.set_default_dtype(torch.float64)
    f = Family("nn_functional")
    x = lambda: ins(x=randn(4, 6) * 2)
    f.case("relu", F.relu, x)
    f.case("leaky_relu", lambda x: F.leaky_relu(x, 0.2), x)
    f.case("elu", lambda x: F.elu(x, 0.7), x)
    f.case("gelu", F.gelu, x)
    f.case("gelu_tanh", lambda x: F.gelu(x, approximate="tanh"), x)
    f.case("silu", F.silu, x)
    f.case("sigmoid", torch.sigmoid, x)
    f.case("tanh", torch.tanh, x)
    f.case("softmax", lambda x: F.softmax(x, dim=1), x)
    f.case("log_softmax", lambda x: F.log_softmax(x, dim=0), x)
    f.case("softplus", lambda x: F.softplus(x, beta=2, threshold=5), lambda: ins(x=randn(4, 6) * 3))
    f.case("hardtanh", lambda x: F.hardtanh(x, -0.5, 0.5), x)
    f.case("prelu.shared", F.prelu, lambda: ins(x=randn(3, 4, 2), weight=positive(1) * 0.2))
    f.case("prelu.channels", F.prelu, lambda: ins(x=randn(3, 4, 2), weight=randn(4) * 0.3))
    f.case("linear", F.linear, lambda: ins(x=randn(4, 5), weight=randn(3, 5), bias=randn(3)))
    f.case("linear.3d", F.linear, lambda: ins(x=randn(2, 4, 5), weight=randn(3, 5), bias=randn(3)))
    f.case("linear.nobias", F.linear, lambda: ins(x=randn(4, 5), weight=randn(3, 5)))
    f.case("bilinear", F.bilinear, lambda: ins(x1=randn(4, 3), x2=randn(4, 5), weight=randn(2, 3, 5), bias=randn(2)))
    f.case("bilinear.3d", F.bilinear, lambda: ins(x1=randn(2, 3, 3), x2=randn(2, 3, 5), weight=randn(2, 3, 5)))
    f.case("layer_norm", lambda x, w, b: F.layer_norm(x, (4, 5), w, b),
           lambda: ins(x=randn(3, 4, 5) * 2 + 1, weight=randn(4, 5), bias=randn(4, 5)))
    f.case("layer_norm.noaffine", lambda x: F.layer_norm(x, (5,), eps=1e-3), lambda: ins(x=randn(3, 4, 5)))
    f.case("group_norm", lambda x, w, b: F.group_norm(x, 3, w, b),
           lambda: ins(x=randn(2, 6, 3, 2) * 2 - 1, weight=randn(6), bias=randn(6)))
    f.case("group_norm.noaffine", lambda x: F.group_norm(x, 2, eps=1e-2), lambda: ins(x=randn(3, 4, 5)))

    def ids_with_padding():
        ids = torch.randint(0, 7, (3, 4))
        ids[0, 0] = ids[1, 2] = ids[2, 3] = 2
        return ins(ids=ids, weight=randn(7, 5))
    f.case("embedding.padding", lambda i, w: F.embedding(i, w, padding_idx=2), ids_with_padding)
    f.case("embedding.max_norm", lambda i, w: F.embedding(i, w, max_norm=1.5), ids_with_padding)
    torch.set_default_dtype(torch.float32)
    return f


# ---------------------------------------------------------------------------------------------
# Losses (float64 unless the case name ends in .f32)

REDUCTIONS = ("none", "mean", "sum")


def losses_family():
    torch.set_default_dtype(torch.float64)
    f = Family("nn_losses")

    def class_targets(n, c, ignore=False):
        t = torch.randint(0, c, (n,))
        if ignore:
            t[1] = -100
            t[3] = -100
        return t

    def probs(*shape):
        return torch.softmax(randn(*shape) * 2, dim=1)

    for r in REDUCTIONS:
        pair = lambda: ins(x=randn(3, 4) * 2, y=randn(3, 4) * 2)
        f.case(f"mse.{r}", lambda x, y, r=r: F.mse_loss(x, y, reduction=r), pair, grads=["x"])
        f.case(f"l1.{r}", lambda x, y, r=r: F.l1_loss(x, y, reduction=r), pair, grads=["x"])
        f.case(f"smooth_l1.{r}", lambda x, y, r=r: F.smooth_l1_loss(x, y, reduction=r, beta=0.5), pair, grads=["x"])
        f.case(f"huber.{r}", lambda x, y, r=r: F.huber_loss(x, y, reduction=r, delta=0.7), pair, grads=["x"])

        f.case(f"ce.{r}", lambda x, t, r=r: F.cross_entropy(x, t, reduction=r),
               lambda: ins(x=randn(5, 4) * 2, t=class_targets(5, 4)))
        f.case(f"ce.weight.{r}", lambda x, t, w, r=r: F.cross_entropy(x, t, weight=w, reduction=r),
               lambda: ins(x=randn(5, 4) * 2, t=class_targets(5, 4), weight=positive(4)), grads=["x"])
        f.case(f"ce.ignore.{r}", lambda x, t, r=r: F.cross_entropy(x, t, reduction=r),
               lambda: ins(x=randn(6, 4) * 2, t=class_targets(6, 4, ignore=True)))
        f.case(f"ce.smooth.{r}", lambda x, t, r=r: F.cross_entropy(x, t, reduction=r, label_smoothing=0.2),
               lambda: ins(x=randn(5, 4) * 2, t=class_targets(5, 4)))
        f.case(f"ce.all.{r}",
               lambda x, t, w, r=r: F.cross_entropy(x, t, weight=w, reduction=r, ignore_index=-100, label_smoothing=0.15),
               lambda: ins(x=randn(6, 4) * 2, t=class_targets(6, 4, ignore=True), weight=positive(4)), grads=["x"])
        f.case(f"ce.prob.{r}", lambda x, p, r=r: F.cross_entropy(x, p, reduction=r),
               lambda: ins(x=randn(5, 4) * 2, p=probs(5, 4)), grads=["x"])
        f.case(f"ce.prob_all.{r}", lambda x, p, w, r=r: F.cross_entropy(x, p, weight=w, reduction=r, label_smoothing=0.1),
               lambda: ins(x=randn(5, 4) * 2, p=probs(5, 4), weight=positive(4)), grads=["x"])
        f.case(f"ce.spatial.{r}", lambda x, t, w, r=r: F.cross_entropy(x, t, weight=w, reduction=r),
               lambda: ins(x=randn(2, 3, 4, 2), t=torch.randint(0, 3, (2, 4, 2)), weight=positive(3)), grads=["x"])
        f.case(f"nll.{r}", lambda x, t, r=r: F.nll_loss(x, t, reduction=r),
               lambda: ins(x=torch.log_softmax(randn(5, 4), 1), t=class_targets(5, 4)))
        f.case(f"nll.weight_ignore.{r}", lambda x, t, w, r=r: F.nll_loss(x, t, weight=w, reduction=r, ignore_index=1),
               lambda: ins(x=torch.log_softmax(randn(6, 4), 1), t=torch.tensor([0, 1, 2, 3, 1, 2]), weight=positive(4)),
               grads=["x"])

        prob_pair = lambda: ins(x=torch.rand(3, 4) * 0.98 + 0.01, y=torch.rand(3, 4))
        f.case(f"bce.{r}", lambda x, y, r=r: F.binary_cross_entropy(x, y, reduction=r), prob_pair, grads=["x"])
        f.case(f"bce.weight.{r}", lambda x, y, w, r=r: F.binary_cross_entropy(x, y, weight=w, reduction=r),
               lambda: ins(x=torch.rand(3, 4) * 0.98 + 0.01, y=torch.rand(3, 4), weight=positive(4)), grads=["x"])
        logit_pair = lambda: ins(x=randn(3, 4) * 3, y=(torch.rand(3, 4) < 0.5).double())
        f.case(f"bce_logits.{r}", lambda x, y, r=r: F.binary_cross_entropy_with_logits(x, y, reduction=r),
               logit_pair, grads=["x"])
        f.case(f"bce_logits.pos_weight.{r}",
               lambda x, y, pw, r=r: F.binary_cross_entropy_with_logits(x, y, pos_weight=pw, reduction=r),
               lambda: ins(x=randn(3, 4) * 3, y=torch.rand(3, 4), pw=positive(4)), grads=["x"])
        f.case(f"bce_logits.weight.{r}",
               lambda x, y, w, pw, r=r: F.binary_cross_entropy_with_logits(x, y, weight=w, pos_weight=pw, reduction=r),
               lambda: ins(x=randn(3, 4) * 3, y=(torch.rand(3, 4) < 0.5).double(), weight=positive(3, 1), pw=positive(4)),
               grads=["x"])

        cos_inputs = lambda: ins(a=randn(5, 3), b=randn(5, 3), y=torch.tensor([1.0, -1.0, 1.0, -1.0, -1.0]))
        f.case(f"cosine.{r}", lambda a, b, y, r=r: F.cosine_embedding_loss(a, b, y, margin=0.1, reduction=r),
               cos_inputs, grads=["a", "b"])
        f.case(f"margin_ranking.{r}",
               lambda a, b, y, r=r: F.margin_ranking_loss(a, b, y, margin=0.3, reduction=r),
               lambda: ins(a=randn(6), b=randn(6), y=torch.tensor([1.0, -1.0, 1.0, 1.0, -1.0, -1.0])), grads=["a", "b"])

    for r in ("none", "sum", "mean", "batchmean"):
        f.case(f"kl.{r}", lambda x, p, r=r: F.kl_div(x, p, reduction=r),
               lambda: ins(x=torch.log_softmax(randn(4, 5), 1), p=torch.cat([probs(3, 5), torch.zeros(1, 5)])),
               grads=["x"])
    f.case("kl.log_target.batchmean", lambda x, p: F.kl_div(x, p, reduction="batchmean", log_target=True),
           lambda: ins(x=torch.log_softmax(randn(4, 5), 1), p=torch.log_softmax(randn(4, 5), 1)), grads=["x"])
    f.case("ce.unbatched", lambda x, t: F.cross_entropy(x, t), lambda: ins(x=randn(4), t=torch.tensor(2)))
    f.case("ce.f32", lambda x, t: F.cross_entropy(x, t),
           lambda: ins(x=randn(8, 10, dtype=torch.float32) * 3, t=class_targets(8, 10)))
    torch.set_default_dtype(torch.float32)
    return f


# ---------------------------------------------------------------------------------------------
# The reverse direction: state dicts saved by Ember, loaded by PyTorch

NP_DTYPES = {"F32": np.float32, "F64": np.float64, "I64": np.int64, "I32": np.int32, "U8": np.uint8,
             "BOOL": np.bool_}


def read_safetensors(path):
    """A minimal safetensors reader (the `safetensors` package is not installed here)."""
    with open(path, "rb") as fh:
        data = fh.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    base = 8 + n
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        start, end = info["data_offsets"]
        arr = np.frombuffer(data[base + start:base + end], dtype=NP_DTYPES[info["dtype"]]).reshape(info["shape"])
        out[name] = torch.from_numpy(arr.copy())
    return out


def check_ember_file(name, model, run):
    state_path = os.path.join(OUT_DIR, f"nn_ember_{name}.safetensors")
    io_path = os.path.join(OUT_DIR, f"nn_ember_{name}_io.safetensors")
    if not (os.path.exists(state_path) and os.path.exists(io_path)):
        print(f"nn_ember_{name}: not found; run `swift test --filter EmberNNTests` first")
        return False
    state = read_safetensors(state_path)
    io = read_safetensors(io_path)
    result = model.load_state_dict(state, strict=True)
    model.eval()
    with torch.no_grad():
        out = run(model, io)
    ok = torch.allclose(out, io["out"], rtol=1e-5, atol=1e-6)
    err = (out - io["out"]).abs().max().item()
    print(f"nn_ember_{name}: load_state_dict(strict=True) -> {result}; {len(state)} tensors; "
          f"PyTorch output vs Ember output: max abs diff {err:.3g} -> {'OK' if ok else 'MISMATCH'}")
    return ok


def check_ember():
    ok = check_ember_file("mlp", MLP(), lambda m, io: m(io["input"]))
    ok = check_ember_file("all", AllLayers(), lambda m, io: m(io["ids"], io["img"])) and ok
    return ok


def main():
    if "--check" not in sys.argv:
        os.makedirs(OUT_DIR, exist_ok=True)
        torch.set_default_dtype(torch.float32)
        make_mlp()
        make_all()
        make_norm()
        total = 0
        for make in (functional_family, losses_family):
            path, n = make().write()
            print(f"{os.path.relpath(path, ROOT)}: {n} cases")
        for name in sorted(os.listdir(OUT_DIR)):
            if name.startswith("nn_") and not name.startswith("nn_ember"):
                total += os.path.getsize(os.path.join(OUT_DIR, name))
        print(f"nn fixtures: {total} bytes")
        assert total < 1024 * 1024, "nn fixtures must stay under 1 MB"
    torch.set_default_dtype(torch.float32)
    if not check_ember():
        sys.exit(1)


if __name__ == "__main__":
    main()
