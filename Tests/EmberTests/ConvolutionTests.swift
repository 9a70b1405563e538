@testable import Ember
import EmberTestSupport
import Foundation
import Testing

// Convolutions and padding: finite-difference gradchecks, PyTorch 1.13 fixtures
// (Tests/Fixtures/conv.safetensors, made by scripts/make_conv_fixtures.py) and error traps.

/// One op under gradcheck: float64 inputs of `shapes` (seeded), each contiguous or, when its
/// index is in `permuted`, a non-contiguous permutation of a contiguous tensor.
struct OpGradcheck: CustomTestStringConvertible, Sendable {
    let name: String
    let shapes: [[Int]]
    let permuted: Set<Int>
    let f: @Sendable ([Tensor]) -> Tensor

    init(_ name: String, _ shapes: [[Int]], permuted: Set<Int> = [], _ f: @escaping @Sendable ([Tensor]) -> Tensor) {
        self.name = name
        self.shapes = shapes
        self.permuted = permuted
        self.f = f
    }

    var testDescription: String { name }

    func inputs() -> [Tensor] {
        let g = Generator(seed: 1)
        return shapes.enumerated().map { i, shape in
            guard permuted.contains(i) else { return Tensor.randn(shape, dtype: .float64, generator: g).requiresGrad_() }
            // Channels-last storage viewed as [N, C, ...]: the op sees a non-contiguous input.
            let order = [0] + Array(2..<shape.count) + [1]
            let base = Tensor.randn(order.map { shape[$0] }, dtype: .float64, generator: g)
            var back = [Int](repeating: 0, count: shape.count)
            for (k, d) in order.enumerated() { back[d] = k }
            return base.permute(back).requiresGrad_()
        }
    }

    /// First derivatives against central differences.
    func check(sourceLocation: SourceLocation = #_sourceLocation) {
        let result = gradcheck(f, inputs: inputs(), eps: 1e-6, atol: 1e-6, rtol: 1e-4)
        #expect(result.passed, "\(name): \(result)", sourceLocation: sourceLocation)
    }

    /// Second derivatives (`createGraph: true`) against central differences of the first.
    func checkSecondOrder(sourceLocation: SourceLocation = #_sourceLocation) {
        let result = gradgradcheck(f, inputs: inputs(), eps: 1e-6, atol: 1e-5, rtol: 1e-3)
        #expect(result.passed, "\(name) (second order): \(result)", sourceLocation: sourceLocation)
    }
}

