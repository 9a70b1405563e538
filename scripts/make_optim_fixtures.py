#!/usr/bin/python3
"""Regenerates EmberOptim's PyTorch reference fixtures in Tests/Fixtures/optim_*.safetensors.

How to run (from the repository root, with Debian's PyTorch 1.13):

    /usr/bin/python3 scripts/make_optim_fixtures.py

optim_trajectories.safetensors
    A fixed 2-layer MLP written with raw tensors (w1 [4,8], b1 [8], w2 [8,3], b2 [3]) on a
    fixed batch (x [16,4], y [16,3]) with loss ((x@w1 + b1).tanh() @ w2 + b2 - y).square().mean().
    `init.<dt>.<param>`, `data.<dt>.x`, `data.<dt>.y` hold the starting point (dt = f32, f64).
    For each case (an optimizer and its options, see CASES) and each dtype, the optimizer runs
    STEPS steps of zero_grad / loss / backward / step; `<case>.<dt>.<param>` stacks the
    parameter after steps 5, 10, ..., STEPS (shape [STEPS/5, *param.shape]).
    `contract.x` is the result of the gradient-descent contract program (SGD, lr 0.01,
    1000 steps on (x - y).square().mean()).

optim_schedulers.safetensors
    For each scheduler case, `<case>.lr` [STEPS+1, groups] (float64): the groups' learning
    rates after construction and after each scheduler step; OneCycleLR cases also store
    `<case>.momentum` (SGD's momentum or Adam's beta1); ReduceLROnPlateau cases store the
    metrics they were stepped with in `<case>.metrics`.

optim_clip.safetensors
    Gradients of three tensors (`clip.g0..g2`, float64) and, per case, the total norm
    returned by clip_grad_norm_ (`<case>.norm`) and the clipped gradients (`<case>.g0..g2`).

The file metadata's `case_names` (and `lbfgs_cases`) lists the case names (JSON); the Swift tests in
Tests/EmberOptimTests must name exactly these. Everything is seeded, so the files come out
byte for byte the same on every run.
"""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_fixtures import write_safetensors  # noqa: E402

import torch  # noqa: E402
from torch import optim  # noqa: E402
from torch.optim import lr_scheduler as sch  # noqa: E402

# make_fixtures sets float64 as the default dtype; optimizers create their scalar state
# (`step`, NAdam's `mu_product`) in the default dtype, so restore PyTorch's own default.
torch.set_default_dtype(torch.float32)
torch.set_num_threads(1)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT_DIR = os.path.join(ROOT, "Tests", "Fixtures")
STEPS = 30
NAMES = ["w1", "b1", "w2", "b2"]
DTYPES = {"f32": torch.float32, "f64": torch.float64}


def make_init():
    g = torch.Generator().manual_seed(1234)
    t = {
        "w1": torch.randn(4, 8, generator=g, dtype=torch.float64) * 0.5,
        "b1": torch.randn(8, generator=g, dtype=torch.float64) * 0.1,
        "w2": torch.randn(8, 3, generator=g, dtype=torch.float64) * 0.5,
        "b2": torch.randn(3, generator=g, dtype=torch.float64) * 0.1,
        "x": torch.randn(16, 4, generator=g, dtype=torch.float64),
        "y": torch.randn(16, 3, generator=g, dtype=torch.float64),
    }
    return t


def loss_fn(p, x, y):
    w1, b1, w2, b2 = p
    return ((x.matmul(w1) + b1).tanh().matmul(w2) + b2 - y).square().mean()


def groups(p, second):
    """Two groups: (w1, b1) with the optimizer's defaults, (w2, b2) with `second` overrides."""
    return [{"params": p[:2]}, dict(params=p[2:], **second)]


