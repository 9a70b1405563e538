#!/usr/bin/python3
"""PyTorch references for gradients that were silently wrong (issue 16).

Writes, with the format and seeding of scripts/make_fixtures.py:

- Tests/Fixtures/inplace_views.safetensors: an in-place op (fill_, zero_, add_, mul_, copy_,
  a subscript assignment, relu_) through each kind of view (select, narrow, a stepped slice,
  a subscript range, transpose, permute, view, reshape, a view of a view) of a non-leaf base.
  Each case returns the base and a second view of it made *before* the write, so the
  gradient checks both the rewritten history of the base (PyTorch's CopySlices) and the
  regenerated history of the other view.
- Tests/Fixtures/inplace_grad2.safetensors: second derivatives through such writes.
- Tests/Fixtures/grad_edges.safetensors: gradients at the edges of losses and ops (inputs
  exactly 0 or 1, zero norms, ties, ignored targets, switch points of piecewise losses),
  where a backward formula can meet 0 * inf.

Run from the repository root with Debian's PyTorch 1.13:

    /usr/bin/python3 scripts/make_grad_fixtures.py
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from make_fixtures import Family, ins, randn, ROOT  # noqa: E402

# The views, each a function of a [3, 4] base. The Swift test table lists the same names.
VIEWS = {
    "select": lambda b: b[1],
    "select1": lambda b: b.select(1, 2),
    "narrow": lambda b: b.narrow(1, 1, 2),
    "slice_step": lambda b: b[:, 0:4:2],
    "range": lambda b: b[0:2],
    "transpose": lambda b: b.t(),
    "permute": lambda b: b.view(3, 2, 2).permute(2, 0, 1),
    "view": lambda b: b.view(2, 6),
    "reshape": lambda b: b.reshape(12),
    "view_of_view": lambda b: b[1:3].t()[1:],
}


def set_first(v, y):
    v[0] = y[0]


# The in-place ops, each applied to a view `v` with an other operand `y` of v's shape.
OPS = {
    "fill_": (lambda v, y: v.fill_(5.0), False),
    "zero_": (lambda v, y: v.zero_(), False),
    "add_": (lambda v, y: v.add_(y), True),
    "mul_": (lambda v, y: v.mul_(y), True),
    "copy_": (lambda v, y: v.copy_(y), True),
    "setitem": (set_first, True),
    "relu_": (lambda v, y: v.relu_(), False),
}


def inplace_views_family():
    f = Family("inplace_views")
    for vname, view in VIEWS.items():
        shape = view(torch.zeros(3, 4)).shape
        for oname, (op, uses_y) in OPS.items():
            def run(x, y=None, view=view, op=op):
                b = x * 2
                other = b[1:]          # made before the write: sees it through its base
                op(view(b), y)
                return torch.cat([b.reshape(-1), other.reshape(-1) * 3])

            def make(shape=shape, uses_y=uses_y):
                return ins(x=randn(3, 4), y=randn(*shape)) if uses_y else ins(x=randn(3, 4))

            f.case(f"{vname}.{oname}", run, make)

    # The three examples of the issue, on a = [1, 2].
    def first():
        return ins(a=torch.tensor([1.0, 2.0]))

    def fill_select(a):
        b = a * 1
        b[0].fill_(5)
        return b

    def mul_select_square(a):
        b = a * 2
        b[1].mul_(3)
        return b * b

    def zero_narrow(a):
        x = a.clone()
        x.narrow(0, 0, 1).zero_()
        return x

    f.case("issue.fill_select", fill_select, first)
    f.case("issue.mul_select_square", mul_select_square, first)
    f.case("issue.zero_narrow", zero_narrow, first)

    # Writes into a tensor that does not require grad: the gradient reaches the written values.
    def into_zeros(x):
        z = torch.zeros(3, 4)
        before = z[0:2]
        z[1] = x[0] * 2
        z[:, 3].copy_(x[1, 1:].exp())
        return torch.cat([z.reshape(-1), before.reshape(-1)])

    f.case("into_zeros", into_zeros, lambda: ins(x=randn(3, 4)))

    # Two writes through different views, the second reading the first's result.
    def chained(x, y):
        b = x * x
        b[0].mul_(y[0])
        b.t()[1].add_(b[:, 3])
        b[:, 2:].sigmoid_()
        return b * b

    f.case("chained", chained, lambda: ins(x=randn(3, 4), y=randn(3, 4)))

    # An in-place op on the base after views of it were made.
    def base_write(x):
        b = x * 1
        v = b[0]
        b.mul_(x)
        return torch.cat([b.reshape(-1), v * 2])

    f.case("base_write", base_write, lambda: ins(x=randn(3, 4)))

    return f


def inplace_grad2_family():
    f = Family("inplace_grad2")

    def select_mul(x, y):
        b = x * x
        b[1].mul_(y[1])
        return b.exp()

    def narrow_transpose(x, y):
        b = x * x.sin()
        v = b.narrow(0, 0, 2)
        v.mul_(y[:2])
        v.t()[0].add_(x[2, :2] ** 2)
        return b * b

    def copy_nonlinear(x, y):
        b = x * y
        b[:, 1].copy_((x[:, 0] * y[:, 2]).sin())
        return b.pow(3)

    f.case2("select_mul", select_mul, lambda: ins(x=randn(3, 4), y=randn(3, 4)))
    f.case2("narrow_transpose", narrow_transpose, lambda: ins(x=randn(3, 4), y=randn(3, 4)))
    f.case2("copy_nonlinear", copy_nonlinear, lambda: ins(x=randn(3, 4), y=randn(3, 4)))
    return f


def t(*values):
    return torch.tensor(values, dtype=torch.float64)


def grad_edges_family():
    f = Family("grad_edges")

    # Binary cross-entropy at 0, 1 and a tiny probability: PyTorch divides by max(x(1-x), 1e-12).
    bce_x = t(0.0, 0.0, 1.0, 1.0, 1e-30, 1e-30, 0.5, 1.0 - 1e-7)
    bce_y = t(0.0, 1.0, 0.0, 1.0, 1.0, 0.0, 0.25, 1.0)
    f.case("bce.edges", lambda x, y: F.binary_cross_entropy(x, y),
           lambda: ins(x=bce_x.clone(), y=bce_y.clone()), grads=["x"])
    f.case("bce.edges.sum", lambda x, y: F.binary_cross_entropy(x, y, reduction="sum"),
           lambda: ins(x=bce_x.clone(), y=bce_y.clone()), grads=["x"])
    f.case("bce.edges.none", lambda x, y: F.binary_cross_entropy(x, y, reduction="none"),
           lambda: ins(x=bce_x.clone(), y=bce_y.clone()), grads=["x"])
    f.case("bce.edges.f32", lambda x, y: F.binary_cross_entropy(x, y),
           lambda: ins(x=bce_x.float(), y=bce_y.float()), grads=["x"])

    # Every target ignored: the loss is NaN, the gradient 0.
    ignored = lambda: ins(x=randn(3, 4), target=torch.full((3,), -100, dtype=torch.int64))
    f.case("nll.all_ignored", lambda x, target: F.nll_loss(x, target), ignored, grads=["x"])
    f.case("ce.all_ignored", lambda x, target: F.cross_entropy(x, target), ignored, grads=["x"])
    f.case("ce.all_ignored.smooth", lambda x, target: F.cross_entropy(x, target, label_smoothing=0.1),
           ignored, grads=["x"])
    f.case("ce.all_ignored.weight",
           lambda x, target, weight: F.cross_entropy(x, target, weight=weight),
           lambda: ins(x=randn(3, 4), target=torch.full((3,), 2, dtype=torch.int64), weight=t(1, 1, 0, 1)),
           grads=["x"])

    # Unary ops at 0 and at their domain's edge.
    f.case("sqrt.zero", lambda x: x.sqrt(), lambda: ins(x=t(0.0, 1.0, 4.0)))
    f.case("log.zero", lambda x: x.log(), lambda: ins(x=t(0.0, 1.0, 2.0)))
    f.case("rsqrt.zero", lambda x: x.rsqrt(), lambda: ins(x=t(0.0, 1.0, 4.0)))
    f.case("abs.zero", lambda x: x.abs(), lambda: ins(x=t(-1.0, 0.0, 2.0)))
    f.case("relu.zero", lambda x: x.relu(), lambda: ins(x=t(-1.0, 0.0, 2.0)))
    f.case("clamp.bounds", lambda x: x.clamp(-1, 1), lambda: ins(x=t(-2.0, -1.0, 0.0, 1.0, 2.0)))
    f.case("pow.scalar.zero", lambda x: torch.stack([x ** 2, x ** 0.5, x ** 0, x ** -1, x ** 3]),
           lambda: ins(x=t(0.0, 1.0, 2.0)))
    f.case("pow.tensor.zero", lambda x, e: x ** e,
           lambda: ins(x=t(0.0, 0.0, 0.0, 0.0, 2.0, 2.0), e=t(0.0, 2.0, -1.0, 0.5, 0.0, -1.0)))
    f.case("norm.zero_rows", lambda x: torch.stack([x.norm(p=2, dim=1), x.norm(p=3, dim=1), x.norm(p=1, dim=1)]),
           lambda: ins(x=torch.cat([torch.zeros(1, 3), t(1.0, -2.0, 2.0).unsqueeze(0)])))
    f.case("norm.zero_all", lambda x: x.norm(), lambda: ins(x=torch.zeros(2, 3)))
    f.case("where.masked_sqrt", lambda x: torch.where(x > 0, x.sqrt(), torch.zeros(())),
           lambda: ins(x=t(-1.0, 0.0, 4.0)))
    f.case("logsumexp.neg_inf_row", lambda x: x.logsumexp(1),
           lambda: ins(x=torch.tensor([[float("-inf"), float("-inf")], [0.0, float("-inf")], [1.0, 2.0]])))
    f.case("max.ties", lambda x: x.max(), lambda: ins(x=t(1.0, 3.0, 3.0, 2.0)))
    f.case("amax.ties", lambda x: x.amax(1), lambda: ins(x=torch.tensor([[1.0, 3.0, 3.0], [2.0, 2.0, 2.0]])))
    f.case("max.dim.ties", lambda x: x.max(1).values, lambda: ins(x=torch.tensor([[1.0, 3.0, 3.0], [2.0, 2.0, 2.0]])))

    # Piecewise losses at their switch points (|d| = beta / delta) and at d = 0.
    d_in = lambda: ins(x=t(-1.0, -0.5, 0.0, 0.5, 1.0, 2.0), y=torch.zeros(6))
    f.case("smooth_l1.switch", lambda x, y: F.smooth_l1_loss(x, y, reduction="none", beta=1.0), d_in, grads=["x"])
    f.case("huber.switch", lambda x, y: F.huber_loss(x, y, reduction="none", delta=0.5), d_in, grads=["x"])
    f.case("l1.zero", lambda x, y: F.l1_loss(x, y, reduction="none"), d_in, grads=["x"])

    # KL divergence with zero targets (0 log 0 = 0), gradients to both.
    f.case("kl_div.zero_target", lambda x, y: F.kl_div(x, y, reduction="sum"),
           lambda: ins(x=t(-1.0, -2.0, -0.5), y=t(0.0, 0.5, 0.5)))
    f.case("kl_div.zero_target.log", lambda x, y: F.kl_div(x, y, reduction="sum", log_target=True),
           lambda: ins(x=t(-1.0, -2.0, -0.5), y=t(float("-inf"), -0.7, -0.7)))

    # Margin losses at the margin.
    f.case("margin_ranking.at_margin", lambda a, b, y: F.margin_ranking_loss(a, b, y, margin=0.5, reduction="none"),
           lambda: ins(a=t(1.0, 0.0, 2.0), b=t(0.5, 0.5, 0.0), y=t(1.0, 1.0, -1.0)), grads=["a", "b"])
    f.case("cosine_embedding.zero_vector",
           lambda a, b, y: F.cosine_embedding_loss(a, b, y, reduction="none"),
           lambda: ins(a=torch.tensor([[0.0, 0.0], [1.0, 2.0]]), b=torch.tensor([[1.0, 1.0], [0.0, 0.0]]), y=t(1.0, -1.0)),
           grads=["a", "b"])
    return f


def main():
    for family in (inplace_views_family, inplace_grad2_family, grad_edges_family):
        path, n = family().write()
        print(f"{os.path.relpath(path, ROOT)}: {n} cases, {os.path.getsize(path)} bytes")


if __name__ == "__main__":
    main()