let convGradchecks: [OpGradcheck] = [
    OpGradcheck("conv2d bias", [[2, 3, 5, 5], [4, 3, 3, 3], [4]]) { conv2d($0[0], $0[1], bias: $0[2]) },
    OpGradcheck("conv2d stride 2 padding 1", [[2, 2, 6, 5], [3, 2, 3, 3]]) { conv2d($0[0], $0[1], stride: (2, 2), padding: (1, 1)) },
    OpGradcheck("conv2d dilation 2", [[1, 2, 7, 7], [2, 2, 3, 3], [2]]) { conv2d($0[0], $0[1], bias: $0[2], padding: (1, 2), dilation: (2, 2)) },
    OpGradcheck("conv2d groups 2", [[2, 4, 5, 4], [4, 2, 3, 2], [4]]) { conv2d($0[0], $0[1], bias: $0[2], stride: (1, 2), groups: 2) },
    OpGradcheck("conv2d depthwise", [[2, 3, 5, 5], [3, 1, 3, 3]]) { conv2d($0[0], $0[1], padding: (1, 1), groups: 3) },
    OpGradcheck("conv2d pointwise", [[2, 3, 3, 4], [2, 3, 1, 1], [2]]) { conv2d($0[0], $0[1], bias: $0[2]) },
    OpGradcheck("conv2d same even kernel", [[1, 2, 5, 6], [2, 2, 2, 4]]) { conv2d($0[0], $0[1], padding: "same") },
    OpGradcheck("conv2d same dilated", [[2, 1, 5, 5], [2, 1, 3, 2], [2]]) { conv2d($0[0], $0[1], bias: $0[2], padding: "same", dilation: (2, 1)) },
    OpGradcheck("conv2d valid", [[1, 2, 4, 5], [2, 2, 3, 3]]) { conv2d($0[0], $0[1], padding: "valid") },
    OpGradcheck("conv2d permuted input", [[2, 3, 5, 4], [2, 3, 3, 3]], permuted: [0]) { conv2d($0[0], $0[1], padding: (1, 0)) },
    OpGradcheck("conv2d unbatched", [[2, 5, 5], [3, 2, 3, 3], [3]]) { conv2d($0[0], $0[1], bias: $0[2], stride: (2, 1)) },
    // 3×3, stride 1, ≥ 8 channels: the Winograd path (odd output sizes leave partial tiles).
    OpGradcheck("conv2d winograd", [[1, 8, 3, 5], [8, 8, 3, 3], [8]]) { conv2d($0[0], $0[1], bias: $0[2], padding: (1, 1)) },
    OpGradcheck("conv2d winograd padding 2 0", [[2, 8, 3, 4], [8, 8, 3, 3]]) { conv2d($0[0], $0[1], padding: (2, 0)) },
    OpGradcheck("convTranspose2d winograd", [[1, 8, 3, 3], [8, 8, 3, 3]], permuted: [0]) { convTranspose2d($0[0], $0[1], padding: (1, 1)) },
    OpGradcheck("conv1d stride padding bias", [[2, 3, 8], [4, 3, 3], [4]]) { conv1d($0[0], $0[1], bias: $0[2], stride: 2, padding: 1) },
    OpGradcheck("conv1d groups dilation", [[2, 4, 9], [2, 2, 3]]) { conv1d($0[0], $0[1], dilation: 2, groups: 2) },
    OpGradcheck("conv1d same unbatched", [[2, 7], [3, 2, 4]]) { conv1d($0[0], $0[1], padding: "same") },
    OpGradcheck("convTranspose2d outputPadding bias", [[2, 3, 3, 3], [3, 2, 3, 3], [2]]) {
        convTranspose2d($0[0], $0[1], bias: $0[2], stride: (2, 2), padding: (1, 1), outputPadding: (1, 0))
    },
    OpGradcheck("convTranspose2d groups dilation", [[1, 4, 3, 3], [4, 1, 2, 2]]) {
        convTranspose2d($0[0], $0[1], stride: (1, 2), padding: (0, 1), groups: 2, dilation: (2, 1))
    },
    OpGradcheck("convTranspose2d outputPadding below dilation", [[1, 2, 3, 3], [2, 2, 2, 2]]) {
        convTranspose2d($0[0], $0[1], outputPadding: (1, 1), dilation: (2, 2))
    },
    OpGradcheck("convTranspose2d permuted unbatched", [[3, 3, 2], [3, 2, 2, 2]], permuted: [0]) { convTranspose2d($0[0], $0[1], stride: (2, 2)) },
    OpGradcheck("convTranspose1d", [[2, 3, 4], [3, 2, 3], [2]]) { convTranspose1d($0[0], $0[1], bias: $0[2], stride: 2, outputPadding: 1) },
    OpGradcheck("pad", [[2, 3, 4]]) { pad($0[0], [1, 2, 0, 1], value: 0.5) },
    OpGradcheck("pad negative", [[2, 3, 4]], permuted: [0]) { pad($0[0], [-1, 2, 1, -1, 1, 0]) },
]

let convSecondOrder: [OpGradcheck] = [
    OpGradcheck("conv2d", [[2, 2, 4, 4], [2, 2, 2, 2], [2]]) { conv2d($0[0], $0[1], bias: $0[2], stride: (2, 1), padding: (1, 0)).square() },
    OpGradcheck("conv2d groups", [[1, 4, 3, 3], [2, 2, 2, 2]]) { conv2d($0[0], $0[1], dilation: (1, 2), groups: 2).square() },
    OpGradcheck("convTranspose2d", [[1, 2, 2, 3], [2, 2, 2, 2], [2]]) {
        convTranspose2d($0[0], $0[1], bias: $0[2], stride: (2, 2), outputPadding: (1, 0)).square()
    },
    OpGradcheck("pad", [[2, 3]]) { pad($0[0], [1, -1]).square() },
    OpGradcheck("conv2d winograd", [[1, 8, 2, 3], [8, 8, 3, 3]]) { conv2d($0[0], $0[1], padding: (1, 1)).square() },
]

