#!/usr/bin/python3
"""Regenerates the PyTorch reference fixtures for convolution, padding and pooling.

How to run (from the repository root, with Debian's PyTorch 1.13):

    /usr/bin/python3 scripts/make_conv_fixtures.py

Writes Tests/Fixtures/conv.safetensors (conv1d, conv2d, conv_transpose1d/2d, F.pad) and
Tests/Fixtures/pool.safetensors (max/avg pooling 1-d and 2-d, adaptive average pooling).
The layout, the per-case seeding and the writer are those of scripts/make_fixtures.py
(see its docstring): each case stores its inputs, `out` (and `out1`, the indices, for
max pooling with indices), a random weight `w` and `grad_<input>` = d/d input of
`(out * w).sum()`. Inputs are float64 unless the case name ends in `.f32`. The Swift tests
in Tests/EmberTests/ConvolutionTests.swift and PoolingTests.swift name exactly these cases.
"""

import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_fixtures import ROOT, Family, ins, randn  # noqa: E402  (sets float64 default, 1 thread)

F32 = torch.float32


def conv_family():
    f = Family("conv")
    c2 = F.conv2d
    f.case("conv2d.basic", lambda x, w, b: c2(x, w, b), lambda: ins(x=randn(2, 3, 7, 6), weight=randn(4, 3, 3, 3), bias=randn(4)))
    f.case("conv2d.no_bias", lambda x, w: c2(x, w), lambda: ins(x=randn(2, 3, 5, 5), weight=randn(2, 3, 2, 2)))
    f.case("conv2d.stride2_pad1", lambda x, w, b: c2(x, w, b, stride=2, padding=1),
           lambda: ins(x=randn(2, 3, 8, 7), weight=randn(5, 3, 3, 3), bias=randn(5)))
    f.case("conv2d.dilation2", lambda x, w: c2(x, w, dilation=2, padding=2), lambda: ins(x=randn(1, 2, 9, 8), weight=randn(3, 2, 3, 3)))
    f.case("conv2d.groups2", lambda x, w, b: c2(x, w, b, groups=2), lambda: ins(x=randn(2, 4, 6, 6), weight=randn(6, 2, 3, 3), bias=randn(6)))
    f.case("conv2d.depthwise", lambda x, w: c2(x, w, stride=(2, 1), padding=(1, 0), groups=3),
           lambda: ins(x=randn(2, 3, 7, 6), weight=randn(6, 1, 3, 3)))
    f.case("conv2d.rect", lambda x, w, b: c2(x, w, b, stride=(1, 2), padding=(1, 0), dilation=(2, 1)),
           lambda: ins(x=randn(2, 2, 6, 9), weight=randn(3, 2, 2, 3), bias=randn(3)))
    f.case("conv2d.pointwise", lambda x, w, b: c2(x, w, b), lambda: ins(x=randn(2, 4, 5, 3), weight=randn(6, 4, 1, 1), bias=randn(6)))
    f.case("conv2d.same_even", lambda x, w, b: c2(x, w, b, padding="same"),
           lambda: ins(x=randn(2, 2, 6, 7), weight=randn(3, 2, 4, 2), bias=randn(3)))
    f.case("conv2d.same_dilated", lambda x, w: c2(x, w, padding="same", dilation=(2, 3)),
           lambda: ins(x=randn(1, 2, 7, 8), weight=randn(2, 2, 3, 2)))
    f.case("conv2d.valid", lambda x, w: c2(x, w, padding="valid"), lambda: ins(x=randn(2, 2, 5, 6), weight=randn(3, 2, 3, 3)))
    f.case("conv2d.unbatched", lambda x, w, b: c2(x, w, b, padding=1), lambda: ins(x=randn(3, 5, 6), weight=randn(4, 3, 3, 3), bias=randn(4)))
    f.case("conv2d.f32", lambda x, w, b: c2(x, w, b, padding=1),
           lambda: ins(x=randn(3, 3, 8, 8, dtype=F32), weight=randn(8, 3, 3, 3, dtype=F32), bias=randn(8, dtype=F32)))
    # 16 -> 24 channels, 3x3: float32 through the Winograd path.
    f.case("conv2d.f32_wide", lambda x, w, b: c2(x, w, b, padding=1),
           lambda: ins(x=randn(2, 16, 6, 6, dtype=F32), weight=randn(24, 16, 3, 3, dtype=F32), bias=randn(24, dtype=F32)))
    # 3x3, stride 1, at least 8 channels each way: Ember's Winograd F(2x2, 3x3) path.
    f.case("conv2d.winograd", lambda x, w, b: c2(x, w, b, padding=1),
           lambda: ins(x=randn(2, 8, 5, 7), weight=randn(9, 8, 3, 3), bias=randn(9)))
    f.case("conv2d.winograd_pad2", lambda x, w: c2(x, w, padding=(2, 0)), lambda: ins(x=randn(1, 10, 6, 5), weight=randn(8, 10, 3, 3)))
    f.case("conv1d.basic", lambda x, w, b: F.conv1d(x, w, b, stride=2, padding=1),
           lambda: ins(x=randn(2, 3, 10), weight=randn(4, 3, 3), bias=randn(4)))
    f.case("conv1d.groups_dilated", lambda x, w: F.conv1d(x, w, dilation=2, groups=2),
           lambda: ins(x=randn(2, 4, 12), weight=randn(4, 2, 3)))
    f.case("conv1d.same", lambda x, w: F.conv1d(x, w, padding="same"), lambda: ins(x=randn(2, 2, 9), weight=randn(3, 2, 4)))
    f.case("conv1d.f32", lambda x, w, b: F.conv1d(x, w, b, padding=2),
           lambda: ins(x=randn(3, 4, 20, dtype=F32), weight=randn(6, 4, 5, dtype=F32), bias=randn(6, dtype=F32)))
    ct = F.conv_transpose2d
    f.case("conv_transpose2d.basic", lambda x, w, b: ct(x, w, b), lambda: ins(x=randn(2, 4, 5, 5), weight=randn(4, 3, 3, 3), bias=randn(3)))
    f.case("conv_transpose2d.stride2_outpad", lambda x, w, b: ct(x, w, b, stride=2, padding=1, output_padding=1),
           lambda: ins(x=randn(2, 3, 4, 5), weight=randn(3, 2, 3, 3), bias=randn(2)))
    f.case("conv_transpose2d.groups_dilated", lambda x, w: ct(x, w, stride=(2, 1), padding=(0, 1), groups=2, dilation=(1, 2)),
           lambda: ins(x=randn(2, 4, 4, 4), weight=randn(4, 3, 2, 3)))
    f.case("conv_transpose2d.outpad_dilation", lambda x, w: ct(x, w, stride=1, output_padding=1, dilation=2),
           lambda: ins(x=randn(1, 2, 4, 4), weight=randn(2, 3, 3, 3)))
    f.case("conv_transpose2d.unbatched", lambda x, w: ct(x, w, stride=2), lambda: ins(x=randn(2, 3, 3), weight=randn(2, 2, 2, 2)))
    f.case("conv_transpose2d.f32", lambda x, w, b: ct(x, w, b, stride=2, padding=1, output_padding=1),
           lambda: ins(x=randn(3, 8, 6, 6, dtype=F32), weight=randn(8, 4, 3, 3, dtype=F32), bias=randn(4, dtype=F32)))
    f.case("conv_transpose2d.winograd", lambda x, w, b: ct(x, w, b, padding=1),
           lambda: ins(x=randn(2, 8, 4, 5), weight=randn(8, 9, 3, 3), bias=randn(9)))
    f.case("conv_transpose1d.basic", lambda x, w, b: F.conv_transpose1d(x, w, b, stride=3, padding=1, output_padding=2),
           lambda: ins(x=randn(2, 3, 6), weight=randn(3, 2, 4), bias=randn(2)))
    f.case("pad.last", lambda x: F.pad(x, (1, 2)), lambda: ins(x=randn(2, 3, 4)))
    f.case("pad.two_dims_value", lambda x: F.pad(x, (2, 0, 1, 3), value=1.5), lambda: ins(x=randn(2, 3, 4)))
    f.case("pad.negative", lambda x: F.pad(x, (-1, 2, 1, -2)), lambda: ins(x=randn(2, 4, 5)))
    f.case("pad.three_dims", lambda x: F.pad(x, (1, 1, 0, 2, 1, 0)), lambda: ins(x=randn(2, 2, 3, 2)))
    return f


