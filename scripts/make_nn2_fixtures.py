#!/usr/bin/python3
"""Regenerates Tests/Fixtures/nn2.safetensors: PyTorch 1.13 reference values for the rest of
torch.nn (issue 20, section 4): activations, losses and layers, in float32.

How to run (from the repository root, with Debian's PyTorch 1.13):

    /usr/bin/python3 scripts/make_nn2_fixtures.py

The file uses the case format of scripts/make_fixtures.py (`<case>.<input>`, `<case>.out`,
`<case>.w`, `<case>.grad_<input>`; `__metadata__.cases`), read by the OpCase table in
Tests/EmberNNTests/NN2AgainstPyTorchTests.swift, which must name exactly the cases written here.
Every input is float32 (int64 for class indices and lengths); gradients are those of
`(out * w).sum()`.

CTC cases differentiate through `log_softmax(logits)`: PyTorch's CTC backward returns
`exp(log_probs) - posterior`, the gradient of the logits rather than of `log_probs` (the two
differ by a term `log_softmax`'s backward removes), while Ember's is the plain derivative.
"""

import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_fixtures import Family, OUT_DIR, ROOT, ins  # noqa: E402

torch.set_num_threads(1)
F32 = torch.float32
REDUCTIONS = ("none", "mean", "sum")


def randn(*shape):
    return torch.randn(*shape, dtype=torch.float64).to(F32)


def rand(*shape):
    return torch.rand(*shape, dtype=torch.float64).to(F32)


def signs(*shape):
    return torch.where(torch.rand(*shape) < 0.5, -1.0, 1.0).to(F32)


def activations(f):
    x = lambda: ins(x=randn(4, 6) * 3)
    f.case("mish", F.mish, x)
    f.case("hardswish", F.hardswish, lambda: ins(x=randn(4, 6) * 3))
    f.case("hardsigmoid", F.hardsigmoid, lambda: ins(x=randn(4, 6) * 3))
    f.case("selu", F.selu, x)
    f.case("celu", lambda x: F.celu(x, alpha=0.7), x)
    f.case("relu6", F.relu6, lambda: ins(x=randn(4, 6) * 5 + 2))
    f.case("softsign", F.softsign, x)
    f.case("tanhshrink", F.tanhshrink, x)
    f.case("threshold", lambda x: F.threshold(x, 0.3, -2.0), x)
    f.case("glu", F.glu, x)
    f.case("glu.dim0", lambda x: F.glu(x, dim=0), lambda: ins(x=randn(4, 3)))
    f.case("logsigmoid", F.logsigmoid, lambda: ins(x=randn(4, 6) * 8))
    f.case("softmin", lambda x: F.softmin(x, dim=1), x)
    f.case("softmax2d", nn.Softmax2d(), lambda: ins(x=randn(2, 3, 2, 2)))
    f.case("softmax2d.3d", nn.Softmax2d(), lambda: ins(x=randn(3, 2, 2)))
    f.case("gelu", F.gelu, x)
    f.case("gelu.tanh", lambda x: F.gelu(x, approximate="tanh"), x)


