#!/usr/bin/env python3
"""The PyTorch side of `make bench`: one repeat of a workload, one JSON line per figure.

Same workloads, shapes and timing scheme as Sources/EmberBench (see Timing.swift):
warm up, size a batch from the warm-up's pace, time 5 batches, report the median batch.

    python3 bench/torch_bench.py --workload gemm|elementwise|overhead|optim|mlp|cnn|nnops|conv|lstm|gpt|data [--quick]

    ... [--omp-wait-policy PASSIVE|stock]

PyTorch at its best on this machine, set before torch is imported: OpenMP/OpenBLAS limited
to the two cores, and the OpenMP wait policy that suits the build. PyTorch 1.13 (Debian,
libgomp) runs best with PASSIVE (threads block instead of spinning: its default spins against
OpenBLAS's threads); PyTorch 2 (PyPI: MKL, oneDNN, its own libgomp) runs best at its stock policy (PASSIVE
halves its MLP and LSTM throughput), so bench/run.py passes `--omp-wait-policy stock` for it.
Exits with status 3 when torch cannot be imported.
"""
import os
import sys


def omp_wait_policy(argv):
    """The value of --omp-wait-policy in argv (PASSIVE when absent): read before torch loads."""
    for i, arg in enumerate(argv):
        if arg == "--omp-wait-policy" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--omp-wait-policy="):
            return arg.split("=", 1)[1]
    return "PASSIVE"


if omp_wait_policy(sys.argv) == "stock":
    os.environ.pop("OMP_WAIT_POLICY", None)
else:
    os.environ["OMP_WAIT_POLICY"] = omp_wait_policy(sys.argv)
os.environ["OMP_NUM_THREADS"] = "2"
os.environ["OPENBLAS_NUM_THREADS"] = "2"

import argparse
import json
import time
from peak_memory import peak_resident_mib

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

    # Three modules called per forward (a Sequential, its Linear and ReLU): the fixed cost
    # of a module call, with no gradient recorded.
    model = torch.nn.Sequential(torch.nn.Linear(4, 4), torch.nn.ReLU())

    def module_forward():
        with torch.no_grad():
            return model(x)

    report("overhead", "module forward 4x4", "us/call", seconds_per_call(plan, module_forward) * 1e6)


def optim_bench(quick, plan):
    """Mirror of Sources/EmberBench/OptimBench.swift: one optimizer step over a 784-512-256-10
    MLP's parameters with fixed random gradients. foreach=False is PyTorch 1.13's default on
    CPU (the single-tensor path); "Adam vs foreach" runs its multi-tensor path instead."""
    shapes = [(784, 512), (512,), (512, 256), (256,), (256, 10), (10,)]
    cases = [
        ("Adam", lambda p: torch.optim.Adam(p, foreach=False)),
        ("Adam vs foreach", lambda p: torch.optim.Adam(p, foreach=True)),
        ("AdamW amsgrad", lambda p: torch.optim.AdamW(p, amsgrad=True, foreach=False)),
        ("SGD momentum", lambda p: torch.optim.SGD(p, lr=0.01, momentum=0.9, foreach=False)),
        ("RMSprop", lambda p: torch.optim.RMSprop(p, foreach=False)),
    ]
    for name, make in cases:
        params = [torch.randn(*s, requires_grad=True) for s in shapes]
        for p, s in zip(params, shapes):
            p.grad = torch.randn(*s) * 0.01
        opt = make(params)
        opt.step()  # allocates the state
        t = seconds_per_call(plan, opt.step)
        report("optim", f"{name} MLP 784-512-256-10", "ms/step", t * 1e3)




def load_fashion_mnist_train():
    """Fashion-MNIST training images (uint8, kept as bytes like Ember) and labels."""
    import gzip
    import numpy as np
    root = "/usr/share/datasets/fashion-mnist"
    with gzip.open(f"{root}/train-images-idx3-ubyte.gz") as f:
        images = np.frombuffer(f.read(), dtype=np.uint8, offset=16).reshape(-1, 784)
    with gzip.open(f"{root}/train-labels-idx1-ubyte.gz") as f:
        labels = np.frombuffer(f.read(), dtype=np.uint8, offset=8)
    return torch.from_numpy(images.copy()), torch.from_numpy(labels.astype(np.int64))