/// float32 sums of up to ~300 products of O(1) values, which PyTorch (oneDNN) adds in another
/// order: cancellation leaves absolute errors around 1e-5.
let f32 = (rtol: 1e-4, atol: 1e-4)

let convFixtureCases: [OpCase] = [
    OpCase("conv2d.basic") { conv2d($0[0], $0[1], bias: $0[2]) },
    OpCase("conv2d.no_bias") { conv2d($0[0], $0[1]) },
    OpCase("conv2d.stride2_pad1") { conv2d($0[0], $0[1], bias: $0[2], stride: (2, 2), padding: (1, 1)) },
    OpCase("conv2d.dilation2") { conv2d($0[0], $0[1], padding: (2, 2), dilation: (2, 2)) },
    OpCase("conv2d.groups2") { conv2d($0[0], $0[1], bias: $0[2], groups: 2) },
    OpCase("conv2d.depthwise") { conv2d($0[0], $0[1], stride: (2, 1), padding: (1, 0), groups: 3) },
    OpCase("conv2d.rect") { conv2d($0[0], $0[1], bias: $0[2], stride: (1, 2), padding: (1, 0), dilation: (2, 1)) },
    OpCase("conv2d.pointwise") { conv2d($0[0], $0[1], bias: $0[2]) },
    OpCase("conv2d.same_even") { conv2d($0[0], $0[1], bias: $0[2], padding: "same") },
    OpCase("conv2d.same_dilated") { conv2d($0[0], $0[1], padding: "same", dilation: (2, 3)) },
    OpCase("conv2d.valid") { conv2d($0[0], $0[1], padding: "valid") },
    OpCase("conv2d.unbatched") { conv2d($0[0], $0[1], bias: $0[2], padding: (1, 1)) },
    OpCase("conv2d.f32", rtol: f32.rtol, atol: f32.atol) { conv2d($0[0], $0[1], bias: $0[2], padding: (1, 1)) },
    OpCase("conv2d.f32_wide", rtol: f32.rtol, atol: f32.atol) { conv2d($0[0], $0[1], bias: $0[2], padding: (1, 1)) },
    OpCase("conv2d.winograd") { conv2d($0[0], $0[1], bias: $0[2], padding: (1, 1)) },
    OpCase("conv2d.winograd_pad2") { conv2d($0[0], $0[1], padding: (2, 0)) },
    OpCase("conv1d.basic") { conv1d($0[0], $0[1], bias: $0[2], stride: 2, padding: 1) },
    OpCase("conv1d.groups_dilated") { conv1d($0[0], $0[1], dilation: 2, groups: 2) },
    OpCase("conv1d.same") { conv1d($0[0], $0[1], padding: "same") },
    OpCase("conv1d.f32", rtol: f32.rtol, atol: f32.atol) { conv1d($0[0], $0[1], bias: $0[2], padding: 2) },
    OpCase("conv_transpose2d.basic") { convTranspose2d($0[0], $0[1], bias: $0[2]) },
    OpCase("conv_transpose2d.stride2_outpad") { convTranspose2d($0[0], $0[1], bias: $0[2], stride: (2, 2), padding: (1, 1), outputPadding: (1, 1)) },
    OpCase("conv_transpose2d.groups_dilated") { convTranspose2d($0[0], $0[1], stride: (2, 1), padding: (0, 1), groups: 2, dilation: (1, 2)) },
    OpCase("conv_transpose2d.outpad_dilation") { convTranspose2d($0[0], $0[1], outputPadding: (1, 1), dilation: (2, 2)) },
    OpCase("conv_transpose2d.unbatched") { convTranspose2d($0[0], $0[1], stride: (2, 2)) },
    OpCase("conv_transpose2d.f32", rtol: f32.rtol, atol: f32.atol) {
        convTranspose2d($0[0], $0[1], bias: $0[2], stride: (2, 2), padding: (1, 1), outputPadding: (1, 1))
    },
    OpCase("conv_transpose2d.winograd") { convTranspose2d($0[0], $0[1], bias: $0[2], padding: (1, 1)) },
    OpCase("conv_transpose1d.basic") { convTranspose1d($0[0], $0[1], bias: $0[2], stride: 3, padding: 1, outputPadding: 2) },
    OpCase("pad.last") { pad($0[0], [1, 2]) },
    OpCase("pad.two_dims_value") { pad($0[0], [2, 0, 1, 3], value: 1.5) },
    OpCase("pad.negative") { pad($0[0], [-1, 2, 1, -2]) },
    OpCase("pad.three_dims") { pad($0[0], [1, 1, 0, 2, 1, 0]) },
]

