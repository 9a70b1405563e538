import Ember
import EmberTestSupport
import Testing

// In-place writes through views of a non-leaf base rewrite the base's history (PyTorch's
// CopySlices), checked against PyTorch 1.13's gradients from Tests/Fixtures/inplace_views and
// inplace_grad2.safetensors (scripts/make_grad_fixtures.py).

/// The views of the fixture, each of a [3, 4] base (same names as the script's VIEWS).
private let viewKinds: [(String, @Sendable (Tensor) -> Tensor)] = [
    ("select", { $0[1] }),
    ("select1", { $0.select(1, 2) }),
    ("narrow", { $0.narrow(1, start: 1, length: 2) }),
    ("slice_step", { $0[TensorIndex.all, TensorIndex.slice(start: 0, end: 4, step: 2)] }),
    ("range", { $0[0..<2] }),
    ("transpose", { $0.transpose(0, 1) }),
    ("permute", { $0.view(3, 2, 2).permute(2, 0, 1) }),
    ("view", { $0.view(2, 6) }),
    ("reshape", { $0.reshape(12) }),
    ("view_of_view", { $0[1..<3].transpose(0, 1)[1...] }),
]

/// The in-place ops, each on a view `v` with the other operand `y` of v's shape (the script's OPS).
private let inPlaceOps: [(String, @Sendable (Tensor, Tensor?) -> Void)] = [
    ("fill_", { v, _ in v.fill_(5) }),
    ("zero_", { v, _ in v.zero_() }),
    ("add_", { v, y in v.add_(y!) }),
    ("mul_", { v, y in v.mul_(y!) }),
    ("copy_", { v, y in v.copy_(y!) }),
    ("setitem", { v, y in v[0] = y![0] }),
    ("relu_", { v, _ in v.relu_() }),
]

let inPlaceViewCases: [OpCase] = viewKinds.flatMap { viewName, view in
    inPlaceOps.map { opName, op in
        OpCase("\(viewName).\(opName)") { t in
            let b = t[0] * 2
            let other = b[1...]   // made before the write: sees it through the base
            op(view(b), t.count > 1 ? t[1] : nil)
            return Tensor.cat([b.reshape(-1), other.reshape(-1) * 3])
        }
    }
} + [
    // The three examples.
    OpCase("issue.fill_select") { t in
        let b = t[0] * 1
        b[0].fill_(5)
        return b
    },
    OpCase("issue.mul_select_square") { t in
        let b = t[0] * 2
        b[1].mul_(3)
        return b * b
    },
    OpCase("issue.zero_narrow") { t in
        let x = t[0].clone()
        x.narrow(0, start: 0, length: 1).zero_()
        return x
    },
    // Writes into zeros that do not require grad: the gradient reaches what was written.
    OpCase("into_zeros") { t in
        let x = t[0]
        let z = Tensor.zeros([3, 4], dtype: .float64)
        let before = z[0..<2]
        z[1] = x[0] * 2
        z[TensorIndex.all, 3].copy_(x[1, 1...].exp())
        return Tensor.cat([z.reshape(-1), before.reshape(-1)])
    },
    // Writes through different views, each reading the previous one's result.
    OpCase("chained") { t in
        let b = t[0] * t[0]
        b[0].mul_(t[1][0])
        b.transpose(0, 1)[1].add_(b[TensorIndex.all, 3])
        b[TensorIndex.all, 2...].sigmoid_()
        return b * b
    },
    // An in-place op on the base itself after a view of it was made.
    OpCase("base_write") { t in
        let b = t[0] * 1
        let v = b[0]
        b.mul_(t[0])
        return Tensor.cat([b.reshape(-1), v * 2])
    },
]

let inPlaceSecondOrderCases: [OpCase] = [
    OpCase("select_mul") { t in
        let b = t[0] * t[0]
        b[1].mul_(t[1][1])
        return b.exp()
    },
    OpCase("narrow_transpose") { t in
        let b = t[0] * t[0].sin()
        let v = b.narrow(0, start: 0, length: 2)
        v.mul_(t[1][..<2])
        v.transpose(0, 1)[0].add_(t[0][2, ..<2].pow(2))
        return b * b
    },
    OpCase("copy_nonlinear") { t in
        let b = t[0] * t[1]
        b[TensorIndex.all, 1].copy_((t[0][TensorIndex.all, 0] * t[1][TensorIndex.all, 2]).sin())
        return b.pow(3)
    },
]

@Suite struct InPlaceViewsAgainstPyTorch {
    @Test(arguments: inPlaceViewCases) func inPlaceThroughView(_ c: OpCase) { checkAgainstFixture("inplace_views", c) }
    @Test func tableCoversFixture() { checkFixtureCoverage("inplace_views", inPlaceViewCases) }
    @Test(arguments: inPlaceSecondOrderCases) func secondOrder(_ c: OpCase) { checkSecondOrderAgainstFixture("inplace_grad2", c) }
    @Test func secondOrderTableCoversFixture() { checkFixtureCoverage("inplace_grad2", inPlaceSecondOrderCases) }
}