MLP_PLAN = dict(epochs=3, warmup_epochs=1, batches_per_epoch=None)
MLP_QUICK = dict(epochs=3, warmup_epochs=1, batches_per_epoch=60)


def mlp(quick, plan):
    """Mirror of Sources/EmberBench/MLPBench.swift (and bench/jax_bench.py): batches gathered
    from one uint8 tensor by each epoch's permutation (no per-sample DataLoader), one warm-up
    epoch untimed, then samples/s over the next two (epochs of 60 batches with --quick)."""
    torch.manual_seed(0)
    images, labels = load_fashion_mnist_train()
    model = torch.nn.Sequential(torch.nn.Linear(784, 512), torch.nn.ReLU(), torch.nn.Linear(512, 256),
                                torch.nn.ReLU(), torch.nn.Linear(256, 10))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    criterion = torch.nn.CrossEntropyLoss()
    p = MLP_QUICK if quick else MLP_PLAN
    n, batch = len(labels), 128
    samples, start = 0, 0.0
    for epoch in range(p["epochs"]):
        if epoch == p["warmup_epochs"]:
            start = time.perf_counter()
        order = torch.randperm(n)
        batches = (n + batch - 1) // batch
        if p["batches_per_epoch"] is not None:
            batches = min(batches, p["batches_per_epoch"])
        for b in range(batches):
            index = order[b * batch:(b + 1) * batch]
            x = images[index].float().div_(255)
            y = labels[index]
            optimizer.zero_grad()
            loss = criterion(model(x), y)
            loss.backward()
            optimizer.step()
            if epoch >= p["warmup_epochs"]:
                samples += len(index)
    elapsed = time.perf_counter() - start
    report("mlp", "train 784-512-256-10 Adam b128 (warm epochs)", "samples/s", samples / elapsed)
    report("mlp", "peak resident memory", "MiB (lower)", peak_resident_mib())


def conv(quick, plan):
    """Mirror of Sources/EmberBench/ConvBench.swift."""
    import torch.nn.functional as F
    batch = 128

    def measure(name, params, forward, gradient):
        def fwd():
            with torch.no_grad():
                forward()
        report("conv", f"{name} fwd", "ms/iter", seconds_per_call(plan, fwd) * 1e3)

        def step():
            forward().backward(gradient)
            for p in params:
                p.grad = None
        report("conv", f"{name} fwd+bwd", "ms/iter", seconds_per_call(plan, step) * 1e3)

    x1 = torch.randn(batch, 1, 28, 28)
    w1, b1 = torch.randn(32, 1, 3, 3, requires_grad=True), torch.randn(32, requires_grad=True)
    measure("conv2d 1->32 3x3 pad 1 [128,1,28,28]", [w1, b1], lambda: F.conv2d(x1, w1, b1, padding=1),
            torch.randn(batch, 32, 28, 28))
    x2 = torch.randn(batch, 32, 14, 14, requires_grad=True)
    w2, b2 = torch.randn(64, 32, 3, 3, requires_grad=True), torch.randn(64, requires_grad=True)
    g2 = torch.randn(batch, 64, 14, 14)
    measure("conv2d 32->64 3x3 pad 1 [128,32,14,14]", [x2, w2, b2], lambda: F.conv2d(x2, w2, b2, padding=1), g2)

    def step2():
        F.conv2d(x2, w2, b2, padding=1).backward(g2)
        for p in [x2, w2, b2]:
            p.grad = None
    report("conv", "conv2d 32->64 3x3 pad 1 [128,32,14,14] fwd+bwd, CPU time (all threads)", "ms/iter",
           cpu_seconds_per_call(5 if quick else 30, step2) * 1e3)
    x3 = torch.randn(batch, 32, 28, 28, requires_grad=True)
    measure("maxPool2d 2x2 [128,32,28,28]", [x3], lambda: F.max_pool2d(x3, 2), torch.randn(batch, 32, 14, 14))


