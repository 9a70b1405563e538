#!/usr/bin/env python3
"""ResNet fixtures for Ember's tests: Tests/Fixtures/resnet.safetensors.

torchvision's resnet18 weights are 46 MB, too big to commit, so every parameter and buffer
is set by a formula Swift reproduces bit for bit (ResNetFixtureTests.swift):

    code(t, i) = a hash of (tensor index t in state_dict order, element index i), in -8...8
    conv / linear weight [out, in, ...]:  code / 8 * 2^-e,  e = floor(log2(fan_in) / 2)
    BatchNorm weight:   1 + code / 64        bias and running_mean: code / 64
    running_var:        1 + (code + 8) / 32  (in [1, 1.5])
    num_batches_tracked: t                   fc.bias: code / 64
    input element i:    code(1000, i) / 8 (the small network's input: code(1001, i) / 8)

Every value is a small multiple of a power of two, exact in float32. The fixture holds:

- "eval64": torchvision.models.resnet18(num_classes=10) in eval mode on a 2×3×64×64 input,
  "eval224": the same on a 1×3×224×224 input, "train64": the 64×64 input in train mode
  (batch statistics) after both; metadata "resnet18_keys": the state_dict keys and shapes in order.
- "small.logits" and "small.grad.<key>": a ResNet-18 with the small stem (3×3 stride-1 conv1,
  no maxpool) of width 4 on a 2×1×28×28 input in train mode, the logits and every parameter's
  gradient of cross_entropy(logits, [3, 7]); metadata "small_keys".

Usage:
    python3 scripts/make_resnet_fixtures.py                        # writes the fixture
    python3 scripts/make_resnet_fixtures.py --export-torchvision resnet18.safetensors [--pretrained]
        # writes a real torchvision resnet18 state_dict (random init, or the ImageNet weights
        # with --pretrained when torchvision can download them) for Ember's resnet18() to load.
"""
import argparse
import json
import math
import os

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision
from torchvision.models.resnet import BasicBlock

from make_fixtures import write_safetensors as write_torch_safetensors

torch.set_default_dtype(torch.float32)  # make_fixtures sets float64 on import; torchvision's models are float32

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURE = os.path.join(ROOT, "Tests", "Fixtures", "resnet.safetensors")


def write_safetensors(path, tensors, metadata=None):
    """Writes name -> numpy array as safetensors (make_fixtures.py's writer)."""
    write_torch_safetensors(path, {k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in tensors.items()}, metadata or {})


def code(t, n):
    """The hash codes in -8...8 of elements 0..<n of tensor t (Swift: resnetFixtureCode)."""
    i = np.arange(n, dtype=np.uint64)
    m = np.uint64(0xFFFFFFFF)
    h = ((i + np.uint64(1)) * np.uint64(2654435761) + np.uint64((t + 1) * 40503)) & m
    h ^= h >> np.uint64(13)
    h = (h * np.uint64(2246822519)) & m
    h ^= h >> np.uint64(16)
    return (h % np.uint64(17)).astype(np.int64) - 8


def formula_value(t, name, shape):
    """The fixture's value of state_dict entry `name` (index t) of `shape`."""
    n = int(np.prod(shape)) if len(shape) else 1
    c = code(t, n).astype(np.float64)
    if name.endswith("num_batches_tracked"):
        return np.array(t, dtype=np.int64)
    if len(shape) >= 2:
        fan_in = n // shape[0]
        e = int(math.floor(math.log2(fan_in) / 2))
        v = c / 8 * 2.0 ** -e
    elif name.endswith("running_var"):
        v = 1 + (c + 8) / 32
    elif name.endswith("weight"):
        v = 1 + c / 64
    else:  # bias, running_mean
        v = c / 64
    return v.astype(np.float32).reshape(shape)


def set_by_formula(model):
    sd = model.state_dict()
    new = {}
    for t, (name, value) in enumerate(sd.items()):
        new[name] = torch.from_numpy(np.array(formula_value(t, name, tuple(value.shape))))
    model.load_state_dict(new, strict=True)
    return list((k, list(v.shape)) for k, v in sd.items())


class SmallResNet(nn.Module):
    """torchvision's ResNet-18 with a 3×3 stride-1 stem, no maxpool and `width` base channels
    (Ember: resnet18Small(numClasses:inChannels:width:)); the same state_dict names."""

    def __init__(self, num_classes, in_channels, width):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, width, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.relu = nn.ReLU(inplace=True)
        self.inplanes = width
        self.layer1 = self._make_layer(width, 1)
        self.layer2 = self._make_layer(2 * width, 2)
        self.layer3 = self._make_layer(4 * width, 2)
        self.layer4 = self._make_layer(8 * width, 2)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(8 * width, num_classes)

    def _make_layer(self, planes, stride):
        downsample = None
        if stride != 1 or self.inplanes != planes:
            downsample = nn.Sequential(nn.Conv2d(self.inplanes, planes, 1, stride, bias=False), nn.BatchNorm2d(planes))
        layers = [BasicBlock(self.inplanes, planes, stride, downsample), BasicBlock(planes, planes)]
        self.inplanes = planes
        return nn.Sequential(*layers)

    def forward(self, x):
        x = self.relu(self.bn1(self.conv1(x)))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(torch.flatten(self.avgpool(x), 1))


def formula_input(t, shape):
    return torch.from_numpy((code(t, int(np.prod(shape))) / 8).astype(np.float32).reshape(shape))


def make_fixture():
    torch.manual_seed(0)
    out, meta = {}, {}
    model = torchvision.models.resnet18(num_classes=10)
    meta["resnet18_keys"] = json.dumps(set_by_formula(model))
    model.eval()
    with torch.no_grad():
        out["eval64"] = model(formula_input(1000, (2, 3, 64, 64))).numpy()
        out["eval224"] = model(formula_input(1000, (1, 3, 224, 224))).numpy()
        model.train()
        out["train64"] = model(formula_input(1000, (2, 3, 64, 64))).numpy()

    small = SmallResNet(10, 1, 4)
    meta["small_keys"] = json.dumps(set_by_formula(small))
    small.train()
    logits = small(formula_input(1001, (2, 1, 28, 28)))
    F.cross_entropy(logits, torch.tensor([3, 7])).backward()
    out["small.logits"] = logits.detach().numpy()
    for name, p in small.named_parameters():
        out["small.grad." + name] = p.grad.numpy()
    meta["generator"] = "scripts/make_resnet_fixtures.py (torch %s, torchvision %s)" % (torch.__version__, torchvision.__version__)
    write_safetensors(FIXTURE, out, meta)
    for k in ("eval64", "eval224", "train64", "small.logits"):
        print(k, np.abs(out[k]).max(), out[k].ravel()[:4])
    print("wrote", FIXTURE, os.path.getsize(FIXTURE), "bytes")


def export_torchvision(path, pretrained):
    weights = torchvision.models.ResNet18_Weights.DEFAULT if pretrained else None
    model = torchvision.models.resnet18(weights=weights)
    tensors = {k: v.detach().numpy() for k, v in model.state_dict().items()}
    write_safetensors(path, tensors, {"format": "pt"})
    print("wrote", path, "with", len(tensors), "tensors")


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--export-torchvision", metavar="PATH", help="write torchvision resnet18's state_dict to PATH")
    ap.add_argument("--pretrained", action="store_true", help="with --export-torchvision: the ImageNet weights")
    args = ap.parse_args()
    if args.export_torchvision:
        export_torchvision(args.export_torchvision, args.pretrained)
    else:
        make_fixture()