# name -> function(params) -> optimizer. The Swift test builds the same optimizers.
CASES = {
    "sgd": lambda p: optim.SGD(p, lr=0.1),
    "sgd_wd": lambda p: optim.SGD(p, lr=0.1, weight_decay=0.05),
    "sgd_momentum": lambda p: optim.SGD(p, lr=0.05, momentum=0.9),
    "sgd_dampening": lambda p: optim.SGD(p, lr=0.05, momentum=0.9, dampening=0.3, weight_decay=0.01),
    "sgd_nesterov": lambda p: optim.SGD(p, lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01),
    "sgd_maximize": lambda p: optim.SGD(p, lr=0.01, momentum=0.5, maximize=True),
    "sgd_groups": lambda p: optim.SGD(groups(p, dict(lr=0.02, momentum=0.5)), lr=0.1, momentum=0.9),
    "adam": lambda p: optim.Adam(p, lr=0.01),
    "adam_wd": lambda p: optim.Adam(p, lr=0.01, weight_decay=0.1),
    "adam_amsgrad": lambda p: optim.Adam(p, lr=0.01, betas=(0.8, 0.99), amsgrad=True),
    "adam_maximize": lambda p: optim.Adam(p, lr=0.005, maximize=True),
    "adam_groups": lambda p: optim.Adam(groups(p, dict(lr=0.001, betas=(0.5, 0.9))), lr=0.01),
    "adamw": lambda p: optim.AdamW(p, lr=0.01),
    "adamw_amsgrad": lambda p: optim.AdamW(p, lr=0.01, weight_decay=0.1, amsgrad=True),
    "adamw_maximize": lambda p: optim.AdamW(p, lr=0.005, maximize=True),
    "rmsprop": lambda p: optim.RMSprop(p, lr=0.01),
    "rmsprop_centered": lambda p: optim.RMSprop(p, lr=0.01, centered=True),
    "rmsprop_momentum": lambda p: optim.RMSprop(p, lr=0.005, momentum=0.9, weight_decay=0.01),
    "rmsprop_all": lambda p: optim.RMSprop(p, lr=0.005, alpha=0.9, centered=True, momentum=0.5, weight_decay=0.01),
    "rmsprop_maximize": lambda p: optim.RMSprop(p, lr=0.001, maximize=True),
    "rmsprop_groups": lambda p: optim.RMSprop(groups(p, dict(lr=0.002, centered=True)), lr=0.01),
    "adagrad": lambda p: optim.Adagrad(p, lr=0.1),
    "adagrad_decay": lambda p: optim.Adagrad(p, lr=0.1, lr_decay=0.05, weight_decay=0.01,
                                             initial_accumulator_value=0.1, eps=1e-8),
    "adagrad_maximize": lambda p: optim.Adagrad(p, lr=0.01, maximize=True),
    "adadelta": lambda p: optim.Adadelta(p),
    "adadelta_wd": lambda p: optim.Adadelta(p, lr=0.5, rho=0.95, eps=1e-5, weight_decay=0.01),
    "adadelta_maximize": lambda p: optim.Adadelta(p, lr=0.1, maximize=True),
    "adamax": lambda p: optim.Adamax(p, lr=0.01),
    "adamax_wd": lambda p: optim.Adamax(p, lr=0.01, betas=(0.8, 0.95), weight_decay=0.05),
    "adamax_maximize": lambda p: optim.Adamax(p, lr=0.005, maximize=True),
    "nadam": lambda p: optim.NAdam(p, lr=0.01),
    "nadam_wd": lambda p: optim.NAdam(p, lr=0.01, weight_decay=0.05, momentum_decay=0.01),
    "radam": lambda p: optim.RAdam(p, lr=0.01),
    "radam_wd": lambda p: optim.RAdam(p, lr=0.01, betas=(0.9, 0.99), weight_decay=0.05),
    "radam_groups": lambda p: optim.RAdam(groups(p, dict(lr=0.002, weight_decay=0.1)), lr=0.01),
}

# LBFGS steps call the closure several times; fewer steps, each of several iterations.
LBFGS_CASES = {
    "lbfgs": lambda p: optim.LBFGS(p, lr=0.5, max_iter=5, history_size=4),
    "lbfgs_wolfe": lambda p: optim.LBFGS(p, lr=1, max_iter=6, history_size=3, line_search_fn="strong_wolfe"),
}
LBFGS_STEPS = 4