def pool_family():
    f = Family("pool")
    mp = lambda **kw: (lambda x: F.max_pool2d(x, return_indices=True, **kw))
    f.case("max_pool2d.k2", mp(kernel_size=2), lambda: ins(x=randn(2, 3, 8, 8)))
    f.case("max_pool2d.k3s2p1", mp(kernel_size=3, stride=2, padding=1), lambda: ins(x=randn(2, 2, 7, 9)))
    f.case("max_pool2d.dilated", mp(kernel_size=(2, 3), stride=1, dilation=(2, 2), padding=(1, 1)), lambda: ins(x=randn(1, 2, 7, 8)))
    f.case("max_pool2d.ceil", mp(kernel_size=3, stride=2, ceil_mode=True), lambda: ins(x=randn(2, 2, 8, 10)))
    f.case("max_pool2d.ceil_pad", mp(kernel_size=(2, 3), stride=(2, 2), padding=(1, 1), ceil_mode=True), lambda: ins(x=randn(1, 3, 6, 7)))

    def ties():
        # Small integers: many equal maxima in a window; the first one must win.
        return ins(x=torch.randint(-2, 3, (2, 2, 6, 6)).double())
    f.case("max_pool2d.ties", mp(kernel_size=3, stride=1), ties)
    f.case("max_pool2d.unbatched", mp(kernel_size=2, stride=(1, 2)), lambda: ins(x=randn(3, 5, 6)))
    f.case("max_pool2d.f32", mp(kernel_size=2), lambda: ins(x=randn(4, 3, 10, 10, dtype=F32)))

    def wide_ties():
        # Rows of 19 outputs (Ember's 8-wide float32 path with an overlapping last block),
        # ties everywhere and two NaNs.
        x = torch.randint(-2, 3, (2, 2, 4, 38)).float()
        x[0, 1, 2, 5] = x[1, 0, 3, 30] = float("nan")
        return ins(x=x)
    f.case("max_pool2d.f32_wide_ties", mp(kernel_size=2), wide_ties)
    f.case("max_pool2d.f32_stride_1x2", mp(kernel_size=2, stride=(1, 2)), lambda: ins(x=randn(1, 2, 5, 34, dtype=F32)))
    f.case("max_pool1d.basic", lambda x: F.max_pool1d(x, 3, stride=2, padding=1, return_indices=True), lambda: ins(x=randn(2, 3, 11)))
    f.case("max_pool1d.ceil_dilated", lambda x: F.max_pool1d(x, 2, stride=2, dilation=2, ceil_mode=True, return_indices=True),
           lambda: ins(x=randn(2, 2, 10)))
    ap = lambda **kw: (lambda x: F.avg_pool2d(x, **kw))
    f.case("avg_pool2d.k2", ap(kernel_size=2), lambda: ins(x=randn(2, 3, 8, 8)))
    f.case("avg_pool2d.k3s2p1", ap(kernel_size=3, stride=2, padding=1), lambda: ins(x=randn(2, 2, 7, 9)))
    f.case("avg_pool2d.k3s2p1_exclude_pad", ap(kernel_size=3, stride=2, padding=1, count_include_pad=False),
           lambda: ins(x=randn(2, 2, 7, 9)))
    f.case("avg_pool2d.ceil", ap(kernel_size=3, stride=2, ceil_mode=True), lambda: ins(x=randn(2, 2, 8, 10)))
    f.case("avg_pool2d.ceil_pad", ap(kernel_size=(2, 3), stride=2, padding=1, ceil_mode=True), lambda: ins(x=randn(1, 3, 6, 7)))
    f.case("avg_pool2d.ceil_pad_exclude", ap(kernel_size=(2, 3), stride=2, padding=1, ceil_mode=True, count_include_pad=False),
           lambda: ins(x=randn(1, 3, 6, 7)))
    f.case("avg_pool2d.divisor", ap(kernel_size=2, stride=1, divisor_override=3), lambda: ins(x=randn(1, 2, 4, 5)))
    f.case("avg_pool2d.f32", ap(kernel_size=2), lambda: ins(x=randn(4, 3, 10, 10, dtype=F32)))
    f.case("avg_pool1d.basic", lambda x: F.avg_pool1d(x, 4, stride=3, padding=2, ceil_mode=True, count_include_pad=False),
           lambda: ins(x=randn(2, 3, 13)))
    aa = lambda size: (lambda x: F.adaptive_avg_pool2d(x, size))
    f.case("adaptive_avg_pool2d.uneven", aa((3, 4)), lambda: ins(x=randn(2, 3, 7, 9)))
    f.case("adaptive_avg_pool2d.global", aa((1, 1)), lambda: ins(x=randn(2, 4, 5, 3)))
    f.case("adaptive_avg_pool2d.upsample", aa((5, 4)), lambda: ins(x=randn(1, 2, 3, 3)))
    f.case("adaptive_avg_pool2d.unbatched", aa((2, 3)), lambda: ins(x=randn(3, 5, 7)))
    f.case("adaptive_avg_pool2d.f32", aa((4, 3)), lambda: ins(x=randn(3, 4, 10, 9, dtype=F32)))
    f.case("adaptive_avg_pool1d.basic", lambda x: F.adaptive_avg_pool1d(x, 4), lambda: ins(x=randn(2, 3, 10)))
    return f


def main():
    total = 0
    for make in (conv_family, pool_family):
        family = make()
        path, n = family.write()
        size = os.path.getsize(path)
        total += size
        print(f"{os.path.relpath(path, ROOT)}: {n} cases, {size} bytes")
    print(f"total {total} bytes")
    assert total < 500 * 1024, "convolution fixtures must stay under 500 KB"


if __name__ == "__main__":
    main()
