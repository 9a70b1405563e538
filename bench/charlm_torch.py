#!/usr/bin/python3
"""The language-model quality check of issue 19 (bench/RESULTS.md, "Character language model"):
the model of an `ember train --task lm --model char-lstm` run folder (Embedding -> LSTM -> Linear),
trained in PyTorch 1.13 on the same text, split, windows, batch size, optimizer, learning rate,
schedule and epochs, reporting the best validation loss (cross-entropy per token, the epoch whose
weights Ember keeps) and the training time, beside Ember's from the run folder.

    /usr/bin/python3 bench/charlm_torch.py runs/charlm

Text: config.json's dataset (text:PATH); vocabulary: the run's vocabulary.json (sorted distinct
characters); the first (1 - valSplit) of the tokens train, the rest validate, both cut into
back-to-back windows of `context` tokens (the target is the window shifted by one). Adam (weight
decay as L2), CosineAnnealingLR(T_max=epochs) stepped per epoch when the run used --scheduler cosine.
"""
import json
import sys
import time

import torch

torch.set_num_threads(2)
folder = sys.argv[1]
config = json.load(open(folder + "/config.json"))
lm = config["languageModel"]
assert config["model"] == "char-lstm" and lm["vocabulary"] == "char", "this script mirrors char-lstm runs"
tokens = json.load(open(folder + "/vocabulary.json"))["tokens"]
index = {t: i for i, t in enumerate(tokens)}
text = open(config["dataset"][5:], encoding="utf-8").read()
ids = torch.tensor([index[c] for c in text])
cut = int(len(ids) * (1 - config["valSplit"]))
L = lm["context"]


def windows(part):
    n = (len(part) - 1 - L) // L + 1
    x = torch.stack([part[i * L:i * L + L] for i in range(n)])
    y = torch.stack([part[i * L + 1:i * L + L + 1] for i in range(n)])
    return x, y


xt, yt = windows(ids[:cut])
xv, yv = windows(ids[cut:])
V = len(tokens)


class CharLSTM(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.embedding = torch.nn.Embedding(V, lm["embedDim"])
        self.lstm = torch.nn.LSTM(lm["embedDim"], lm["hiddenSize"], num_layers=lm["layers"], batch_first=True,
                                  dropout=config["dropout"])
        self.head = torch.nn.Linear(lm["hiddenSize"], V)

    def forward(self, x):
        return self.head(self.lstm(self.embedding(x))[0])


torch.manual_seed(config["seed"])
model = CharLSTM()
opt = torch.optim.Adam(model.parameters(), lr=config["lr"], weight_decay=config["weightDecay"])
sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=config["epochs"]) if config["scheduler"] == "cosine" else None
bs = config["batchSize"]
best = float("inf")
started = time.time()
for epoch in range(config["epochs"]):
    model.train()
    perm = torch.randperm(len(xt))
    for i in range(0, len(perm), bs):
        idx = perm[i:i + bs]
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(xt[idx]).reshape(-1, V), yt[idx].reshape(-1))
        loss.backward()
        opt.step()
    if sched:
        sched.step()
    model.eval()
    with torch.no_grad():
        total = 0.0
        for i in range(0, len(xv), 64):
            out = model(xv[i:i + 64])
            total += torch.nn.functional.cross_entropy(out.reshape(-1, V), yv[i:i + 64].reshape(-1), reduction="sum").item()
        best = min(best, total / yv.numel())
seconds = time.time() - started
ember = json.load(open(folder + "/validation.json"))["metrics"]["loss"]
print(f"best validation loss per token: Ember {ember:.4f}, PyTorch {best:.4f} (Ember / PyTorch = {ember / best:.3f}); "
      f"PyTorch trained in {seconds:.0f} s ({config['epochs']} epochs)")