@Suite struct ConvolutionTests {
    @Test(arguments: convGradchecks) func gradcheckFirstOrder(_ c: OpGradcheck) { c.check() }
    @Test(arguments: convSecondOrder) func gradcheckSecondOrder(_ c: OpGradcheck) { c.checkSecondOrder() }
    @Test(arguments: convFixtureCases) func againstPyTorch(_ c: OpCase) { checkAgainstFixture("conv", c) }
    @Test func tableCoversFixture() { checkFixtureCoverage("conv", convFixtureCases) }

    /// A hand-computed case: a 2×2 box filter over a 3×3 ramp, with padding 1 and stride 2.
    @Test func handComputed() {
        let x = Tensor((1...9).map(Double.init), shape: [1, 1, 3, 3])
        let w = Tensor.ones([1, 1, 2, 2])
        let y = conv2d(x, w, bias: Tensor([10.0]), stride: (2, 2), padding: (1, 1))
        #expect(y.shape == [1, 1, 2, 2])
        #expect(y.toArray() == [11, 15, 21, 38])
    }

    /// Each path must agree with a per-sample loop, in both float dtypes: im2col with small
    /// GEMMs (batch split across cores), Winograd (3×3, 16 channels) and im2col with large
    /// GEMMs (5×5 over 5 samples: samples in turn, OpenBLAS threads each GEMM).
    @Test(arguments: [DType.float32, .float64], [(inChannels: 1, kernel: 3), (16, 3), (16, 5)])
    func batchMatchesPerSample(dtype: DType, layer: (inChannels: Int, kernel: Int)) {
        let g = Generator(seed: 3), k = layer.kernel, pad = (k / 2, k / 2)
        let x = Tensor.randn([5, layer.inChannels, 12, 11], dtype: dtype, generator: g).requiresGrad_()
        let w = Tensor.randn([32, layer.inChannels, k, k], dtype: dtype, generator: g).requiresGrad_()
        let b = Tensor.randn([32], dtype: dtype, generator: g).requiresGrad_()
        let y = conv2d(x, w, bias: b, padding: pad)
        let gy = Tensor.randn(y.shape, dtype: dtype, generator: g)
        y.backward(gradient: gy)
        let tol = dtype == .float32 ? (1e-4, 1e-4) : (1e-10, 1e-10)
        var gw = Tensor.zerosLike(w), gb = Tensor.zerosLike(b)
        for n in 0..<5 {
            let xn = x.detach()[n].requiresGrad_(), wn = w.detach().requiresGrad_(), bn = b.detach().requiresGrad_()
            let yn = conv2d(xn, wn, bias: bn, padding: pad)
            assertClose(yn, y.detach()[n], rtol: tol.0, atol: tol.1, "output \(n)")
            yn.backward(gradient: gy[n])
            assertClose(xn.grad!, x.grad![n], rtol: tol.0, atol: tol.1, "input grad \(n)")
            gw = gw + wn.grad!
            gb = gb + bn.grad!
        }
        assertClose(w.grad!, gw, rtol: tol.0, atol: tol.1, "weight grad")
        assertClose(b.grad!, gb, rtol: tol.0, atol: tol.1, "bias grad")
    }