def losses(f):
    for r in REDUCTIONS:
        f.case(f"poisson_nll.{r}", lambda x, y, r=r: F.poisson_nll_loss(x, y, reduction=r),
               lambda: ins(x=randn(3, 4), y=torch.poisson(rand(3, 4) * 4)), grads=["x"])
        f.case(f"gaussian_nll.{r}", lambda x, y, v, r=r: F.gaussian_nll_loss(x, y, v, reduction=r),
               lambda: ins(x=randn(3, 4), y=randn(3, 4), v=rand(3, 4) + 0.1), grads=["x", "v"])
        f.case(f"hinge_embedding.{r}", lambda x, y, r=r: F.hinge_embedding_loss(x, y, margin=1.5, reduction=r),
               lambda: ins(x=randn(3, 4) * 2, y=signs(3, 4)), grads=["x"])
        f.case(f"soft_margin.{r}", lambda x, y, r=r: F.soft_margin_loss(x, y, reduction=r),
               lambda: ins(x=randn(3, 4) * 2, y=signs(3, 4)), grads=["x"])
        f.case(f"multilabel_soft_margin.{r}", lambda x, y, r=r: F.multilabel_soft_margin_loss(x, y, reduction=r),
               lambda: ins(x=randn(3, 5) * 2, y=(rand(3, 5) < 0.5).to(F32)), grads=["x"])
        f.case(f"multilabel_margin.{r}", lambda x, y, r=r: F.multilabel_margin_loss(x, y, reduction=r),
               lambda: ins(x=randn(3, 5), y=torch.tensor([[3, 0, -1, 1, 2], [4, 4, 1, 2, -1], [0, 1, 2, 3, 4]])),
               grads=["x"])
        f.case(f"multi_margin.{r}", lambda x, y, r=r: F.multi_margin_loss(x, y, reduction=r),
               lambda: ins(x=randn(4, 5), y=torch.tensor([0, 3, 4, 1])), grads=["x"])
        f.case(f"triplet.{r}", lambda a, p, n, r=r: F.triplet_margin_loss(a, p, n, reduction=r),
               lambda: ins(a=randn(4, 3), p=randn(4, 3), n=randn(4, 3)))
        f.case(f"triplet_distance.{r}", lambda a, p, n, r=r: F.triplet_margin_with_distance_loss(a, p, n, reduction=r),
               lambda: ins(a=randn(4, 3), p=randn(4, 3), n=randn(4, 3)))
        f.case(f"ctc.{r}", lambda x, t, il, tl, r=r: F.ctc_loss(F.log_softmax(x, 2), t, il, tl, reduction=r),
               lambda: ins(x=randn(10, 3, 5) * 2, t=torch.tensor([[1, 2, 2, 3], [4, 1, 0, 0], [3, 3, 3, 1]]),
                           il=torch.tensor([10, 8, 9]), tl=torch.tensor([4, 2, 3])), grads=["x"])
    # Options, one reduction each.
    f.case("poisson_nll.rate_full", lambda x, y: F.poisson_nll_loss(x, y, log_input=False, full=True, eps=1e-3),
           lambda: ins(x=rand(3, 4) * 3 + 0.1, y=torch.poisson(rand(3, 4) * 4)), grads=["x"])
    f.case("poisson_nll.full", lambda x, y: F.poisson_nll_loss(x, y, full=True, reduction="sum"),
           lambda: ins(x=randn(3, 4), y=torch.poisson(rand(3, 4) * 4)), grads=["x"])
    f.case("gaussian_nll.homoscedastic", lambda x, y, v: F.gaussian_nll_loss(x, y, v, full=True),
           lambda: ins(x=randn(3, 4), y=randn(3, 4), v=rand(3) + 0.1), grads=["x", "v"])
    f.case("gaussian_nll.last1", lambda x, y, v: F.gaussian_nll_loss(x, y, v, eps=0.05, reduction="sum"),
           lambda: ins(x=randn(3, 4), y=randn(3, 4), v=torch.tensor([[0.01], [0.5], [1.2]])), grads=["x", "v"])
    f.case("multilabel_soft_margin.weight", lambda x, y, cw: F.multilabel_soft_margin_loss(x, y, weight=cw),
           lambda: ins(x=randn(3, 5) * 2, y=(rand(3, 5) < 0.5).to(F32), cw=rand(5) + 0.5), grads=["x"])
    f.case("multilabel_margin.1d", lambda x, y: F.multilabel_margin_loss(x, y, reduction="none"),
           lambda: ins(x=randn(4), y=torch.tensor([2, -1, 0, 1])), grads=["x"])
    f.case("multi_margin.p2_weight", lambda x, y, cw: F.multi_margin_loss(x, y, p=2, margin=0.7, weight=cw, reduction="none"),
           lambda: ins(x=randn(4, 5), y=torch.tensor([0, 3, 4, 1]), cw=rand(5) + 0.5), grads=["x"])
    f.case("multi_margin.1d", lambda x, y: F.multi_margin_loss(x, y), lambda: ins(x=randn(5), y=torch.tensor(2)), grads=["x"])
    f.case("triplet.p1_swap", lambda a, p, n: F.triplet_margin_loss(a, p, n, margin=0.5, p=1, swap=True, reduction="none"),
           lambda: ins(a=randn(5, 3), p=randn(5, 3), n=randn(5, 3)))
    f.case("triplet_distance.cosine_swap",
           lambda a, p, n: F.triplet_margin_with_distance_loss(
               a, p, n, distance_function=lambda u, v: 1 - F.cosine_similarity(u, v), margin=0.4, swap=True, reduction="none"),
           lambda: ins(a=randn(5, 3), p=randn(5, 3), n=randn(5, 3)))
    f.case("ctc.concatenated_blank", lambda x, t, il, tl: F.ctc_loss(F.log_softmax(x, 2), t, il, tl, blank=4, reduction="none"),
           lambda: ins(x=randn(8, 2, 5) * 2, t=torch.tensor([0, 1, 1, 2, 3]), il=torch.tensor([8, 6]), tl=torch.tensor([3, 2])),
           grads=["x"])
    f.case("ctc.zero_infinity", lambda x, t, il, tl: F.ctc_loss(F.log_softmax(x, 2), t, il, tl, zero_infinity=True),
           lambda: ins(x=randn(6, 2, 4) * 2, t=torch.tensor([[1, 1, 2, 3], [2, 3, 0, 0]]), il=torch.tensor([4, 6]),
                       tl=torch.tensor([4, 2])), grads=["x"])
    f.case("ctc.unbatched", lambda x, t, il, tl: F.ctc_loss(F.log_softmax(x, 1), t, il, tl, reduction="sum"),
           lambda: ins(x=randn(7, 4) * 2, t=torch.tensor([1, 3, 3]), il=torch.tensor(7), tl=torch.tensor(3)), grads=["x"])


