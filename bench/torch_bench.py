#!/usr/bin/env python3
"""The PyTorch side of `make bench`: one repeat of a workload, one JSON line per figure.

Same workloads, shapes and timing scheme as Sources/EmberBench (see Timing.swift):
warm up, size a batch from the warm-up's pace, time 5 batches, report the median batch.

    python3 bench/torch_bench.py --workload gemm|elementwise|overhead|lstm|gpt [--quick]

PyTorch at its best on this machine: OpenMP threads that block instead of spinning,
and OpenMP/OpenBLAS limited to the two cores, set before torch is imported.
Exits with status 3 when torch cannot be imported.
"""
import os

os.environ["OMP_WAIT_POLICY"] = "PASSIVE"
os.environ["OMP_NUM_THREADS"] = "2"
os.environ["OPENBLAS_NUM_THREADS"] = "2"

import argparse
import json
import sys
import time

try:
    import torch
except ImportError as e:
    print(f"torch_bench: cannot import torch: {e}", file=sys.stderr)
    sys.exit(3)

torch.set_num_threads(2)

FULL = dict(warmup=0.05, target=0.25, batches=5)
QUICK = dict(warmup=0.01, target=0.05, batches=5)


def seconds_per_call(plan, body):
    """Mirror of `secondsPerCall` in Sources/EmberBench/Timing.swift."""
    warm_calls = 0
    warm_start = time.perf_counter()
    warm_elapsed = 0.0
    while warm_calls < 2 or warm_elapsed < plan["warmup"]:
        body()
        warm_calls += 1
        warm_elapsed = time.perf_counter() - warm_start
    per_call = warm_elapsed / warm_calls
    calls = max(1, int(plan["target"] / plan["batches"] / max(per_call, 1e-9)))
    times = []
    for _ in range(plan["batches"]):
        start = time.perf_counter()
        for _ in range(calls):
            body()
        times.append((time.perf_counter() - start) / calls)
    times.sort()
    return times[len(times) // 2]


def cpu_seconds_per_call(calls, body):
    """Mirror of `cpuSecondsPerCall` in Sources/EmberBench/LSTMBench.swift: process CPU time
    (user + system, all threads) per call."""
    body()
    start = time.process_time()
    for _ in range(calls):
        body()
    return (time.process_time() - start) / calls


def report(workload, case, metric, value):
    print(json.dumps({"workload": workload, "case": case, "impl": "torch", "metric": metric, "value": value}), flush=True)


def gemm(quick, plan):
    squares = [256, 512] if quick else [256, 512, 1024, 2048]
    shapes = [(s, s, s) for s in squares] + [(128, 784, 512)]
    for m, k, n in shapes:
        size = f"{m}^3" if m == k == n else f"{m}x{k}x{n}"
        for layout, label in (("plain", "A.B"), ("ta", "A^T.B"), ("tb", "A.B^T")):
            a_stored = torch.randn(k, m) if layout == "ta" else torch.randn(m, k)
            b_stored = torch.randn(n, k) if layout == "tb" else torch.randn(k, n)
            a = a_stored.T if layout == "ta" else a_stored
            b = b_stored.T if layout == "tb" else b_stored
            t = seconds_per_call(plan, lambda: a.matmul(b))
            report("gemm", f"{size} {label}", "GFLOP/s", 2.0 * m * k * n / t / 1e9)
    a, v = torch.randn(512, 512), torch.randn(1 << 20)
    t = seconds_per_call(plan, lambda: (a.matmul(a), v.relu()))
    report("gemm", "512^3 then relu 1M", "ms/iter", t * 1e3)


def elementwise(quick, plan):
    count = 1024 * 1024 if quick else 4 * 1024 * 1024
    rows, cols = (256 if quick else 1024), 1024
    nbytes = count * 4
    a, b = torch.randn(count), torch.randn(count)
    n = "4M" if count == 4 * 1024 * 1024 else f"{count // (1024 * 1024)}M"
    ops = [("add", 3, lambda: a + b), ("mul", 3, lambda: a * b), ("relu", 2, lambda: a.relu()), ("exp", 2, lambda: a.exp())]
    for name, tensors, op in ops:
        t = seconds_per_call(plan, op)
        report("elementwise", f"{name} {n}", "GB/s", tensors * nbytes / t / 1e9)
    m = torch.randn(rows, cols)
    matrix_bytes = rows * cols * 4
    t = seconds_per_call(plan, lambda: m.sum(dim=-1))
    report("elementwise", f"sum {rows}x{cols} dim -1", "GB/s", (matrix_bytes + rows * 4) / t / 1e9)
    t = seconds_per_call(plan, lambda: m.softmax(dim=-1))
    report("elementwise", f"softmax {rows}x{cols} dim -1", "GB/s", 2 * matrix_bytes / t / 1e9)


def overhead(quick, plan):
    a, b = torch.randn(4, 4), torch.randn(4, 4)
    report("overhead", "add 4x4", "us/op", seconds_per_call(plan, lambda: a + b) * 1e6)
    ga, gb = torch.randn(4, 4, requires_grad=True), torch.randn(4, 4, requires_grad=True)
    report("overhead", "add 4x4 requiresGrad", "us/op", seconds_per_call(plan, lambda: ga + gb) * 1e6)

    w, bias = torch.randn(4, 4, requires_grad=True), torch.randn(4, requires_grad=True)
    x = torch.randn(4, 4)

    def step():
        y = x.matmul(w) + bias
        loss = y.relu().sum()
        loss.backward()
        with torch.no_grad():
            w.sub_(w.grad * 0.01)
            bias.sub_(bias.grad * 0.01)
            w.grad = None
            bias.grad = None

    report("overhead", "train step 4x4", "us/step", seconds_per_call(plan, step) * 1e6)


def lstm(quick, plan):
    """Mirror of Sources/EmberBench/LSTMBench.swift: a character-level LM training step,
    Embedding(vocab, 64) -> LSTM(64, 256) -> Linear(256, vocab), sequence 64, batch 32,
    cross-entropy, backward and torch.optim.SGD, on windows of the GPL-3 text."""
    import torch.nn as nn
    import torch.nn.functional as F
    plan = dict(warmup=0.2, target=0.5, batches=5) if quick else dict(warmup=1.0, target=4.0, batches=5)
    steps, batch = 64, 32
    try:
        with open("/usr/share/common-licenses/GPL-3", "rb") as f:
            text = f.read()
    except OSError:
        text = bytes(97 + (i * 7 + i // 13) % 26 for i in range(35000))
    symbols = sorted(set(text))
    index = {s: i for i, s in enumerate(symbols)}
    data = torch.tensor([index[b] for b in text], dtype=torch.int64)
    vocab = len(symbols)

    class CharLM(nn.Module):
        def __init__(self):
            super().__init__()
            self.emb = nn.Embedding(vocab, 64)
            self.lstm = nn.LSTM(64, 256)
            self.fc = nn.Linear(256, vocab)

        def forward(self, ids):
            output, _ = self.lstm(self.emb(ids))
            return self.fc(output)

    model = CharLM()
    opt = torch.optim.SGD(model.parameters(), lr=0.5)
    g = torch.Generator().manual_seed(0)
    offsets = torch.arange(steps + 1)

    def windows():
        starts = torch.randint(0, len(data) - steps - 1, (batch,), generator=g)
        w = data[starts[None, :] + offsets[:, None]]  # [steps + 1, batch]
        return w[:-1], w[1:].reshape(-1)

    def train_step():
        x, y = windows()
        loss = F.cross_entropy(model(x).reshape(steps * batch, vocab), y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()

    tokens = steps * batch
    report("lstm", "char LM train step", "tokens/s", tokens / seconds_per_call(plan, train_step))
    report("lstm", "char LM train step, CPU time (all threads)", "ms/step", cpu_seconds_per_call(3 if quick else 10, train_step) * 1e3)

    def forward():
        x, _ = windows()
        with torch.no_grad():
            model(x)

    report("lstm", "char LM forward (no grad)", "tokens/s", tokens / seconds_per_call(plan, forward))


def read_corpus():
    try:
        with open("/usr/share/common-licenses/GPL-3", "rb") as f:
            return f.read()
    except OSError:
        return bytes(97 + (i * 7 + i // 13) % 26 for i in range(35000))


def gpt(quick, plan):
    """Mirror of Sources/EmberBench/GPTBench.swift: token and learned position embeddings
    (d_model 128), 4 pre-norm TransformerEncoderLayers (4 heads, feed-forward 512, GELU,
    dropout 0, causal mask), LayerNorm and a Linear head; context 128, batch 32,
    cross-entropy, backward and torch.optim.SGD on windows of the GPL-3 text."""
    import torch.nn as nn
    import torch.nn.functional as F
    plan = dict(warmup=0.5, target=1.0, batches=5) if quick else dict(warmup=2.0, target=8.0, batches=5)
    context, batch, d_model = 128, 32, 128
    text = read_corpus()
    symbols = sorted(set(text))
    index = {s: i for i, s in enumerate(symbols)}
    data = torch.tensor([index[b] for b in text], dtype=torch.int64)
    vocab = len(symbols)

    class MiniGPT(nn.Module):
        def __init__(self):
            super().__init__()
            self.tokens = nn.Embedding(vocab, d_model)
            self.positions = nn.Embedding(context, d_model)
            self.blocks = nn.ModuleList([
                nn.TransformerEncoderLayer(d_model, 4, 512, dropout=0.0, activation="gelu", batch_first=True, norm_first=True)
                for _ in range(4)])
            self.norm = nn.LayerNorm(d_model)
            self.head = nn.Linear(d_model, vocab)
            self.register_buffer("mask", nn.Transformer.generate_square_subsequent_mask(context))

        def forward(self, ids):
            x = self.tokens(ids) + self.positions.weight
            for block in self.blocks:
                x = block(x, src_mask=self.mask)
            return self.head(self.norm(x))

    model = MiniGPT()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    g = torch.Generator().manual_seed(1)
    offsets = torch.arange(context + 1)

    def train_step():
        starts = torch.randint(0, len(data) - context - 1, (batch,), generator=g)
        w = data[starts[:, None] + offsets[None, :]]  # [batch, context + 1]
        x, y = w[:, :-1], w[:, 1:].reshape(-1)
        loss = F.cross_entropy(model(x).reshape(batch * context, vocab), y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()

    report("gpt", "mini GPT train step", "tokens/s", batch * context / seconds_per_call(plan, train_step))
    report("gpt", "mini GPT train step, CPU time (all threads)", "ms/step", cpu_seconds_per_call(2 if quick else 5, train_step) * 1e3)


WORKLOADS = {"gemm": gemm, "elementwise": elementwise, "overhead": overhead, "lstm": lstm, "gpt": gpt}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workload", required=True, choices=sorted(WORKLOADS))
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    print(json.dumps({"meta": {"torch": torch.__version__, "threads": torch.get_num_threads()}}), flush=True)
    torch.manual_seed(0)
    WORKLOADS[args.workload](args.quick, QUICK if args.quick else FULL)


if __name__ == "__main__":
    main()
