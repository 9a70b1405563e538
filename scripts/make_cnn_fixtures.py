#!/usr/bin/env python3
"""PyTorch references for convolutional models (issue: EmberNN).

Writes Tests/Fixtures/nn_cnn_{state,io}.safetensors (Conv2d + BatchNorm2d + MaxPool2d +
Dropout + Linear) and nn_convall_{state,io}.safetensors (every convolution and pooling layer),
in the same layout as scripts/make_nn_fixtures.py. Run with Debian's PyTorch:

    /usr/bin/python3 scripts/make_cnn_fixtures.py
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from make_nn_fixtures import state_file, io_file  # noqa: E402


class CNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 8, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(8)
        self.pool = nn.MaxPool2d(2)
        self.conv2 = nn.Conv2d(8, 16, 3, padding=1)
        self.drop = nn.Dropout(0.25)
        self.fc = nn.Linear(16 * 3 * 3, 10)

    def forward(self, x):
        x = self.pool(F.relu(self.bn1(self.conv1(x))))
        x = self.pool(F.relu(self.conv2(x)))
        return self.fc(self.drop(torch.flatten(x, 1)))


class ConvAll(nn.Module):
    def __init__(self):
        super().__init__()
        self.same = nn.Conv2d(2, 4, 3, padding="same")
        self.grouped = nn.Conv2d(4, 6, (3, 3), stride=2, padding=1, dilation=1, groups=2, bias=False)
        self.up = nn.ConvTranspose2d(6, 4, 3, stride=2, output_padding=1)
        self.avg = nn.AvgPool2d(2)
        self.adapt = nn.AdaptiveAvgPool2d((3, 3))
        self.conv1d = nn.Conv1d(4, 5, 3, padding=1)
        self.maxpool1d = nn.MaxPool1d(2)
        self.avgpool1d = nn.AvgPool1d(2)
        self.fc = nn.Linear(5 * 2, 3)

    def forward(self, x):
        x = torch.tanh(self.same(x))
        x = torch.tanh(self.grouped(x))
        x = self.avg(torch.tanh(self.up(x)))
        x = self.adapt(x)                       # [N, 4, 3, 3]
        x = self.conv1d(torch.flatten(x, 2))    # [N, 5, 9]
        x = self.avgpool1d(self.maxpool1d(x))   # [N, 5, 2]
        return self.fc(torch.flatten(x, 1))


def run(name, model, x, target, dropouts=()):
    state_file(model, f"nn_{name}_state")
    model.train()
    for d in dropouts:
        d.eval()
    out = model(x)
    loss = F.cross_entropy(out, target)
    loss.backward()
    io = {"input": x, "target": target, "out_train": out.detach(), "loss": loss.detach()}
    for pname, p in model.named_parameters():
        io[f"grad.{pname}"] = p.grad
    for bname, b in model.named_buffers():
        io[f"after.{bname}"] = b.clone()
    model.eval()
    with torch.no_grad():
        io["out_eval"] = model(x)
    io_file(f"nn_{name}_io", io)


def main():
    torch.set_default_dtype(torch.float32)
    torch.manual_seed(11)
    cnn = CNN()
    g = torch.Generator().manual_seed(5)
    run("cnn", cnn, torch.randn(4, 1, 12, 12, generator=g), torch.randint(0, 10, (4,), generator=g), dropouts=(cnn.drop,))
    torch.manual_seed(12)
    run("convall", ConvAll(), torch.randn(3, 2, 9, 9, generator=g), torch.randint(0, 3, (3,), generator=g))


if __name__ == "__main__":
    main()