def layers(f):
    f.case("pixel_shuffle", lambda x: F.pixel_shuffle(x, 2), lambda: ins(x=randn(2, 8, 2, 3)))
    f.case("pixel_unshuffle", lambda x: F.pixel_unshuffle(x, 2), lambda: ins(x=randn(1, 2, 4, 6)))
    # PyTorch 1.13 has no derivative for channel_shuffle: forward only (NN2Gradcheck checks the gradient).
    f.case("channel_shuffle", lambda x: F.channel_shuffle(x, 3), lambda: ins(x=randn(2, 6, 2, 2)), grads=[])
    f.case("pad.zero2d", nn.ZeroPad2d((1, 2, 0, 3)), lambda: ins(x=randn(1, 2, 3, 4)))
    f.case("pad.reflect2d", nn.ReflectionPad2d((2, 1, 1, 3)), lambda: ins(x=randn(1, 2, 4, 5)))
    f.case("pad.replicate2d", nn.ReplicationPad2d((3, 0, 2, 1)), lambda: ins(x=randn(1, 2, 3, 4)))
    f.case("pad.reflect1d", nn.ReflectionPad1d(2), lambda: ins(x=randn(2, 3, 5)))
    f.case("pad.replicate1d", nn.ReplicationPad1d((1, 3)), lambda: ins(x=randn(2, 3, 4)))
    f.case("pad.circular", lambda x: F.pad(x, (2, 3), mode="circular"), lambda: ins(x=randn(2, 3, 5)))
    f.case("instance_norm.affine", lambda x, gamma, beta: F.instance_norm(x, weight=gamma, bias=beta, eps=1e-3),
           lambda: ins(x=randn(2, 3, 4, 5) * 2 + 1, gamma=randn(3), beta=randn(3)))
    f.case("instance_norm.1d", nn.InstanceNorm1d(3), lambda: ins(x=randn(2, 3, 6)))

    def running(x):
        rm, rv = torch.zeros(3), torch.ones(3)
        out = F.instance_norm(x, rm, rv, use_input_stats=True, momentum=0.2)
        return out, rm, rv
    f.case("instance_norm.running", running, lambda: ins(x=randn(2, 3, 4, 4) * 3 + 1))
    f.case("instance_norm.eval", lambda x, rm, rv: F.instance_norm(x, rm, rv, use_input_stats=False),
           lambda: ins(x=randn(2, 3, 4, 4), rm=randn(3), rv=rand(3) + 0.5), grads=["x"])
    f.case("local_response_norm", nn.LocalResponseNorm(3, alpha=0.5, beta=0.75, k=1.5), lambda: ins(x=randn(2, 5, 3, 3)))
    f.case("local_response_norm.3d", lambda x: F.local_response_norm(x, 2, alpha=0.3), lambda: ins(x=randn(2, 5, 4)))
    f.case("adaptive_max_pool1d", nn.AdaptiveMaxPool1d(3), lambda: ins(x=randn(2, 3, 7)))
    f.case("adaptive_max_pool2d", nn.AdaptiveMaxPool2d((3, 2)), lambda: ins(x=randn(2, 3, 7, 5)))
    f.case("adaptive_max_pool2d.divisible", nn.AdaptiveMaxPool2d((3, 2)), lambda: ins(x=randn(2, 3, 6, 4)))
    f.case("adaptive_max_pool2d.unbatched", nn.AdaptiveMaxPool2d(2), lambda: ins(x=randn(3, 4, 4)))
    f.case("adaptive_avg_pool1d", nn.AdaptiveAvgPool1d(4), lambda: ins(x=randn(2, 3, 7)))
    f.case("adaptive_avg_pool3d", nn.AdaptiveAvgPool3d((2, 3, 4)), lambda: ins(x=randn(1, 2, 5, 4, 6)))
    img = lambda: ins(x=randn(1, 2, 4, 5))
    f.case("interp.nearest1d", lambda x: F.interpolate(x, scale_factor=2.5), lambda: ins(x=randn(1, 2, 5)))
    f.case("interp.nearest2d", lambda x: F.interpolate(x, size=(7, 3)), img)
    f.case("interp.linear", lambda x: F.interpolate(x, scale_factor=2.5, mode="linear"), lambda: ins(x=randn(1, 2, 5)))
    f.case("interp.bilinear", lambda x: F.interpolate(x, size=(7, 9), mode="bilinear"), img)
    f.case("interp.bilinear_corners", lambda x: F.interpolate(x, scale_factor=1.5, mode="bilinear", align_corners=True), img)
    f.case("interp.bilinear_down", lambda x: F.interpolate(x, size=(3, 2), mode="bilinear"), img)
    f.case("interp.bicubic", lambda x: F.interpolate(x, size=(6, 7), mode="bicubic"), img)
    f.case("interp.bicubic_corners", lambda x: F.interpolate(x, size=(3, 8), mode="bicubic", align_corners=True), img)
    f.case("interp.bicubic_scale", lambda x: F.interpolate(x, scale_factor=(1.7, 0.6), mode="bicubic"), img)
    f.case("interp.nearest_down", lambda x: F.interpolate(x, scale_factor=0.45), lambda: ins(x=randn(1, 2, 9, 7)))
    f.case("interp.trilinear", lambda x: F.interpolate(x, size=(5, 3, 4), mode="trilinear"), lambda: ins(x=randn(1, 1, 3, 4, 2)))
    f.case("unfold", nn.Unfold(kernel_size=(2, 3), dilation=(1, 2), padding=1, stride=(2, 1)), lambda: ins(x=randn(2, 2, 5, 6)))
    f.case("fold", nn.Fold(output_size=(5, 6), kernel_size=(2, 3), dilation=(1, 2), padding=1, stride=(2, 1)),
           lambda: ins(x=randn(2, 12, 12)))
    bag_ids = lambda: torch.tensor([1, 2, 4, 5, 4, 3, 2, 9, 0, 0])
    f.case("embedding_bag.mean", lambda i, o, table: F.embedding_bag(i, table, o),
           lambda: ins(i=bag_ids(), o=torch.tensor([0, 4, 4]), table=randn(10, 3)), grads=["table"])
    f.case("embedding_bag.sum_weights", lambda i, o, table, p: F.embedding_bag(i, table, o, mode="sum", per_sample_weights=p),
           lambda: ins(i=bag_ids(), o=torch.tensor([0, 3]), table=randn(10, 3), p=rand(10)), grads=["table", "p"])
    f.case("embedding_bag.max_2d", lambda i, table: F.embedding_bag(i, table, mode="max"),
           lambda: ins(i=torch.tensor([[1, 2, 4], [5, 4, 3], [2, 9, 0]]), table=randn(10, 3)), grads=["table"])
    f.case("embedding_bag.padding_last_offset", lambda i, o, table: F.embedding_bag(i, table, o, padding_idx=0, include_last_offset=True),
           lambda: ins(i=bag_ids(), o=torch.tensor([0, 2, 8, 10]), table=randn(10, 3)), grads=["table"])

    f.case("conv3d", lambda x, weight, bias: F.conv3d(x, weight, bias, stride=(2, 1, 1), padding=(1, 0, 1), dilation=(1, 2, 1)),
           lambda: ins(x=randn(2, 2, 5, 6, 4), weight=randn(3, 2, 3, 2, 3) * 0.3, bias=randn(3)))
    f.case("conv3d.groups", lambda x, weight: F.conv3d(x, weight, groups=2),
           lambda: ins(x=randn(1, 4, 3, 4, 4), weight=randn(6, 2, 2, 3, 2) * 0.3))
    f.case("conv_transpose3d",
           lambda x, weight, bias: F.conv_transpose3d(x, weight, bias, stride=2, padding=1, output_padding=(1, 0, 1)),
           lambda: ins(x=randn(2, 3, 3, 2, 3), weight=randn(3, 2, 3, 3, 2) * 0.3, bias=randn(2)))
    f.case("conv_transpose3d.dilated_groups", lambda x, weight: F.conv_transpose3d(x, weight, groups=2, dilation=(2, 1, 1)),
           lambda: ins(x=randn(1, 4, 3, 2, 2), weight=randn(4, 1, 2, 2, 2) * 0.3))
    f.case("conv_transpose1d", lambda x, weight, bias: F.conv_transpose1d(x, weight, bias, stride=2, padding=1, output_padding=1),
           lambda: ins(x=randn(2, 3, 5), weight=randn(3, 4, 3) * 0.3, bias=randn(4)))
    f.case("max_pool3d", lambda x: F.max_pool3d(x, (2, 3, 2), stride=(2, 1, 2), padding=(1, 1, 0)),
           lambda: ins(x=randn(2, 2, 5, 4, 5)))
    f.case("max_pool3d.ceil_dilated", lambda x: F.max_pool3d(x, 2, stride=2, dilation=(2, 1, 1), ceil_mode=True),
           lambda: ins(x=randn(1, 2, 6, 5, 5)))
    f.case("avg_pool3d", lambda x: F.avg_pool3d(x, (2, 3, 2), stride=(2, 1, 2), padding=(1, 1, 0)),
           lambda: ins(x=randn(2, 2, 5, 4, 5)))
    f.case("avg_pool3d.exclude_pad_ceil", lambda x: F.avg_pool3d(x, 3, stride=2, padding=1, ceil_mode=True, count_include_pad=False),
           lambda: ins(x=randn(1, 2, 6, 5, 4)))


def main():
    os.makedirs(OUT_DIR, exist_ok=True)
    torch.set_default_dtype(F32)
    f = Family("nn2")
    activations(f)
    losses(f)
    layers(f)
    clashing = [name for name, c in f.cases.items() if "w" in c["inputs"]]
    assert not clashing, f"inputs named w clash with the gradient weight: {clashing}"
    path, n = f.write()
    size = os.path.getsize(path)
    print(f"{os.path.relpath(path, ROOT)}: {n} cases, {size} bytes")
    assert size < 300 * 1024, "nn2.safetensors must stay under 300 KB"


if __name__ == "__main__":
    main()
