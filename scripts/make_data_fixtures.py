#!/usr/bin/python3
"""torchvision 0.14 reference values for EmberData's image transforms.

Run: /usr/bin/python3 scripts/make_data_fixtures.py   (needs Debian's python3-torchvision)
Writes Tests/Fixtures/data_affine.safetensors: for each case, an input image and
torchvision.transforms.functional.affine(image, angle, translate, scale, shear,
interpolation, fill) with fixed parameters (the tensor path RandomAffine takes), and
F.erase on one rectangle. The parameters are in the metadata key "affine_cases" (JSON).
RandomAffineTests.swift compares RandomAffine.apply against them.
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_fixtures import ROOT, write_safetensors  # noqa: E402

import torch  # noqa: E402
import torchvision  # noqa: E402
import torchvision.transforms.functional as F  # noqa: E402
from torchvision.transforms import InterpolationMode  # noqa: E402

torch.manual_seed(0)

# (name, shape, dtype, angle, translate, scale, shear, interpolation, fill)
CASES = [
    ("rot30_shift_nearest", [2, 7, 9], torch.float64, 30.0, [1, -2], 1.0, [0.0, 0.0], "nearest", 0.0),
    ("rot-17.5_scale1.3_shearx_bilinear", [2, 7, 9], torch.float64, -17.5, [0, 0], 1.3, [10.0, 0.0], "bilinear", 0.0),
    ("rot45_all_bilinear_fill", [1, 8, 8], torch.float64, 45.0, [2, 1], 0.8, [5.0, -8.0], "bilinear", 0.5),
    ("rot123_nearest_fill", [3, 6, 5], torch.float64, 123.0, [-1, 0], 1.1, [0.0, 0.0], "nearest", -1.0),
    ("float32_rot10_bilinear", [1, 28, 28], torch.float32, 10.0, [3, -1], 0.95, [4.0, 2.0], "bilinear", 0.0),
]

tensors = {}
meta = []
for name, shape, dtype, angle, translate, scale, shear, mode, fill in CASES:
    x = torch.rand(shape, dtype=dtype)
    interp = InterpolationMode.NEAREST if mode == "nearest" else InterpolationMode.BILINEAR
    # RandomAffine.forward passes fill as one float per channel.
    y = F.affine(x, angle=angle, translate=translate, scale=scale, shear=shear, interpolation=interp, fill=[fill] * shape[0])
    tensors[f"{name}.input"] = x
    tensors[f"{name}.output"] = y
    meta.append(dict(name=name, angle=angle, translate=translate, scale=scale, shear=shear, interpolation=mode, fill=fill))

x = torch.rand([3, 10, 12])
tensors["erase.input"] = x
tensors["erase.output"] = F.erase(x, 2, 3, 5, 4, torch.tensor([0.25, -1.0, 2.0])[:, None, None])

path = os.path.join(ROOT, "Tests", "Fixtures", "data_affine.safetensors")
write_safetensors(path, tensors, {"affine_cases": json.dumps(meta), "torchvision": torchvision.__version__, "torch": torch.__version__})
print(f"wrote {path}: {len(meta)} affine cases + erase")