    /// Large planes run in bands of output rows (im2col) or of tile rows (Winograd). Shrinking
    /// the budgets to one-row bands must give the same outputs and gradients. (Other tests
    /// running meanwhile only get slower.)
    @Test(.serialized, arguments: [(kernel: 3, stride: 2, channels: 4), (3, 1, 4), (3, 1, 8), (5, 1, 3)])
    func bandsMatchWholePlanes(layer: (kernel: Int, stride: Int, channels: Int)) {
        let g = Generator(seed: 7), k = layer.kernel, c = layer.channels
        let x = Tensor.randn([3, c, 9, 8], dtype: .float64, generator: g), w = Tensor.randn([9, c, k, k], dtype: .float64, generator: g)
        let b = Tensor.randn([9], dtype: .float64, generator: g)
        func run() -> [Tensor] {
            let xs = x.detach().requiresGrad_(), ws = w.detach().requiresGrad_(), bs = b.detach().requiresGrad_()
            let y = conv2d(xs, ws, bias: bs, stride: (layer.stride, layer.stride), padding: (k / 2, k / 2))
            (y * y).sum().backward()
            return [y.detach(), xs.grad!, ws.grad!, bs.grad!]
        }
        let whole = run()
        let columns = ConvKernels.columnBudget.exchange(1, ordering: .relaxed)
        let tiles = Winograd.stepBytes.exchange(1, ordering: .relaxed)
        let banded = run()
        ConvKernels.columnBudget.store(columns, ordering: .relaxed)
        Winograd.stepBytes.store(tiles, ordering: .relaxed)
        for (name, (u, v)) in zip(["output", "input grad", "weight grad", "bias grad"], zip(banded, whole)) {
            assertClose(u, v, rtol: 1e-12, atol: 1e-12, "\(layer) \(name)")
        }
    }

    /// Winograd F(2×2, 3×3) against a direct sum in float64.
    @Test func winogradMatchesDirectSum() {
        let g = Generator(seed: 6)
        let x = Tensor.randn([2, 9, 7, 6], dtype: .float64, generator: g), w = Tensor.randn([10, 9, 3, 3], dtype: .float64, generator: g)
        let y = conv2d(x, w, padding: (1, 2)).toArray(as: Double.self)
        let xs = x.toArray(as: Double.self), ws = w.toArray(as: Double.self)
        var worst = 0.0
        for n in 0..<2 { for o in 0..<10 { for i in 0..<7 { for j in 0..<8 {
            var s = 0.0
            for c in 0..<9 { for a in 0..<3 { for b in 0..<3 {
                let r = i + a - 1, q = j + b - 2
                if r >= 0 && r < 7 && q >= 0 && q < 6 { s += xs[((n * 9 + c) * 7 + r) * 6 + q] * ws[((o * 9 + c) * 3 + a) * 3 + b] }
            } } }
            worst = Swift.max(worst, Swift.abs(s - y[((n * 10 + o) * 7 + i) * 8 + j]))
        } } } }
        #expect(worst < 1e-12)
    }

    /// Float32 Winograd (tile transforms and layout changes in C, AVX-512/AVX2) against the
    /// float64 path (Swift, checked by gradcheck and the direct sum above): channel counts that
    /// are not multiples of 8, partial tiles, a bias, and the three gradients together (the
    /// fused backward) and apart.
    @Test(arguments: [(c: 12, o: 20, h: 7, w: 10), (c: 32, o: 64, h: 14, w: 14), (c: 9, o: 8, h: 5, w: 3)])
    func winogradFloat32MatchesFloat64(layer: (c: Int, o: Int, h: Int, w: Int)) {
        let g = Generator(seed: 8)
        let x = Tensor.randn([3, layer.c, layer.h, layer.w], dtype: .float64, generator: g)
        let w = Tensor.randn([layer.o, layer.c, 3, 3], dtype: .float64, generator: g), b = Tensor.randn([layer.o], dtype: .float64, generator: g)
        let gy = Tensor.randn([3, layer.o, layer.h, layer.w], dtype: .float64, generator: g)
        func run(_ dtype: DType, together: Bool) -> [Tensor] {
            let xs = x.to(dtype).detach().requiresGrad_(), ws = w.to(dtype).detach().requiresGrad_(), bs = b.to(dtype).detach().requiresGrad_()
            if together {
                let y = conv2d(xs, ws, bias: bs, padding: (1, 1))
                y.backward(gradient: gy.to(dtype))
                return [y.detach(), xs.grad!, ws.grad!, bs.grad!].map { $0.to(.float64) }
            }
            let y = conv2d(xs, ws.detach(), bias: bs, padding: (1, 1))
            y.backward(gradient: gy.to(dtype))
            conv2d(xs.detach(), ws, padding: (1, 1)).backward(gradient: gy.to(dtype))
            return [y.detach(), xs.grad!, ws.grad!, bs.grad!].map { $0.to(.float64) }
        }
        let reference = run(.float64, together: true)
        for together in [true, false] {
            for (name, (u, v)) in zip(["output", "input grad", "weight grad", "bias grad"], zip(run(.float32, together: together), reference)) {
                assertClose(u, v, rtol: 1e-4, atol: 1e-3, "\(layer) \(name) together: \(together)")
            }
        }
    }