def convparts(quick, plan):
    """Mirror of Sources/EmberBench/ConvPartsBench.swift (not in bench/run.py's list)."""
    import torch.nn.functional as F
    calls = 5 if quick else 30
    x = torch.randn(128, 32, 14, 14)
    xg = x.detach().requires_grad_()
    w = torch.randn(64, 32, 3, 3)
    wg = w.detach().requires_grad_()
    b = torch.randn(64)
    bg = b.detach().requires_grad_()
    gy = torch.randn(128, 64, 14, 14)

    def fwd():
        with torch.no_grad():
            F.conv2d(x, w, b, padding=1)

    def step(xs, ws, bs, params):
        def body():
            F.conv2d(xs, ws, bs, padding=1).backward(gy)
            for p in params:
                p.grad = None
        return body
    cases = [("fwd", fwd), ("fwd+input grad", step(xg, w, b, [xg])), ("fwd+weight grad", step(x, wg, b, [wg])),
             ("fwd+bias grad", step(x, w, bg, [bg])), ("fwd+bwd", step(xg, wg, bg, [xg, wg, bg]))]
    for name, body in cases:
        report("convparts", f"conv2d 32->64 [128,32,14,14] {name}, CPU time", "ms/iter", cpu_seconds_per_call(calls, body) * 1e3)


def cnn(quick, plan):
    """Mirror of Sources/EmberBench/CNNBench.swift."""
    from fashion_cnn import FashionCNN as Net

    torch.manual_seed(0)
    images, labels = load_fashion_mnist_train()
    model = Net()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    criterion = torch.nn.CrossEntropyLoss()
    order = torch.randperm(len(labels))
    max_batches = 30 if quick else 150
    samples = batches = 0
    start = time.perf_counter()
    for i in range(0, len(labels), 128):
        index = order[i:i + 128]
        x = images[index].float().div_(255).view(-1, 1, 28, 28)
        optimizer.zero_grad()
        loss = criterion(model(x), labels[index])
        loss.backward()
        optimizer.step()
        samples += len(index)
        batches += 1
        if batches >= max_batches:
            break
    report("cnn", "train b128 Adam", "samples/s", samples / (time.perf_counter() - start))
    model.eval()
    batch = torch.rand(1000, 1, 28, 28)
    with torch.no_grad():
        t = seconds_per_call(plan, lambda: model(batch))
    report("cnn", "inference b1000", "samples/s", 1000 / t)
    report("cnn", "peak resident memory", "MiB (lower)", peak_resident_mib())


def lstm(quick, plan):
    """Mirror of Sources/EmberBench/LSTMBench.swift: a character-level LM training step,
    Embedding(vocab, 64) -> LSTM(64, 256) -> Linear(256, vocab), sequence 64, batch 32,
    cross-entropy, backward and torch.optim.Adam (lr 1e-3), on windows of the GPL-3 text."""
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
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
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


