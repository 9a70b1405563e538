#!/usr/bin/env python3
"""PyTorch references for composite functions built from Ember's primitives (issue: autograd).

Writes Tests/Fixtures/composite.safetensors with, for each case, its inputs, output and the
gradients of (out * w).sum() for a fixed random w, using the same format and seeding as
scripts/make_fixtures.py. Run with Debian's PyTorch:

    /usr/bin/python3 scripts/make_composite_fixtures.py
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch  # noqa: E402
from make_fixtures import Family, ins, randn, OUT_DIR, ROOT  # noqa: E402


def composite_family():
    f = Family("composite")

    def mlp_inputs():
        return ins(x=randn(8, 5), w1=randn(5, 16) * 0.4, b1=randn(16) * 0.1,
                   w2=randn(16, 3) * 0.4, b2=randn(3) * 0.1,
                   labels=torch.randint(0, 3, (8,)))

    def mlp_loss(x, w1, b1, w2, b2, labels):
        h = torch.relu(x @ w1 + b1)
        logits = h @ w2 + b2
        return -torch.log_softmax(logits, 1).gather(1, labels.unsqueeze(1)).mean()

    f.case("mlp.loss", mlp_loss, mlp_inputs, grads=["x", "w1", "b1", "w2", "b2"])

    def ce_inputs():
        return ins(logits=randn(6, 4) * 3, labels=torch.randint(0, 4, (6,)))

    def ce_by_hand(logits, labels):
        shifted = logits - logits.max(1, keepdim=True).values
        log_probs = shifted - shifted.exp().sum(1, keepdim=True).log()
        picked = (log_probs * torch.nn.functional.one_hot(labels, 4).to(log_probs.dtype)).sum(1)
        return -picked.mean()

    f.case("softmax.cross_entropy", ce_by_hand, ce_inputs, grads=["logits"])

    def ln_inputs():
        return ins(x=randn(4, 6) * 2 + 1, gamma=randn(6), beta=randn(6))

    def layer_norm(x, gamma, beta):
        mean = x.mean(1, keepdim=True)
        var = ((x - mean) ** 2).mean(1, keepdim=True)
        return (x - mean) / torch.sqrt(var + 1e-5) * gamma + beta

    f.case("layer_norm", layer_norm, ln_inputs)

    def attention_inputs():
        return ins(q=randn(2, 3, 4), k=randn(2, 5, 4), v=randn(2, 5, 4))

    def attention(q, k, v):
        scores = q @ k.transpose(1, 2) / 2.0
        return scores.softmax(-1) @ v

    f.case("attention", attention, attention_inputs)
    return f


def main():
    path, n = composite_family().write()
    print(f"{os.path.relpath(path, ROOT)}: {n} cases, {os.path.getsize(path)} bytes")


if __name__ == "__main__":
    main()