    @Test func halfPrecisionComputesInFloat32() {
        let g = Generator(seed: 4)
        let x = Tensor.randn([2, 3, 6, 6], generator: g), w = Tensor.randn([4, 3, 3, 3], generator: g)
        let y = conv2d(x.to(.bfloat16), w.to(.bfloat16), padding: (1, 1))
        #expect(y.dtype == .bfloat16)
        assertClose(y.to(.float32), conv2d(x.to(.bfloat16).to(.float32), w.to(.bfloat16).to(.float32), padding: (1, 1)), rtol: 1e-2, atol: 1e-2)
    }

    @Test func emptyBatch() {
        let y = conv2d(Tensor.zeros([0, 2, 5, 5]), Tensor.ones([3, 2, 3, 3]), padding: (1, 1))
        #expect(y.shape == [0, 3, 5, 5])
    }

    @Test func gradFnNames() {
        let w = Tensor.randn([2, 1, 3, 3], requiresGrad: true)
        #expect(conv2d(Tensor.randn([1, 1, 4, 4]), w).gradFn?.name == "ConvolutionBackward0")
        #expect(convTranspose2d(Tensor.randn([1, 2, 4, 4]), w).gradFn?.name == "ConvolutionBackward0")
        #expect(pad(w, [1, 1]).gradFn?.name == "ConstantPadNdBackward0")
    }

    // MARK: Errors: the message names the op and the shapes.

    @Test func wrongChannelCountTraps() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = conv2d(Tensor.zeros([8, 1, 28, 28]), Tensor.zeros([32, 3, 3, 3]))
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("[conv2d]") && message.contains("[8, 1, 28, 28]") && message.contains("[32, 3, 3, 3]") && message.contains("3 channels"))
    }

    @Test func inputSmallerThanKernelTraps() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = conv2d(Tensor.zeros([1, 2, 2, 5]), Tensor.zeros([4, 2, 3, 3]))
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("[conv2d]") && message.contains("[1, 2, 2, 5]") && message.contains("(2 x 5)") && message.contains("(3 x 3)"))
    }

    @Test func badBiasAndGroupsTrap() async {
        await #expect(processExitsWith: .failure) {
            _ = conv2d(Tensor.zeros([1, 2, 5, 5]), Tensor.zeros([4, 2, 3, 3]), bias: Tensor.zeros([3]))
        }
        await #expect(processExitsWith: .failure) {
            _ = conv2d(Tensor.zeros([1, 4, 5, 5]), Tensor.zeros([3, 2, 3, 3]), groups: 2)
        }
        await #expect(processExitsWith: .failure) {
            _ = conv1d(Tensor.zeros([1, 2, 5, 5]), Tensor.zeros([4, 2, 3]))
        }
    }

    @Test func sameWithStrideAndBadOutputPaddingTrap() async {
        await #expect(processExitsWith: .failure) {
            _ = conv2d(Tensor.zeros([1, 2, 5, 5]), Tensor.zeros([4, 2, 3, 3]), stride: (2, 2), padding: "same")
        }
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = convTranspose2d(Tensor.zeros([1, 2, 5, 5]), Tensor.zeros([2, 4, 3, 3]), stride: (2, 2), outputPadding: (2, 0))
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("[convTranspose2d]") && message.contains("output padding"))
    }

    @Test func padErrorsTrap() async {
        await #expect(processExitsWith: .failure) { _ = pad(Tensor.zeros([2, 3]), [1, 1, 1]) }
        await #expect(processExitsWith: .failure) { _ = pad(Tensor.zeros([2, 3]), [-2, -2]) }
    }
}