def trajectories():
    init = make_init()
    tensors = {}
    for dt, dtype in DTYPES.items():
        for k in NAMES:
            tensors[f"init.{dt}.{k}"] = init[k].to(dtype)
        tensors[f"data.{dt}.x"] = init["x"].to(dtype)
        tensors[f"data.{dt}.y"] = init["y"].to(dtype)
    for name, make in list(CASES.items()) + list(LBFGS_CASES.items()):
        lbfgs = name in LBFGS_CASES
        for dt, dtype in DTYPES.items():
            params = [init[k].to(dtype).clone().requires_grad_(True) for k in NAMES]
            x, y = init["x"].to(dtype), init["y"].to(dtype)
            opt = make(params)
            snaps = {k: [] for k in NAMES}
            for s in range(1, (LBFGS_STEPS if lbfgs else STEPS) + 1):
                if lbfgs:
                    def closure():
                        opt.zero_grad()
                        loss = loss_fn(params, x, y)
                        loss.backward()
                        return loss
                    opt.step(closure)
                else:
                    opt.zero_grad()
                    loss_fn(params, x, y).backward()
                    opt.step()
                if lbfgs or s % 5 == 0:
                    for k, p in zip(NAMES, params):
                        snaps[k].append(p.detach().clone())
            for k in NAMES:
                tensors[f"{name}.{dt}.{k}"] = torch.stack(snaps[k])
    # The gradient-descent contract program.
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = torch.tensor([2.0, 4.0, 6.0])
    opt = optim.SGD([x], lr=0.01)
    for _ in range(1000):
        opt.zero_grad()
        loss = (x - y).square().mean()
        loss.backward()
        opt.step()
    tensors["contract.x"] = x.detach().clone()
    meta = {"case_names": json.dumps(sorted(CASES)), "lbfgs_cases": json.dumps(sorted(LBFGS_CASES)),
            "steps": str(STEPS), "lbfgs_steps": str(LBFGS_STEPS)}
    return tensors, meta


def plateau_metrics(n, kind):
    """A loss-like curve: improves, stalls with small wiggles, improves again."""
    g = torch.Generator().manual_seed(7 if kind == "min" else 8)
    base = [1.0 / (1 + 0.3 * i) if i < 8 or i > 25 else 0.3 for i in range(n)]
    noise = (torch.rand(n, generator=g, dtype=torch.float64) - 0.5) * 0.004
    m = torch.tensor(base, dtype=torch.float64) + noise
    return m if kind == "min" else 1 - m


