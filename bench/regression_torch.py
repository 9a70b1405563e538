#!/usr/bin/python3
"""The regression quality check of issue 19 (bench/RESULTS.md, "Tabular regression"): the same
MLP as `ember train --task regression` (features -> 64 -> 64 -> 1, ReLU; inputs standardized and
the output un-standardized with the statistics of the training rows), trained in PyTorch 1.13 with
the same optimizer, learning rate, batch size, epochs and split as an Ember run folder, reporting
the validation MSE of the best epoch (what Ember keeps in model.safetensors and validation.json).

    /usr/bin/python3 bench/regression_torch.py runs/diabetes-s0 [runs/diabetes-s1 ...]

Each run folder gives its config.json (seed, lr, batch size, epochs, hidden widths) and
regression.json (the validation rows). The split is Ember's; initialization and shuffling
use torch.manual_seed(seed), so single runs differ and the comparison is of means over seeds.
"""
import csv
import json
import sys

import torch

torch.set_num_threads(2)


def run(folder):
    config = json.load(open(folder + "/config.json"))
    info = json.load(open(folder + "/regression.json"))
    path = config["dataset"][4:]
    with open(path) as f:
        reader = csv.reader(f)
        header = next(reader)
        rows = [[float(c) for c in r] for r in reader if r]
    t = header.index(info["target"])
    feats = [header.index(c) for c in info["features"]]
    x = torch.tensor([[r[j] for j in feats] for r in rows], dtype=torch.float32)
    y = torch.tensor([r[t] for r in rows], dtype=torch.float32)
    held = set(info["validationRows"])
    tr = torch.tensor([i for i in range(len(rows)) if i not in held])
    va = torch.tensor(info["validationRows"])
    xm, xs = x[tr].double().mean(0), x[tr].double().std(0, unbiased=False)
    ym, ys = y[tr].double().mean(), y[tr].double().std(unbiased=False)
    xm, xs, ym, ys = xm.float(), xs.float(), ym.float(), ys.float()

    torch.manual_seed(config["seed"])
    widths = [len(feats)] + config.get("hidden", [64, 64])
    layers = []
    for a, b in zip(widths, widths[1:]):
        layers += [torch.nn.Linear(a, b), torch.nn.ReLU()]
    layers.append(torch.nn.Linear(widths[-1], 1))
    net = torch.nn.Sequential(*layers)

    def model(inp):
        return net((inp - xm) / xs).squeeze(1) * ys + ym

    opt = torch.optim.Adam(net.parameters(), lr=config["lr"], weight_decay=config["weightDecay"])
    bs = config["batchSize"]
    best = float("inf")
    for epoch in range(config["epochs"]):
        perm = tr[torch.randperm(len(tr))]
        for i in range(0, len(perm), bs):
            idx = perm[i:i + bs]
            opt.zero_grad()
            loss = torch.nn.functional.mse_loss(model(x[idx]), y[idx])
            loss.backward()
            opt.step()
        with torch.no_grad():
            best = min(best, torch.nn.functional.mse_loss(model(x[va]), y[va]).item())
    ember = json.load(open(folder + "/validation.json"))["metrics"]["mse"]
    return best, ember


results = [run(f) for f in sys.argv[1:]]
for f, (torch_mse, ember_mse) in zip(sys.argv[1:], results):
    print(f"{f}: validation MSE of the best epoch: Ember {ember_mse:.1f}, PyTorch {torch_mse:.1f}")
te = sum(r[0] for r in results) / len(results)
ee = sum(r[1] for r in results) / len(results)
print(f"mean over {len(results)} seeds: Ember {ee:.1f}, PyTorch {te:.1f}, Ember / PyTorch = {ee / te:.3f}")