def nnops(quick, plan):
    """Mirror of Sources/EmberBench/NNOpsBench.swift."""
    bn = torch.nn.BatchNorm2d(32)
    x = torch.randn(128, 32, 28, 28, requires_grad=True)
    gradient = torch.randn(128, 32, 28, 28)

    def bn_step():
        bn(x).backward(gradient)
        x.grad = None
        bn.zero_grad()
    report("nnops", "BatchNorm2d(32) fwd+bwd [128,32,28,28]", "ms/iter", seconds_per_call(plan, bn_step) * 1e3)
    bn.eval()
    with torch.no_grad():
        report("nnops", "BatchNorm2d(32) eval fwd [128,32,28,28]", "ms/iter", seconds_per_call(plan, lambda: bn(x)) * 1e3)
    bn1 = torch.nn.BatchNorm1d(128)
    h = torch.randn(128, 128, requires_grad=True)
    gradient1 = torch.randn(128, 128)

    def bn1_step():
        bn1(h).backward(gradient1)
        h.grad = None
        bn1.zero_grad()
    report("nnops", "BatchNorm1d(128) fwd+bwd [128,128]", "ms/iter", seconds_per_call(plan, bn1_step) * 1e3)
    criterion = torch.nn.CrossEntropyLoss()
    logits = torch.randn(128, 10, requires_grad=True)
    labels = torch.randint(0, 10, (128,))

    def ce_step():
        criterion(logits, labels).backward()
        logits.grad = None
    report("nnops", "CrossEntropyLoss fwd+bwd [128,10]", "ms/iter", seconds_per_call(plan, ce_step) * 1e3)


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
    cross-entropy, backward and a torch.optim.AdamW step (lr 1e-3, weight decay 0.01) on
    windows of the GPL-3 text."""
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
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.01)
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


def data(quick, plan):
    """Mirror of Sources/EmberBench/DataBench.swift: full Fashion-MNIST training epochs,
    batch 128, shuffle, num_workers=0, through torch.utils.data.DataLoader over a
    TensorDataset of the images as float32 [60000, 1, 28, 28] in [0, 1] (what torchvision's
    ToTensor makes) and int64 labels. "+ Normalize" wraps it in a Dataset whose __getitem__
    applies (x - 0.2860) / 0.3530 to each sample, as transforms.Normalize does on a tensor
    (F.normalize: sub mean, div std). Samples/s, the median of 3 epochs (1 with --quick)."""
    from torch.utils.data import DataLoader, Dataset, TensorDataset

    images, labels = load_fashion_mnist_train()
    tensors = TensorDataset(images.float().div_(255).view(-1, 1, 28, 28), labels)
    mean = torch.tensor([0.2860]).view(1, 1, 1)
    std = torch.tensor([0.3530]).view(1, 1, 1)

    class Normalized(Dataset):
        def __init__(self, base):
            self.base = base

        def __len__(self):
            return len(self.base)

        def __getitem__(self, i):
            x, y = self.base[i]
            return (x - mean) / std, y

    def rate(dataset):
        loader = DataLoader(dataset, batch_size=128, shuffle=True, num_workers=0, generator=torch.Generator().manual_seed(0))
        rates = []
        for _ in range(1 if quick else 3):
            samples = 0
            start = time.perf_counter()
            for x, y in loader:
                samples += len(y)
            rates.append(samples / (time.perf_counter() - start))
        rates.sort()
        return rates[len(rates) // 2]

    report("data", "Fashion-MNIST epoch, shuffle + Normalize, b128, 0 workers", "samples/s", rate(Normalized(tensors)))
    report("data", "Fashion-MNIST epoch, shuffle, b128, 0 workers", "samples/s", rate(tensors))
    report("data", "peak resident memory", "MiB (lower)", peak_resident_mib())


WORKLOADS = {"gemm": gemm, "elementwise": elementwise, "overhead": overhead, "optim": optim_bench, "mlp": mlp, "cnn": cnn, "nnops": nnops, "conv": conv, "convparts": convparts, "lstm": lstm, "gpt": gpt, "data": data}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workload", required=True, choices=sorted(WORKLOADS))
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--omp-wait-policy", default="PASSIVE", choices=["PASSIVE", "ACTIVE", "stock"],
                        help="OMP_WAIT_POLICY for torch's OpenMP threads; stock leaves it unset")
    args = parser.parse_args()
    print(json.dumps({"meta": {"torch": torch.__version__, "threads": torch.get_num_threads(),
                               "omp_wait_policy": args.omp_wait_policy}}), flush=True)
    torch.manual_seed(0)
    WORKLOADS[args.workload](args.quick, QUICK if args.quick else FULL)


if __name__ == "__main__":
    main()