/// How the graph looks after writes through views, the checks PyTorch makes before them, and
/// gradcheck through them.
@Suite struct InPlaceViewBehaviour {
    @Test func baseTakesCopySlicesAndTheViewASlice() {
        let a = Tensor([1.0, 2.0], requiresGrad: true)
        let b = a * 2
        let v = b[1]
        #expect(v.gradFn?.name == "SelectBackward0")
        v.mul_(3)
        #expect(b.gradFn?.name == "CopySlices")
        #expect(b.gradFn?.nextFunctions.first??.name == "MulBackward0")
        #expect(v.gradFn?.name == "AsStridedBackward0")
        #expect(v.gradFn?.nextFunctions.first??.name == "CopySlices")
        #expect(b.toArray() == [2, 12])
    }

    @Test func otherViewsSeeTheWrite() {
        let a = Tensor([1.0, 2.0, 3.0], requiresGrad: true)
        let b = a * 1
        let head = b[0..<2]          // made before the write
        b[1].mul_(10)
        (head * Tensor([1.0, 1.0])).sum().backward()
        #expect(a.grad!.toArray() == [1, 10, 0])
    }

    @Test func viewOfZerosGetsHistory() {
        let a = Tensor([1.0, 2.0], requiresGrad: true)
        let z = Tensor.zeros([3], dtype: .float64)
        #expect(!z.requiresGrad)
        z[1] = a[1] * 3
        #expect(z.requiresGrad && z.gradFn?.name == "CopySlices")
        (z * Tensor([1.0, 2.0, 4.0])).sum().backward()
        #expect(a.grad!.toArray() == [0, 6])
    }

    @Test func writesInNoGradLeaveTheGraphAlone() {
        let a = Tensor([1.0, 2.0], requiresGrad: true)
        let b = a * 2
        withNoGrad { b[0].fill_(7) }
        #expect(b.gradFn?.name == "MulBackward0")
        b.sum().backward()
        #expect(a.grad!.toArray() == [2, 2])
    }

    @Test func parameterViewMayBeWrittenInNoGrad() {
        let w = Tensor([1.0, 2.0], requiresGrad: true)
        withNoGrad { w[0].mul_(2) }
        #expect(w.toArray() == [2, 2])
        #expect(w.isLeaf && w.gradFn == nil)
    }

    @Test func viewOfLeafRequiringGradTraps() async {
        await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let w = Tensor([1.0, 2.0], requiresGrad: true)
            w[0].mul_(2)
        }
    }

    @Test func viewOfLeafTrapMessageIsPyTorchs() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let w = Tensor([1.0, 2.0], requiresGrad: true)
            w.narrow(0, start: 0, length: 1).fill_(0)
        }
        let text = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(text.contains("a view of a leaf Variable that requires grad is being used in an in-place operation"))
        #expect(text.contains("[fill_]"))
    }

    @Test func viewMadeInNoGradWrittenWithGradTraps() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let a = Tensor([1.0, 2.0], requiresGrad: true)
            let b = a * 1
            let v = withNoGrad { b[0] }
            v.mul_(2)
        }
        let text = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(text.contains("created in no-grad mode"))
    }

    @Test func savedTensorCheckSeesWritesThroughViews() async {
        await #expect(processExitsWith: .failure) {
            let a = Tensor([1.0, 2.0], requiresGrad: true)
            let b = a * 2
            let c = b * b       // saves b
            b[0].add_(1)        // writes b through a view
            c.sum().backward()
        }
    }

    @Test func gradcheckThroughWritesIntoViews() {
        let g = Generator(seed: 7)
        let x = Tensor.randn([3, 4], dtype: .float64, generator: g).requiresGrad_()
        let y = Tensor.randn([4, 2], dtype: .float64, generator: g).requiresGrad_()
        let result = gradcheck({ t in
            let b = t[0].sin() * 1
            b.transpose(0, 1)[1..<3].mul_(t[1][1...].transpose(0, 1))
            b[2].copy_(t[0][0] * t[0][1])
            b.view(12)[3...].tanh_()
            b[0, 1...].clamp_(min: -0.5, max: 0.5)
            return b * b.exp()
        }, inputs: [x, y])
        #expect(result.passed, "\(result)")
    }

    @Test func gradcheckWithNonContiguousBase() {
        // A detached transpose is a base of its own (not a view) with non-contiguous strides.
        let g = Generator(seed: 11)
        let x = Tensor.randn([3, 4], dtype: .float64, generator: g).requiresGrad_()
        let result = gradcheck({ t in
            let base = Tensor.zeros([4, 3], dtype: .float64).transpose(0, 1).detach()
            #expect(!base.isContiguous)
            base[1] = t[0][2] * 3
            base.narrow(1, start: 0, length: 2).add_(t[0].narrow(1, start: 1, length: 2).square())
            return base * t[0]
        }, inputs: [x])
        #expect(result.passed, "\(result)")
    }

    @Test func retainGraphRunsCopySlicesTwice() {
        let a = Tensor([1.0, 2.0], requiresGrad: true)
        let b = a * 2
        b[0].mul_(a[1])
        let loss = (b * b).sum()
        loss.backward(retainGraph: true)
        let first = a.grad!.toArray()
        a.grad = nil
        loss.backward()
        #expect(a.grad!.toArray() == first)
        // d/da of (2 a0 a1)² + (2 a1)² at (1, 2): (8 a0 a1², 8 a0² a1 + 8 a1) = (32, 32).
        #expect(first == [32, 32])
    }
}