SCHED_STEPS = 40
SCHEDULERS = {
    "step": lambda o: sch.StepLR(o, step_size=4, gamma=0.5),
    "multistep": lambda o: sch.MultiStepLR(o, milestones=[3, 8, 8, 15], gamma=0.3),
    "exponential": lambda o: sch.ExponentialLR(o, gamma=0.9),
    "cosine": lambda o: sch.CosineAnnealingLR(o, T_max=10, eta_min=0.001),
    "cosine_warm": lambda o: sch.CosineAnnealingWarmRestarts(o, T_0=5, T_mult=2, eta_min=0.001),
    "cosine_warm_1": lambda o: sch.CosineAnnealingWarmRestarts(o, T_0=7),
    "linear": lambda o: sch.LinearLR(o, start_factor=0.25, end_factor=1.0, total_iters=8),
    "linear_decay": lambda o: sch.LinearLR(o, start_factor=1.0, end_factor=0.1, total_iters=20),
    "lambda": lambda o: sch.LambdaLR(o, lambda e: 0.95 ** e),
    "lambda_groups": lambda o: sch.LambdaLR(o, [lambda e: 1 / (1 + e), lambda e: 0.9 ** (e // 3)]),
    "onecycle": lambda o: sch.OneCycleLR(o, max_lr=[1.0, 0.5], total_steps=SCHED_STEPS),
    "onecycle_linear3": lambda o: sch.OneCycleLR(o, max_lr=0.8, total_steps=SCHED_STEPS, pct_start=0.25,
                                                 anneal_strategy="linear", three_phase=True,
                                                 div_factor=10, final_div_factor=100),
    "onecycle_adam": lambda o: sch.OneCycleLR(o, max_lr=0.01, epochs=4, steps_per_epoch=10,
                                              base_momentum=0.8, max_momentum=0.9),
    "sequential": lambda o: sch.SequentialLR(o, [sch.LinearLR(o, start_factor=0.1, total_iters=5),
                                                 sch.ExponentialLR(o, gamma=0.9)], milestones=[5]),
    "sequential_cosine": lambda o: sch.SequentialLR(o, [sch.LinearLR(o, start_factor=0.2, total_iters=4),
                                                        sch.CosineAnnealingLR(o, T_max=20)], milestones=[4]),
    "sequential_three": lambda o: sch.SequentialLR(o, [sch.LinearLR(o, start_factor=0.5, total_iters=3),
                                                       sch.StepLR(o, step_size=3, gamma=0.5),
                                                       sch.ExponentialLR(o, gamma=0.95)], milestones=[3, 12]),
    "plateau_min": lambda o: sch.ReduceLROnPlateau(o, mode="min", factor=0.5, patience=2, threshold=0.01,
                                                   cooldown=1, min_lr=[0.01, 0.001]),
    "plateau_max_abs": lambda o: sch.ReduceLROnPlateau(o, mode="max", factor=0.3, patience=1,
                                                       threshold_mode="abs", threshold=0.005, eps=1e-4),
}


def schedulers():
    tensors = {}
    for name, make in SCHEDULERS.items():
        params = [torch.zeros(2, requires_grad=True), torch.zeros(3, requires_grad=True)]
        if name == "onecycle_adam":
            opt = optim.Adam([{"params": params[:1]}, {"params": params[1:], "lr": 0.05}], lr=0.1)
        else:
            opt = optim.SGD([{"params": params[:1]}, {"params": params[1:], "lr": 0.05}], lr=0.1, momentum=0.9)
        s = make(opt)
        plateau = name.startswith("plateau")
        metrics = plateau_metrics(SCHED_STEPS, "min" if name == "plateau_min" else "max") if plateau else None

        def record():
            lrs.append([g["lr"] for g in opt.param_groups])
            moms.append([g["betas"][0] if "betas" in g else g["momentum"] for g in opt.param_groups])

        lrs, moms = [], []
        record()
        for i in range(SCHED_STEPS):
            opt.step()
            if plateau:
                s.step(metrics[i].item())
            else:
                s.step()
            record()
        tensors[f"{name}.lr"] = torch.tensor(lrs, dtype=torch.float64)
        if name.startswith("onecycle"):
            tensors[f"{name}.momentum"] = torch.tensor(moms, dtype=torch.float64)
        if plateau:
            tensors[f"{name}.metrics"] = metrics
    return tensors, {"case_names": json.dumps(sorted(SCHEDULERS)), "steps": str(SCHED_STEPS)}


CLIP_CASES = {
    "norm2": dict(max_norm=1.0, norm_type=2.0),
    "norm2_noclip": dict(max_norm=100.0, norm_type=2.0),
    "norm1": dict(max_norm=2.0, norm_type=1.0),
    "norm_inf": dict(max_norm=0.5, norm_type=float("inf")),
    "norm3": dict(max_norm=0.7, norm_type=3.0),
    "norm_half": dict(max_norm=5.0, norm_type=0.5),
}


def clip():
    g = torch.Generator().manual_seed(99)
    grads = [torch.randn(4, 5, generator=g, dtype=torch.float64),
             torch.randn(7, generator=g, dtype=torch.float64) * 2,
             torch.randn(2, 3, 2, generator=g, dtype=torch.float64) * 0.5]
    tensors = {f"clip.g{i}": t for i, t in enumerate(grads)}
    for name, kw in CLIP_CASES.items():
        params = [torch.zeros_like(t, requires_grad=True) for t in grads]
        for p, t in zip(params, grads):
            p.grad = t.clone()
        norm = torch.nn.utils.clip_grad_norm_(params, **kw)
        tensors[f"{name}.norm"] = norm.detach().clone()
        for i, p in enumerate(params):
            tensors[f"{name}.g{i}"] = p.grad.detach().clone()
    params = [torch.zeros_like(t, requires_grad=True) for t in grads]
    for p, t in zip(params, grads):
        p.grad = t.clone()
    torch.nn.utils.clip_grad_value_(params, 0.3)
    for i, p in enumerate(params):
        tensors[f"value.g{i}"] = p.grad.detach().clone()
    return tensors, {"case_names": json.dumps(sorted(CLIP_CASES))}


def main():
    os.makedirs(OUT_DIR, exist_ok=True)
    for name, fn in [("optim_trajectories", trajectories), ("optim_schedulers", schedulers), ("optim_clip", clip)]:
        tensors, meta = fn()
        path = os.path.join(OUT_DIR, f"{name}.safetensors")
        write_safetensors(path, tensors, meta)
        print(f"wrote {os.path.relpath(path, ROOT)} ({os.path.getsize(path)} bytes, {len(tensors)} tensors)")


if __name__ == "__main__":
    main()
