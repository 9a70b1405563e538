#!/usr/bin/env python3
"""The JAX side of `make bench` (the `mlp` workload only): one repeat, one JSON line per figure.

    bench/.venv/bin/python bench/jax_bench.py --workload mlp [--quick]

Mirror of Sources/EmberBench/MLPBench.swift and torch_bench.py's `mlp`: a 784-512-256-10 MLP
(ReLU) trained with Adam (lr 1e-3, betas 0.9/0.999, eps 1e-8) and mean cross-entropy, batch
128, on Fashion-MNIST kept as one uint8 [60000, 784] array; each epoch draws a permutation
and each batch is gathered from the uint8 array and converted to float32 in [0, 1], inside
one jit-compiled step (gather, forward, backward, Adam), with the parameters and optimizer
state donated so XLA updates them in place. One warm-up epoch (which also compiles the step
for the full and the last, partial batch) is not timed; samples/s over the next two epochs.
Initialization follows torch.nn.Linear's (uniform in ±1/sqrt(fan_in)). JAX at its defaults:
XLA's CPU backend uses every core it may run on (two here).

Exits with status 3 when jax cannot be imported (`make bench-peers` installs it).
"""
import argparse
import gzip
import json
import sys
import time
from peak_memory import peak_resident_mib

try:
    import numpy as np
    import jax
    import jax.numpy as jnp
except ImportError as e:
    print(f"jax_bench: cannot import jax: {e}", file=sys.stderr)
    sys.exit(3)

ROOT = "/usr/share/datasets/fashion-mnist"
SIZES = [784, 512, 256, 10]
PLAN = dict(epochs=3, warmup_epochs=1, batches_per_epoch=None)
QUICK = dict(epochs=3, warmup_epochs=1, batches_per_epoch=60)


def report(workload, case, metric, value):
    print(json.dumps({"workload": workload, "case": case, "impl": "jax", "metric": metric, "value": value}), flush=True)




def load_fashion_mnist_train():
    with gzip.open(f"{ROOT}/train-images-idx3-ubyte.gz") as f:
        images = np.frombuffer(f.read(), dtype=np.uint8, offset=16).reshape(-1, 784)
    with gzip.open(f"{ROOT}/train-labels-idx1-ubyte.gz") as f:
        labels = np.frombuffer(f.read(), dtype=np.uint8, offset=8).astype(np.int32)
    return images, labels


def init_params(key):
    params = []
    for fan_in, fan_out in zip(SIZES[:-1], SIZES[1:]):
        key, kw, kb = jax.random.split(key, 3)
        bound = 1.0 / np.sqrt(fan_in)
        params.append((jax.random.uniform(kw, (fan_in, fan_out), jnp.float32, -bound, bound),
                       jax.random.uniform(kb, (fan_out,), jnp.float32, -bound, bound)))
    return params


def loss_fn(params, x, y):
    h = x
    for i, (w, b) in enumerate(params):
        h = h @ w + b
        if i < len(params) - 1:
            h = jax.nn.relu(h)
    logp = jax.nn.log_softmax(h)
    return -jnp.mean(jnp.take_along_axis(logp, y[:, None], axis=1))


def make_step(lr=1e-3, b1=0.9, b2=0.999, eps=1e-8):
    def step(params, m, v, t, images, labels, index):
        x = images[index].astype(jnp.float32) / 255.0
        y = labels[index]
        loss, grads = jax.value_and_grad(loss_fn)(params, x, y)
        t = t + 1
        m = jax.tree_util.tree_map(lambda m, g: b1 * m + (1 - b1) * g, m, grads)
        v = jax.tree_util.tree_map(lambda v, g: b2 * v + (1 - b2) * g * g, v, grads)
        c1, c2 = 1 - b1 ** t, 1 - b2 ** t
        params = jax.tree_util.tree_map(lambda p, m, v: p - lr * (m / c1) / (jnp.sqrt(v / c2) + eps), params, m, v)
        return params, m, v, t, loss
    return jax.jit(step, donate_argnums=(0, 1, 2))


def mlp(quick):
    images_np, labels_np = load_fashion_mnist_train()
    images, labels = jnp.asarray(images_np), jnp.asarray(labels_np)
    params = init_params(jax.random.PRNGKey(0))
    m = jax.tree_util.tree_map(jnp.zeros_like, params)
    v = jax.tree_util.tree_map(jnp.zeros_like, params)
    t = jnp.zeros((), jnp.float32)
    step = make_step()
    rng = np.random.default_rng(0)
    p = QUICK if quick else PLAN
    n, batch = len(labels_np), 128
    samples, start = 0, 0.0
    loss = None
    for epoch in range(p["epochs"]):
        if epoch == p["warmup_epochs"]:
            jax.block_until_ready(params)
            start = time.perf_counter()
        order = rng.permutation(n).astype(np.int32)
        batches = (n + batch - 1) // batch
        if p["batches_per_epoch"] is not None:
            batches = min(batches, p["batches_per_epoch"])
        for b in range(batches):
            index = order[b * batch:(b + 1) * batch]
            params, m, v, t, loss = step(params, m, v, t, images, labels, index)
            if epoch >= p["warmup_epochs"]:
                samples += len(index)
    jax.block_until_ready((params, loss))
    elapsed = time.perf_counter() - start
    report("mlp", "train 784-512-256-10 Adam b128 (warm epochs)", "samples/s", samples / elapsed)
    report("mlp", "peak resident memory", "MiB (lower)", peak_resident_mib())


WORKLOADS = {"mlp": mlp}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workload", required=True, choices=sorted(WORKLOADS))
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    print(json.dumps({"meta": {"jax": jax.__version__, "devices": len(jax.devices())}}), flush=True)
    WORKLOADS[args.workload](args.quick)


if __name__ == "__main__":
    main()
